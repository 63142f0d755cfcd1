"""normalise: fixture record in, canonical values out, one test per quirk of the feed."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    CredentialType,
    FieldOfStudy,
    InvalidRecordError,
    JSONObject,
    Organisation,
    ParticipationForm,
    RawRecord,
    RecordDraft,
    Status,
)
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from microcred_hub_connectors.nzqa.feed import raw_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

CONNECTOR = NzqaConnector(NzqaOptions())


def _items() -> list[JSONObject]:
    items: list[JSONObject] = []
    for page in (1, 2, 3):
        items += json.loads((FIXTURES / f"feed-page-{page}.json").read_text("utf-8"))["items"]
    return items


ITEMS = _items()


def item(reference: str, version: int | None = None) -> JSONObject:
    found = [i for i in ITEMS if i["reference"] == reference]
    if version is not None:
        found = [i for i in found if i["version"] == version]
    return dict(found[-1])


def record(ref: str, **changes: object) -> RecordDraft:
    data = item(ref)
    data.update(changes)  # type: ignore[arg-type]
    return CONNECTOR.normalise(RawRecord(data=data, local_id=ref))


def test_nzqcf_level_8_has_no_eqf_level() -> None:
    level = record("MC5238").level
    assert level is not None
    assert level.eqf is None
    assert (level.framework, level.framework_level) == ("NZQCF", "8")


def test_level_3_with_15_credits_gives_eqf_4_150_hours_and_derived_7_5_ects() -> None:
    draft = record("MC5224")
    assert draft.level is not None
    assert draft.level.eqf == 4
    assert draft.level.derived
    assert draft.workload is not None
    assert (draft.workload.hours, draft.workload.ects, draft.workload.derived) == (150, 7.5, True)
    assert (draft.workload.original_value, draft.workload.original_unit) == ("15", "NZ credits")


def test_credits_as_numeric_string_are_read_as_a_number() -> None:
    workload = record("MC5217").workload
    assert workload is not None
    assert (workload.hours, workload.ects, workload.original_value) == (200, 10, "20")


def test_level_as_string_with_spaces_is_read_as_level_7() -> None:
    level = record("MC5245").level
    assert level is not None
    assert (level.eqf, level.framework_level) == (6, "7")


def test_macrons_survive_in_titles_and_bodies() -> None:
    draft = record("MC5210")
    assert draft.title == "Kaitiakitanga: Caring for Te Taiao in Local Government"
    assert record("MC5245").title == "Pou Tikanga: Māori Governance Foundations"
    assert draft.awarding_bodies[0].name == "Te Wānanga o Raukawa"


def test_decomposed_macrons_are_composed_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Te Reo Māori: Kōrero")
    assert record("MC5210", title=decomposed).title == "Te Reo Māori: Kōrero"


def test_title_whitespace_is_trimmed_and_collapsed() -> None:
    draft = record("MC5217")
    assert draft.title == "Forklift Operation in Warehouse Settings"
    assert [t.value for t in draft.titles] == [draft.title]
    assert draft.titles[0].lang == "en"


@pytest.mark.parametrize(
    ("reference", "status"),
    [("MC5203", Status.ACTIVE), ("MC5238", Status.EXPIRED), ("MC5245", Status.WITHDRAWN)],
)
def test_status_maps_current_expired_discontinued(reference: str, status: Status) -> None:
    draft = record(reference)
    assert draft.status is status
    assert draft.warnings == ()


def test_unknown_status_is_unknown_with_a_warning() -> None:
    draft = record("MC5259")
    assert draft.status is Status.UNKNOWN
    assert any("Under review" in w for w in draft.warnings)


def test_outcome_statement_list_gives_one_learning_outcome_each() -> None:
    outcomes = record("MC5224").learning_outcomes
    assert len(outcomes) == 3
    assert outcomes[0].value.startswith("Learners will be able to write simple Python")
    assert {o.lang for o in outcomes} == {"en"}


def test_purpose_statement_is_the_description_and_outcome_string_one_outcome() -> None:
    draft = record("MC5203")
    assert draft.description[0].value.startswith("This micro-credential is for beekeepers")
    assert len(draft.learning_outcomes) == 1


def test_empty_providers_leave_the_developer_as_awarding_body() -> None:
    assert record("MC5245").awarding_bodies == (
        Organisation(name="Te Whare Wānanga o Awanuiārangi", id="8538", country="NZ"),
    )


def test_developer_and_three_providers_are_awarding_bodies_in_order() -> None:
    bodies = record("MC5217").awarding_bodies
    assert [b.name for b in bodies] == [
        "Hanga-Aro-Rau, Manufacturing, Engineering and Logistics Workforce Development Council",
        "Te Pūkenga – MITO",
        "NZMA",
        "Skills Update Training Institute",
    ]
    assert [b.id for b in bodies] == [None, "8108", "7127", None]
    assert {b.country for b in bodies} == {"NZ"}


def test_developer_who_also_delivers_is_listed_once() -> None:
    bodies = record("MC5203").awarding_bodies
    assert bodies == (
        Organisation(
            name="Te Pūkenga – Toi Ohomai Institute of Technology", id="6011", country="NZ"
        ),
    )


def test_delivery_modes_become_participation_forms() -> None:
    online = record("MC5224")
    assert online.participation_forms == (ParticipationForm.ONLINE,)
    assert online.participation_original == ("Online",)
    mixed = record("MC5203")
    assert mixed.participation_forms == (ParticipationForm.BLENDED, ParticipationForm.WORK_BASED)


def test_no_delivery_modes_means_no_participation_form() -> None:
    assert record("MC5210").participation_forms == ()


def test_cuap_quality_assurance_and_level_9() -> None:
    draft = record("MC5252")
    assert draft.quality_assurance is not None
    assert draft.quality_assurance.body == "Universities New Zealand – CUAP"
    assert draft.level is not None
    assert draft.level.eqf == 7


def test_nzqa_quality_assurance() -> None:
    qa = record("MC5203").quality_assurance
    assert qa is not None
    assert (qa.body, qa.name) == ("NZQA", "NZQA approval and accreditation")


def test_missing_title_and_bad_credits_quarantine_with_both_reasons() -> None:
    with pytest.raises(InvalidRecordError) as caught:
        record("MC5266")
    assert caught.value.local_id == "MC5266"
    assert "no title" in caught.value.reason
    assert "credits" in caught.value.reason
    assert "'abc'" in caught.value.reason


def test_bad_credits_alone_quarantine_naming_field_and_value() -> None:
    with pytest.raises(InvalidRecordError, match=r"credits is not a number: 'abc'"):
        record("MC5203", credits="abc")


@pytest.mark.parametrize("title", ["", "   ", None])
def test_empty_title_is_quarantined(title: str | None) -> None:
    with pytest.raises(InvalidRecordError, match="no title"):
        record("MC5203", title=title)


@pytest.mark.parametrize("reference", [None, "", "  ", 4217])
def test_record_without_a_text_reference_is_quarantined(reference: object) -> None:
    with pytest.raises(InvalidRecordError, match="no reference"):
        record("MC5203", reference=reference)


def test_non_object_item_is_refused_with_its_type() -> None:
    raw = raw_record(["MC1", "x"], "http://register.invalid/microcredentials")
    assert raw.rejected is not None and "feed item is a JSON list" in raw.rejected


def test_fixed_values_of_every_nzqa_like_listing() -> None:
    draft = record("MC5203")
    assert draft.local_id == "MC5203"
    assert draft.credential_type is CredentialType.MICRO_CREDENTIAL
    assert draft.issuer_country == ("NZ",)
    assert draft.languages == ("en",)
    assert draft.framework_listed is True
    assert draft.prerequisites == ()
    assert draft.fields_of_study == (FieldOfStudy(scheme="NZSCED", code="050301"),)
    assert draft.url == (
        "https://www.nzqa.govt.nz/nzqf/search/viewQualification.do?selectedItemKey=MC5203"
    )


def test_approval_date_is_valid_from_and_review_period_sets_no_expiry() -> None:
    draft = record("MC5203")
    assert draft.valid_from == date(2022, 8, 11)
    assert draft.valid_until is None


def test_last_modified_keeps_its_new_zealand_offset_instant() -> None:
    summer = record("MC5203").updated_at  # "2024-11-05T10:15:00+13:00"
    winter = record("MC5210").updated_at  # "2024-07-22T09:00:00+12:00"
    assert summer is not None
    assert winter is not None
    assert summer.utcoffset() == timedelta(hours=13)
    assert summer == datetime(2024, 11, 4, 21, 15, tzinfo=UTC)
    assert winter.utcoffset() == timedelta(hours=12)


def test_zone_less_last_modified_is_read_in_the_configured_zone() -> None:
    updated = record("MC5203", lastModified="2024-11-05T10:15:00").updated_at
    assert updated == datetime(2024, 11, 4, 21, 15, tzinfo=UTC)


def test_five_digit_nzsced_in_json_is_padded_with_a_warning() -> None:
    draft = record("MC5203", nzsced="50301")
    assert draft.fields_of_study == (FieldOfStudy(scheme="NZSCED", code="050301"),)
    assert any("five digits" in w for w in draft.warnings)


def test_clean_records_have_no_warnings() -> None:
    clean = [i for i in ITEMS if i["reference"] not in ("MC5259", "MC5266")]
    for data in clean:
        assert CONNECTOR.normalise(RawRecord(data=data)).warnings == (), data["reference"]


def test_normalise_is_pure_the_same_input_gives_the_same_record() -> None:
    assert record("MC5217") == record("MC5217")


def test_negative_credits_leave_workload_empty_with_a_warning() -> None:
    draft = record("MC5203", credits=-5)
    assert draft.workload is None
    assert any("credits -5" in w for w in draft.warnings)
