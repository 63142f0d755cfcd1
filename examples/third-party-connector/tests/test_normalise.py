"""Fixture in, expected record out: normalise is pure, so these need no server."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import example_register
import msgspec
import pytest
from example_register import ExampleConnector, ExampleOptions
from example_register.connector import raw_record

from microcred_hub.sdk import JSON, InvalidRecordError, RawRecord, wire_json

FIXTURES = Path(example_register.__file__).parent / "fixtures"
EXPECTED = sorted((FIXTURES / "conformance" / "expected").glob("*.toml"))


def courses() -> list[JSON]:
    found: list[JSON] = []
    for page in ("courses-page-1.json", "courses-page-2.json"):
        found.extend(json.loads((FIXTURES / page).read_text(encoding="utf-8"))["courses"])
    return found


def normalised(raw: RawRecord) -> dict[str, object]:
    draft = ExampleConnector(ExampleOptions()).normalise(raw)
    return wire_json(draft)


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_course_gives_the_expected_record(path: Path) -> None:
    want = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = next(
        raw_record(c, "https://register.example.ie/api/courses")
        for c in courses()
        if isinstance(c, dict) and c.get("courseCode") == want["localId"]
    )
    got = normalised(raw)
    assert {key: got.get(key) for key in want} == want


def test_courses_without_code_or_english_title_or_object_are_quarantined() -> None:
    reasons: list[str] = []
    for course in courses():
        raw = raw_record(course, "https://register.example.ie/api/courses")
        if raw.rejected is not None:  # refused by fetch already: never normalised
            reasons.append(raw.rejected)
            continue
        try:
            normalised(raw)
        except InvalidRecordError as exc:
            reasons.append(exc.reason)
    assert reasons == [
        "course has no courseCode",
        "course has no courseTitle",
        "course entry is not a JSON object",
    ]


def test_page_size_outside_the_registers_range_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="page_size must be from 1 to 100"):
        msgspec.convert({"page_size": 500}, ExampleOptions)
