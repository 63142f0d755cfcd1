"""Fixture in, expected record out: normalise is pure, so these need no server."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import msgspec
import pytest

import microcred_hub_connectors._template as package
from microcred_hub.sdk import JSON, InvalidRecordError, RawRecord, wire_json
from microcred_hub_connectors._template import TemplateConnector, TemplateOptions
from microcred_hub_connectors._template.connector import raw_record

FIXTURES = Path(package.__file__).parent / "fixtures"
EXPECTED = FIXTURES / "conformance" / "expected"


def entries() -> list[JSON]:
    items: list[JSON] = []
    for page in ("page-1.json", "page-2.json"):
        body = json.loads((FIXTURES / page).read_text(encoding="utf-8"))
        items.extend(body["items"])
    return items


def entry(local_id: str) -> RawRecord:
    for item in entries():
        if isinstance(item, dict) and str(item.get("id")) == local_id:
            return raw_record(item, "https://register.example.org/credentials")
    raise LookupError(local_id)


def as_json(raw: RawRecord) -> dict[str, object]:
    draft = TemplateConnector(TemplateOptions()).normalise(raw)
    return wire_json(draft)


@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.toml")), ids=lambda p: p.stem)
def test_fixture_entry_gives_the_expected_record(path: Path) -> None:
    want = tomllib.loads(path.read_text(encoding="utf-8"))
    got = as_json(entry(want["localId"]))
    assert {key: got.get(key) for key in want} == want


def test_ects_without_a_number_keep_the_original_and_warn() -> None:
    got = as_json(entry("TPL-004"))
    assert got["workload"] == {"originalValue": "about five", "originalUnit": "ECTS"}
    assert got["warnings"] == ["workload left empty: expected a number, got 'about five'"]


def test_eqf_3_5_gives_no_eqf_level_and_a_warning() -> None:
    got = as_json(entry("2002"))
    assert "eqf" not in got["level"]  # type: ignore[operator]
    assert any("3.5" in w for w in got["warnings"])  # type: ignore[attr-defined]


def test_country_in_words_becomes_iso_code() -> None:
    assert as_json(entry("TPL-001"))["issuerCountry"] == ["NL"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"title": "No id"}, "entry has no id (string or number)"),
        ({"id": True, "title": "A boolean is not an id"}, "entry has no id (string or number)"),
        ({"id": "TPL-003", "title": "   "}, "entry has no title"),
        ({"id": "X", "title": "<b></b>"}, "entry has no title"),
    ],
)
def test_entry_without_id_or_title_is_quarantined_with_a_reason(
    data: dict[str, JSON], reason: str
) -> None:
    with pytest.raises(InvalidRecordError) as err:
        TemplateConnector().normalise(raw_record(data, "https://register.example.org/"))
    assert err.value.reason == reason


def test_entry_that_is_not_an_object_is_quarantined_not_dropped() -> None:
    raw = raw_record("not a record", "https://register.example.org/credentials")
    assert raw.rejected == "entry is a JSON string, not an object"


def test_normalise_leaves_its_input_untouched() -> None:
    raw = entry("TPL-001")
    before = json.dumps(raw.data, sort_keys=True)
    TemplateConnector().normalise(raw)
    assert json.dumps(raw.data, sort_keys=True) == before


def test_max_pages_below_one_is_refused_by_the_config() -> None:
    with pytest.raises(msgspec.ValidationError, match="max_pages must be at least 1"):
        msgspec.convert({"max_pages": 0}, TemplateOptions)
