"""The CSV export: spreadsheet damage undone, served by a real register on loopback."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    FatalFetchError,
    FieldOfStudy,
    InvalidRecordError,
    RawRecord,
    RecordDraft,
    Unchanged,
)
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from microcred_hub_connectors.nzqa.csvexport import parse_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CSV = NzqaConnector(NzqaOptions(format="csv"))
ROWS = {
    row["reference"]: row
    for row in parse_export("fixture", (FIXTURES / "export.csv").read_text("utf-8-sig"))
}


def csv_record(reference: str) -> RecordDraft:
    return CSV.normalise(RawRecord(data=ROWS[reference], local_id=reference))


def test_bom_crlf_export_reads_every_row_with_json_keys() -> None:
    rows = parse_export("fixture", (FIXTURES / "export.csv").read_bytes().decode("utf-8"))
    assert len(rows) == 14
    assert rows[0]["reference"] == "MC5203"  # the BOM is not part of the first header
    assert rows[0]["_format"] == "csv"
    assert set(rows[0]) >= {"title", "credits", "level", "nzsced", "approvalDate", "providers"}


def test_nzsced_that_lost_its_leading_zero_is_padded_to_six_digits() -> None:
    assert ROWS["MC5203"]["nzsced"] == "50301"
    draft = csv_record("MC5203")
    assert draft.fields_of_study == (FieldOfStudy(scheme="NZSCED", code="050301"),)
    assert not any("NZSCED" in w for w in draft.warnings)


def test_six_digit_nzsced_is_unchanged() -> None:
    assert csv_record("MC5259").fields_of_study[0].code == "110105"


def test_day_first_approval_date_is_read_the_new_zealand_way() -> None:
    assert ROWS["MC5203"]["approvalDate"] == "11/08/2022"
    assert csv_record("MC5203").valid_from == date(2022, 8, 11)


def test_providers_cell_is_split_on_semicolons() -> None:
    names = [b.name for b in csv_record("MC5217").awarding_bodies]
    assert names[1:] == ["Te Pūkenga – MITO", "NZMA", "Skills Update Training Institute"]
    # The developer cell holds commas, so the export quotes it; it stays one name.
    assert names[0].startswith("Hanga-Aro-Rau, Manufacturing, Engineering")


def test_empty_providers_cell_gives_no_providers() -> None:
    assert ROWS["MC5245"]["providers"] == []
    assert len(csv_record("MC5245").awarding_bodies) == 1


def test_quoted_cell_with_commas_and_double_quotes_survives() -> None:
    draft = csv_record("MC5273")
    assert 'the "Whānau Ora" approach, in which whānau' in draft.description[0].value


def test_combined_statement_is_description_and_outcomes_with_a_warning() -> None:
    draft = csv_record("MC5224")
    text = draft.description[0].value
    assert text.startswith("This micro-credential is for office workers")
    assert text.endswith("apply to personal data.")
    assert draft.learning_outcomes == draft.description
    assert any("purpose and outcome" in w for w in draft.warnings)


def test_raw_numeric_strings_are_kept_and_read() -> None:
    assert ROWS["MC5245"]["level"] == " 7 "
    level = csv_record("MC5245").level
    assert level is not None
    assert level.framework_level == "7"
    workload = csv_record("MC5217").workload
    assert workload is not None
    assert workload.hours == 200


def test_empty_title_and_bad_credits_row_is_quarantined() -> None:
    with pytest.raises(InvalidRecordError, match=r"no title; credits is not a number: 'abc'"):
        csv_record("MC5266")


def test_csv_and_json_agree_on_the_mapped_values() -> None:
    items = json.loads((FIXTURES / "feed-page-2.json").read_text("utf-8"))["items"]
    from_json = CSV.normalise(RawRecord(data=next(i for i in items if i["reference"] == "MC5252")))
    from_csv = csv_record("MC5252")
    for field in ("title", "level", "workload", "fields_of_study", "status", "valid_from"):
        assert getattr(from_csv, field) == getattr(from_json, field), field
    assert from_csv.awarding_bodies[0].name == from_json.awarding_bodies[0].name


async def test_csv_harvest_dedupes_versions_and_answers_304_next_time(
    register, harvest, validators
) -> None:
    url = register.base + "export.csv"
    connector = NzqaConnector(NzqaOptions(format="csv"))
    items, pages = await harvest(connector, url, validators=validators)
    assert pages == [url]
    records = [i for i in items if isinstance(i, RawRecord)]
    assert len(records) == 13  # 14 rows, MC5231 twice
    mc5231 = [r for r in records if r.local_id == "MC5231"]
    assert [r.data["version"] for r in mc5231] == ["2"]
    assert {r.source_url for r in records} == {url}

    again, _ = await harvest(connector, url, validators=validators)
    assert again == [Unchanged(source_url=url)]


async def test_json_answer_on_a_csv_source_is_fatal(register, harvest) -> None:
    register.bodies["export.csv"] = b'{"items": []}'
    with pytest.raises(FatalFetchError, match="no Reference column"):
        await harvest(NzqaConnector(NzqaOptions(format="csv")), register.base + "export.csv")
