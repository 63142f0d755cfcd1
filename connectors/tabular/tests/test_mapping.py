"""Fixture in, record out: rows of the fixture files through the declarative mappings."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import msgspec
import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    InvalidRecordError,
    LangString,
    Organisation,
    ParticipationForm,
    RawRecord,
    RecordDraft,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
)
from microcred_hub_connectors.tabular import TabularConnector, TabularOptions
from microcred_hub_connectors.tabular.reading import csv_rows, decode, decode_json, json_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def options(config: str, **overrides: object) -> TabularOptions:
    """A source's options decoded as the hub does: TOML, then msgspec."""
    table = tomllib.loads((FIXTURES / config).read_text(encoding="utf-8"))
    table.update(overrides)
    return msgspec.convert(table, TabularOptions)


def rows(data_file: str, config: str) -> tuple[TabularConnector, list[RawRecord]]:
    opts = options(config)
    url = f"file://{FIXTURES / data_file}"
    text = decode((FIXTURES / data_file).read_bytes(), opts, url)
    found = (
        csv_rows(text, opts, url)
        if opts.format == "csv"
        else json_rows(decode_json(text, url), opts, url)
    )
    raws = [r if isinstance(r, RawRecord) else RawRecord(data=r, source_url=url) for r in found]
    return TabularConnector(opts), raws


def record(data_file: str, config: str, index: int) -> RecordDraft:
    connector, raws = rows(data_file, config)
    return connector.normalise(raws[index])


def failure(data_file: str, config: str, index: int) -> str:
    connector, raws = rows(data_file, config)
    if raws[index].rejected is not None:  # refused while reading: never normalised
        return raws[index].rejected
    with pytest.raises(InvalidRecordError) as caught:
        connector.normalise(raws[index])
    return caught.value.reason


NZ = ("nz_microcredentials.csv", "nz_microcredentials.toml")
NL = ("nl_cursussen.csv", "nl_cursussen.toml")
IE = ("catalogue.json", "catalogue.toml")


# --- CSV, NZ-style listing -----------------------------------------------------------------


def test_rows_carry_their_one_based_row_number() -> None:
    _, raws = rows(*NZ)
    assert [r.data["_row"] for r in raws] == [1, 2, 3, 4, 5]
    assert [r.data["_line"] for r in raws] == [2, 4, 5, 6, 7]  # row 1 spans lines 2-3


def test_titles_per_language_column_with_english_for_display() -> None:
    draft = record(*NZ, 0)
    assert draft.local_id == "MC1001"
    assert draft.title == "Introduction to Beekeeping"
    assert draft.titles == (
        LangString(value="Introduction to Beekeeping", lang="en"),
        LangString(value="Te Tiaki Pī", lang="mi"),
    )


def test_nz_credits_give_exact_hours_and_derived_ects() -> None:
    assert record(*NZ, 0).workload == Workload(
        ects=7.5, hours=150.0, derived=True, original_value="15", original_unit="NZ credits"
    )


def test_nzqcf_level_8_has_no_eqf_level() -> None:
    level = record(*NZ, 1).level
    assert level is not None
    assert (level.eqf, level.framework, level.framework_level) == (None, "NZQCF", "8")
    assert record(*NZ, 0).level is not None and record(*NZ, 0).level.eqf == 4


def test_value_maps_and_list_separator_feed_participation() -> None:
    draft = record(*NZ, 0)
    assert draft.participation_forms == (ParticipationForm.ONLINE, ParticipationForm.ONSITE)
    assert draft.participation_original == ("Online", "On campus")  # as the file says


def test_defaults_fill_type_country_and_awarding_body_country() -> None:
    draft = record(*NZ, 0)
    assert draft.credential_type is CredentialType.MICRO_CREDENTIAL
    assert draft.issuer_country == ("NZ",)
    assert draft.awarding_bodies == (Organisation(name="Te Pūkenga", country="NZ"),)


def test_dates_status_skills_fields_languages_and_outcomes() -> None:
    draft = record(*NZ, 0)
    assert draft.valid_from == date(2021, 3, 12)
    assert draft.status is Status.ACTIVE
    assert draft.skills == (Skill(label="beekeeping"), Skill(label="hive inspection"))
    assert [(f.scheme, f.code) for f in draft.fields_of_study] == [("NZSCED", "019901")]
    assert draft.languages == ("en", "mi")
    assert draft.learning_outcomes == (
        LangString(value="Inspect a hive safely", lang="en"),
        LangString(value="Identify common pests", lang="en"),
    )


def test_esco_uri_skill_and_unmapped_status_value() -> None:
    draft = record(*NZ, 1)
    assert draft.title == "Advanced Cyber Security"  # whitespace runs collapse in titles
    assert draft.skills == (
        Skill(
            label="http://data.europa.eu/esco/skill/abc-123",
            uri="http://data.europa.eu/esco/skill/abc-123",
            framework="ESCO",
        ),
    )
    assert draft.status is Status.EXPIRED  # "Expired" is a canonical word without a map


def test_bad_number_names_row_line_and_column() -> None:
    assert failure(*NZ, 2) == "row 3 (line 5), column 'Credits': 'abc' is not a number"


def test_bad_date_names_row_column_and_format() -> None:
    reason = failure(*NZ, 3)
    assert reason.startswith("row 4 (line 6), column 'Approved': '31/02/2023'")
    assert "'%d/%m/%Y'" in reason


def test_row_without_id_is_quarantined_naming_the_id_column() -> None:
    assert (
        failure(*NZ, 4)
        == "row 5 (line 7), column 'Code': no id; every record needs one to be tracked"
    )


# --- CSV, Dutch semicolon file -------------------------------------------------------------


def test_semicolon_csv_with_bom_and_decimal_comma_ects() -> None:
    draft = record(*NL, 0)
    assert draft.local_id == "HU-DB-01"
    assert draft.title == "Sustainable building"
    assert draft.titles[0] == LangString(value="Duurzaam bouwen", lang="nl")
    assert draft.workload == Workload(
        ects=2.5, hours=68.75, derived=True, original_value="2,5", original_unit="ECTS"
    )


def test_stated_eqf_level_is_not_derived() -> None:
    level = record(*NL, 0).level
    assert level is not None
    assert (level.eqf, level.framework, level.derived) == (6, "EQF", False)


def test_dutch_values_through_value_maps() -> None:
    draft = record(*NL, 0)
    assert draft.participation_forms == (ParticipationForm.ONSITE,)
    assert draft.assessment_types == (AssessmentType.PORTFOLIO,)
    assert draft.stackability is Stackability.STACKABLE
    assert draft.supervision is Supervision.SUPERVISED_NO_ID_CHECK
    assert draft.languages == ("nl",)
    assert draft.credential_type is CredentialType.COURSE


def test_second_row_lists_two_languages_and_testing() -> None:
    draft = record(*NL, 1)
    assert draft.languages == ("nl", "en")
    assert draft.assessment_types == (AssessmentType.TESTING,)
    assert draft.supervision is Supervision.SUPERVISED_WITH_ID_CHECK
    assert draft.stackability is Stackability.STANDALONE


def test_bad_boolean_names_row_and_column() -> None:
    assert failure(*NL, 2).startswith("row 3 (line 4), column 'Stapelbaar': 'Misschien' is not")


# --- JSON with records_path ----------------------------------------------------------------


def test_json_language_map_title_and_nested_columns() -> None:
    draft = record(*IE, 0)
    assert draft.local_id == "501"
    assert {t.lang for t in draft.titles} == {"en", "ga"}
    assert draft.title == "Data Visualisation"
    assert draft.awarding_bodies == (Organisation(name="University College Cork", country="IE"),)
    assert draft.issuer_country == ("IE",)
    assert draft.url == "https://courses.example.ie/data-visualisation"


def test_json_hours_nfq_level_type_and_updated_at() -> None:
    draft = record(*IE, 0)
    assert draft.workload == Workload(
        ects=4.5, hours=125.0, derived=True, original_value="125", original_unit="hours"
    )
    assert draft.level is not None
    assert (draft.level.eqf, draft.level.framework_level) == (6, "8")
    assert draft.credential_type is CredentialType.MICRO_CREDENTIAL
    assert draft.updated_at == datetime(2024, 11, 2, 9, 30, tzinfo=UTC)
    assert draft.languages == ("en", "ga")


def test_json_list_of_modes_and_plain_date_update() -> None:
    draft = record(*IE, 1)
    assert draft.participation_forms == (ParticipationForm.BLENDED, ParticipationForm.WORK_BASED)
    assert draft.updated_at == datetime(2024, 10, 1, tzinfo=UTC)
    assert draft.issuer_country == ()  # no country anywhere: null, not a guess


def test_json_bad_number_names_row_and_key() -> None:
    assert failure(*IE, 2) == "row 3, column 'hours': 'lots' is not a number"


def test_json_entry_that_is_not_an_object_is_quarantined() -> None:
    assert failure(*IE, 3) == "row 4: a JSON str, not an object"


def test_unknown_credential_type_value_is_other_with_a_warning() -> None:
    connector, raws = rows(*IE)
    data = {**raws[1].data, "type": "diploma"}
    draft = connector.normalise(RawRecord(data=data))
    assert draft.credential_type is CredentialType.OTHER
    assert any("diploma" in w for w in draft.warnings)


# --- the mapping itself is validated when the config loads ---------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"columns": {"title": "Title", "titel": "Naam"}}, "unknown field 'titel'"),
        ({"columns": {"title_zz": "Title"}}, "unknown field 'title_zz'"),
        ({"columns": {"description": "Summary"}}, "map a title column"),
        ({"value_maps": {"delivery": {"x": "online"}}}, "value_maps: unknown field 'delivery'"),
        ({"workload_unit": None}, "workload_unit"),
        ({"level_framework": ""}, "level_framework"),
        (
            {"level_framework": "NZQA"},
            r"level_framework: unknown framework 'NZQA'; use EQF \(a stated level\) or one "
            r"with a level table: NFQ, NZQCF",
        ),
        ({"credential_type": "DIPLOMA"}, "credential_type: 'DIPLOMA'"),
        ({"country": "Atlantis"}, "country: 'Atlantis'"),
        ({"records_path": "data"}, "records_path: only JSON"),
        ({"delimiter": ";;"}, "delimiter"),
        ({"encoding": "klingon-8"}, "unknown encoding"),
    ],
)
def test_bad_mapping_is_refused_with_the_key_named(
    overrides: dict[str, object], message: str
) -> None:
    table = tomllib.loads((FIXTURES / "nz_microcredentials.toml").read_text(encoding="utf-8"))
    table.update(overrides)
    table = {k: v for k, v in table.items() if v is not None}
    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.convert(table, TabularOptions)


@pytest.mark.parametrize("framework", ["EQF", "eqf", "NZQCF", "NZQF", "Irish NFQ"])
def test_a_framework_is_known_by_its_name_or_an_alias_in_any_case(framework: str) -> None:
    assert options("nz_microcredentials.toml", level_framework=framework).level_framework


def test_unknown_option_key_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown"):
        options("catalogue.toml", record_path="data.items")
