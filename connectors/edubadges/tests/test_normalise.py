"""normalise: edubadges BadgeClass details (+ catalog rows) to records, value by value."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    InvalidRecordError,
    JSONObject,
    ParticipationForm,
    RawRecord,
    RecordDraft,
    Stackability,
    Status,
    Supervision,
)
from microcred_hub_connectors.edubadges import EdubadgesConnector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OB2 = "https://w3id.org/openbadges/v2"

# entityIds of the fixture badge classes (fixtures/catalog.json)
ECTS_EQF_35 = "IFPILf_Kq8IJujiJs3cTGG"  # HvA, 2.5 ECTS, EQF 3.5, extensions from another host
STUDY_LOAD = "vR4_8kTWUyUZg1IJOxElxr"  # ROC van Amsterdam, 84 hours
REGULAR = "guX-6m5XCFBdJATE5NHET6"  # issuer not expanded (a bare URL)
COUNTRY_EN = "RMlrF-4dk9SrQK08AyLrSx"  # Open Universiteit with InstitutionCountry "EN"
EXTRA_CURRICULAR = "eQjLpnmb_wZXTEGihicTy2"
ARCHIVED = "HZIFl6wTvvgyp2WHHKbUFs"
NO_NAME = "lUqhzczM7Qsxh93Ap0pK28"


def normalise(data: JSONObject, local_id: str | None = None) -> RecordDraft:
    return EdubadgesConnector().normalise(RawRecord(data=data, local_id=local_id))


def fixture(entity_id: str) -> RecordDraft:
    """A fixture badge as the connector hands it over: detail + its catalog row."""
    catalog = json.loads((FIXTURES / "catalog.json").read_text(encoding="utf-8"))
    row = next(r for r in catalog if r["entityId"] == entity_id)
    detail = json.loads((FIXTURES / "badges" / f"{entity_id}.json").read_text(encoding="utf-8"))
    return normalise({**detail, "_catalog": row}, entity_id)


def ext(name: str, key: str, value: object, host: str = "https://api.edubadges.nl") -> JSONObject:
    return {
        "@context": f"{host}/static/extensions/{name}/context.json",
        "type": ["Extension", f"extensions:{name}"],
        key: value,  # type: ignore[dict-item]
    }


def badge(**fields: object) -> JSONObject:
    doc: JSONObject = {
        "@context": OB2,
        "type": "BadgeClass",
        "id": "https://api.edubadges.nl/public/badges/Zk3mQ0a1TlaY2x7rS9bWcA",
        "name": "Data Literacy",
        "description": "Read data.",
    }
    doc.update(fields)  # type: ignore[arg-type]
    return doc


# --- workload and level --------------------------------------------------------------------


def test_ects_2_5_gives_derived_hours_68_75() -> None:
    record = fixture(ECTS_EQF_35)
    assert record.workload is not None
    assert record.workload.ects == 2.5
    assert record.workload.hours == 68.75
    assert record.workload.derived is True
    assert (record.workload.original_value, record.workload.original_unit) == ("2.5", "ECTS")


def test_eqf_3_5_has_no_eqf_level_keeps_original_and_warns() -> None:
    record = fixture(ECTS_EQF_35)
    assert record.level is not None
    assert record.level.eqf is None
    assert record.level.framework == "EQF"
    assert record.level.framework_level == "3.5"
    assert any("3.5" in w for w in record.warnings)


def test_stated_eqf_6_is_not_derived() -> None:
    record = fixture(COUNTRY_EN)
    assert record.level is not None
    assert (record.level.eqf, record.level.derived) == (6, False)


def test_study_load_hours_are_kept_and_ects_derived() -> None:
    record = fixture(STUDY_LOAD)
    assert record.workload is not None
    assert record.workload.hours == 84
    assert record.workload.ects == 3.1
    assert record.workload.derived is True
    assert record.workload.original_unit == "hours"


def test_stated_ects_and_study_load_are_both_kept() -> None:
    record = normalise(
        badge(
            **{
                "extensions:ECTSExtension": ext("ECTSExtension", "ECTS", 4),
                "extensions:StudyLoadExtension": ext("StudyLoadExtension", "StudyLoad", 112),
            }
        )
    )
    assert record.workload is not None
    assert (record.workload.ects, record.workload.hours, record.workload.derived) == (4, 112, False)


def test_extension_is_matched_by_key_name_whatever_the_context_host() -> None:
    # the ECTS/EQF extensions of this fixture name api-acc.edubadges.example in @context
    record = fixture(ECTS_EQF_35)
    assert record.workload is not None
    assert record.workload.ects == 2.5
    stranger = badge(
        **{"extensions:ECTSExtension": ext("ECTSExtension", "ECTS", 7, host="https://x.example")}
    )
    workload = normalise(stranger).workload
    assert workload is not None
    assert workload.ects == 7


def test_context_url_alone_does_not_make_an_extension() -> None:
    disguised = ext("ECTSExtension", "ECTS", 9)  # an ECTS @context under another key
    record = normalise(badge(**{"extensions:SomethingElseExtension": disguised}))
    assert record.workload is None


def test_eqf_and_ects_alignments_set_level_and_workload_when_no_extension() -> None:
    record = normalise(
        badge(
            alignment=[
                {"targetName": "EQF", "targetFramework": "EQF", "targetCode": "7"},
                {"targetName": "ECTS", "targetFramework": "ECTS", "targetCode": "2.5"},
            ]
        )
    )
    assert record.level is not None
    assert record.level.eqf == 7
    assert record.workload is not None
    assert record.workload.ects == 2.5
    assert record.skills == ()


# --- vocabularies ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "code"), [("en_EN", "en"), ("nl_NL", "nl")])
def test_language_extension_gives_iso_639_1(raw: str, code: str) -> None:
    record = normalise(
        badge(**{"extensions:LanguageExtension": ext("LanguageExtension", "Language", raw)})
    )
    assert record.languages == (code,)
    assert record.titles[0].lang == code
    assert record.description[0].lang == code


def test_country_en_becomes_gb_with_a_warning() -> None:
    record = fixture(COUNTRY_EN)
    assert record.issuer_country == ("GB",)
    assert all(body.country == "GB" for body in record.awarding_bodies)
    assert any("EN" in w and "GB" in w for w in record.warnings)


def test_country_extension_inner_key_name_does_not_matter() -> None:
    issuer = {
        "name": "Hanze",
        "extensions:InstitutionCountryExtension": {
            "@context": "https://api.edubadges.nl/extensions/InstitutionCountryExtension/context.json",
            "type": ["Extension", "extensions:InstitutionCountryExtension"],
            "Country": "NL",
        },
    }
    assert normalise(badge(issuer=issuer)).issuer_country == ("NL",)


def test_participation_onsite_online_gives_both_forms() -> None:
    record = fixture(ECTS_EQF_35)
    assert record.participation_forms == (ParticipationForm.ONSITE, ParticipationForm.ONLINE)
    assert record.participation_original == ("onsite", "online")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("written_exam", AssessmentType.TESTING),
        ("oram_exam", AssessmentType.TESTING),
        ("testing", AssessmentType.TESTING),
        ("professional_product", AssessmentType.APPLICATION_OF_SKILL),
        ("behavioural_assessment", AssessmentType.APPLICATION_OF_SKILL),
        ("personalized_assessment", AssessmentType.APPLICATION_OF_SKILL),
        ("report_paper", AssessmentType.APPLICATION_OF_SKILL),
        ("portfolio_assessment", AssessmentType.PORTFOLIO),
        ("development_report", AssessmentType.PORTFOLIO),
    ],
)
def test_assessment_code_maps_to_canonical_type(code: str, kind: AssessmentType) -> None:
    record = normalise(badge(assessmentType=code))
    assert record.assessment_types == (kind,)
    assert record.assessment_original == (code,)
    assert record.warnings == ()


def test_unknown_assessment_code_is_other_with_original_and_warning() -> None:
    record = fixture(EXTRA_CURRICULAR)
    assert record.assessment_types == (AssessmentType.TESTING, AssessmentType.OTHER)
    assert record.assessment_original == ("testing", "peer_review")
    assert any("peer_review" in w for w in record.warnings)


@pytest.mark.parametrize(
    ("supervised", "verified", "expected"),
    [
        (0, 0, Supervision.UNSUPERVISED_NO_ID_CHECK),
        ("1", "0", Supervision.SUPERVISED_NO_ID_CHECK),
        (True, True, Supervision.SUPERVISED_WITH_ID_CHECK),
        ("0", "1", Supervision.OTHER),
        ("true", "false", Supervision.SUPERVISED_NO_ID_CHECK),
        (None, None, None),
    ],
)
def test_supervision_from_the_two_booleans(
    supervised: object, verified: object, expected: Supervision | None
) -> None:
    record = normalise(badge(assessmentSupervised=supervised, assessmentIdVerified=verified))
    assert record.supervision is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("micro_credential", CredentialType.MICRO_CREDENTIAL),
        ("regular", CredentialType.BADGE),
        ("extra_curricular", CredentialType.BADGE),
        (None, CredentialType.BADGE),
    ],
)
def test_type_badge_class_sets_credential_type(kind: str | None, expected: CredentialType) -> None:
    assert normalise(badge(typeBadgeClass=kind)).credential_type is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, Stackability.STACKABLE), ("0", Stackability.STANDALONE), (None, None)],
)
def test_stackable_flag(value: object, expected: Stackability | None) -> None:
    assert normalise(badge(stackable=value)).stackability is expected


def test_micro_fields_in_snake_case_are_read_too() -> None:
    record = normalise(
        badge(assessment_type="written_exam", assessment_supervised="true", stackable="false")
    )
    assert record.assessment_types == (AssessmentType.TESTING,)
    assert record.stackability is Stackability.STANDALONE


# --- text, bodies, skills ------------------------------------------------------------------


def test_title_whitespace_collapses_and_markdown_description_is_kept() -> None:
    record = fixture(ECTS_EQF_35)
    assert record.title == "Basisvaardigheden Datageletterdheid in de Zorg"
    assert record.description[0].value.startswith("## Over deze microcredential")
    assert "**zorgdata**" in record.description[0].value
    assert "* een dashboard met zorgdata interpreteren," in record.learning_outcomes[0].value


def test_criteria_narrative_is_not_mapped() -> None:
    record = fixture(ECTS_EQF_35)
    assert all("mondeling examen" not in d.value for d in record.description)
    assert record.prerequisites == ()


def test_institution_is_the_first_awarding_body_and_issuer_unit_second() -> None:
    record = fixture(ECTS_EQF_35)
    institution, unit = record.awarding_bodies
    assert (institution.name, institution.id, institution.country) == (
        "Amsterdam University of Applied Sciences",
        "hva.nl",
        "NL",
    )
    assert unit.name == "Faculteit Gezondheid"
    assert unit.url == "https://www.hva.nl/fg"


def test_unexpanded_issuer_falls_back_to_catalog_names_without_a_country() -> None:
    record = fixture(REGULAR)
    assert [b.name for b in record.awarding_bodies] == [
        "Utrecht University",
        "Centre for Academic Teaching",
    ]
    assert record.issuer_country == ()


def test_esco_alignment_is_a_skill_and_eqf_ects_alignments_are_not() -> None:
    record = fixture(ECTS_EQF_35)
    assert [(s.label, s.framework) for s in record.skills] == [("develop digital content", "ESCO")]
    assert record.skills[0].uri == (
        "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
    )


def test_education_program_identifiers_are_isat_fields_of_study() -> None:
    record = fixture(COUNTRY_EN)
    assert [(f.scheme, f.code) for f in record.fields_of_study] == [
        ("ISAT", "34479"),
        ("ISAT", "39205"),
    ]


def test_quality_assurance_from_micro_fields() -> None:
    qa = fixture(ECTS_EQF_35).quality_assurance
    assert qa is not None
    assert qa.name == "Pilot Microcredentials Hoger Onderwijs"
    assert qa.url == "https://www.versnellingsplan.nl/microcredentials"


def test_url_status_dates_and_framework_listing() -> None:
    record = fixture(STUDY_LOAD)
    assert record.url == f"https://api.edubadges.example/public/badges/{STUDY_LOAD}"
    assert record.local_id == STUDY_LOAD
    assert record.status is Status.ACTIVE
    assert record.valid_from == date(2025, 1, 20)
    assert record.framework_listed is None
    assert fixture(ARCHIVED).status is Status.WITHDRAWN


def test_same_input_gives_the_same_record() -> None:
    assert fixture(COUNTRY_EN) == fixture(COUNTRY_EN)


# --- quarantine ----------------------------------------------------------------------------


def test_detail_without_name_is_quarantined() -> None:
    with pytest.raises(InvalidRecordError, match="no name") as caught:
        fixture(NO_NAME)
    assert caught.value.local_id == NO_NAME


def test_name_of_the_wrong_json_type_is_quarantined() -> None:
    with pytest.raises(InvalidRecordError, match="JSON type list"):
        normalise(badge(name=["Data Literacy"]))


def test_failed_detail_is_quarantined_with_its_reason() -> None:
    data: JSONObject = {
        "_catalog": {"entityId": "TujMrlAPoyoieRcjBFYmiu", "name": "Gone"},
        "_detail_error": "detail not found (HTTP 404) at http://x/public/badges/TujMrlAPoyoieRcjBFYmiu",
    }
    with pytest.raises(InvalidRecordError, match="detail not found") as caught:
        normalise(data)
    assert caught.value.local_id == "TujMrlAPoyoieRcjBFYmiu"


def test_badge_without_any_identifier_is_quarantined() -> None:
    doc = badge()
    del doc["id"]
    with pytest.raises(InvalidRecordError, match="entityId"):
        normalise(doc)
