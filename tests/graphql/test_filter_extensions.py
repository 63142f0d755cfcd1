"""The hub's filter extensions: records without an issuer country, without an EQF level or
without a start date, and start-date years and ranges. Each "none" group and year key of
``statistics`` can be listed with them, so their counts must agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from microcred_hub.generate import generate_list
from microcred_hub.index import Index
from microcred_hub.record import Level, Microcredential
from tests.factories import make_record
from tests.graphql.helpers import make_context, run_query


def edges() -> list[Microcredential]:
    """Start dates on the edges of a year, and a level without an EQF level."""
    return [
        make_record("jan1", valid_from=date(2022, 1, 1)),
        make_record("dec31", valid_from=date(2022, 12, 31)),
        make_record("mar15", valid_from=date(2023, 3, 15)),
        make_record("mar16", valid_from=date(2023, 3, 16)),
        make_record("nzqf", level=Level(eqf=None, framework="NZQF", framework_level="8")),
        make_record("stateless", issuer_country=()),
    ]


RECORDS = [*generate_list(1500, seed=7), *edges()]

QUERY = """query($filter: MicrocredentialFilter, $groupBy: [Dimension!]) {
  microcredentials(filter: $filter, first: 500) { totalCount edges { node { id } } }
  statistics(filter: $filter, groupBy: $groupBy) { count groups { keys count } }
  facets(filter: $filter) { eqfLevel { value count } }
  histogram(field: COMPLETENESS, bounds: [0.5], filter: $filter) { count }
}"""


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(RECORDS)


async def ask(index: Index, filter: dict[str, Any], group_by: list[str] | None = None) -> Any:
    result = await run_query(
        QUERY, {"filter": filter, "groupBy": group_by or []}, context=make_context(index)
    )
    assert result.errors is None, result.errors
    return result.data


async def total(index: Index, filter: dict[str, Any]) -> int:
    found: int = (await ask(index, filter))["microcredentials"]["totalCount"]
    return found


def count(keep: Callable[[Microcredential], bool]) -> int:
    return sum(1 for record in RECORDS if keep(record))


def no_level(record: Microcredential) -> bool:
    return record.level is None or record.level.eqf is None


@pytest.mark.parametrize(
    ("field", "dimension", "lacks"),
    [
        ("issuerCountryMissing", "ISSUER_COUNTRY", lambda r: not r.issuer_country),
        ("eqfLevelMissing", "EQF_LEVEL", no_level),
        ("validFromMissing", "VALID_FROM_YEAR", lambda r: r.valid_from is None),
    ],
)
async def test_a_missing_filter_lists_the_statistics_null_group(
    index: Index, field: str, dimension: str, lacks: Callable[[Microcredential], bool]
) -> None:
    everything = await ask(index, {}, [dimension])
    null_group = next(g for g in everything["statistics"]["groups"] if g["keys"] == [None])
    assert null_group["count"] == count(lacks) > 0

    without = await ask(index, {field: True}, [dimension])
    assert without["microcredentials"]["totalCount"] == null_group["count"]
    assert without["statistics"]["count"] == null_group["count"]
    assert [g["keys"] for g in without["statistics"]["groups"]] == [[None]]
    listed = {edge["node"]["id"] for edge in without["microcredentials"]["edges"]}
    assert listed <= {r.id for r in RECORDS if lacks(r)}

    having = await total(index, {field: False})
    assert having == len(RECORDS) - null_group["count"]


async def test_missing_filters_combine_with_the_others_as_the_null_cell_of_a_cross_tab(
    index: Index,
) -> None:
    cross = await ask(index, {}, ["ISSUER_COUNTRY", "EQF_LEVEL"])
    for group in cross["statistics"]["groups"]:
        country, level = group["keys"]
        if country is not None and level is not None:
            continue
        filter: dict[str, Any] = {}
        if country is None:
            filter["issuerCountryMissing"] = True
        else:
            filter["issuerCountry"] = [country]
        if level is None:
            filter["eqfLevelMissing"] = True
        else:
            filter["eqfLevel"] = [int(level)]
        assert await total(index, filter) == group["count"], group["keys"]


async def test_facets_and_histogram_take_the_same_filter(index: Index) -> None:
    answer = await ask(index, {"eqfLevelMissing": True})
    assert answer["facets"]["eqfLevel"] == []  # nothing left to count per level
    assert sum(b["count"] for b in answer["histogram"]) == count(no_level)
    assert (await ask(index, {"eqfLevelMissing": False}))["facets"]["eqfLevel"]


async def test_every_valid_from_year_lists_its_statistics_group(index: Index) -> None:
    years = (await ask(index, {}, ["VALID_FROM_YEAR"]))["statistics"]["groups"]
    dated = [g for g in years if g["keys"] != [None]]
    assert len(dated) > 3
    for group in dated:
        year = int(group["keys"][0])
        assert await total(index, {"validFromYear": [year]}) == group["count"]
    two = [int(g["keys"][0]) for g in dated[:2]]
    assert await total(index, {"validFromYear": two}) == dated[0]["count"] + dated[1]["count"]


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("2022-01-01", "2022-12-31"),  # whole years: no record read
        ("2022-01-02", None),
        (None, "2022-12-30"),
        ("2023-03-16", "2023-03-16"),
        ("2023-03-15", "2023-03-15"),
        ("2020-06-30", "2023-03-15"),
        ("1900-01-01", "1900-12-31"),
    ],
)
async def test_a_valid_from_range_is_inclusive_to_the_day(
    index: Index, low: str | None, high: str | None
) -> None:
    start = date.fromisoformat(low) if low else date.min
    end = date.fromisoformat(high) if high else date.max
    filter = {
        name: value for name, value in (("validFromMin", low), ("validFromMax", high)) if value
    }
    wanted = {r.id for r in RECORDS if r.valid_from is not None and start <= r.valid_from <= end}
    answer = await ask(index, filter)
    assert answer["microcredentials"]["totalCount"] == answer["statistics"]["count"] == len(wanted)
    if len(wanted) <= 500:
        assert {e["node"]["id"] for e in answer["microcredentials"]["edges"]} == wanted


async def test_a_valid_from_range_that_ends_before_it_starts_is_an_error(index: Index) -> None:
    result = await run_query(
        QUERY,
        {"filter": {"validFromMin": "2024-02-01", "validFromMax": "2024-01-31"}},
        context=make_context(index),
    )
    assert result.errors is not None
    assert "validFromMin 2024-02-01 is after validFromMax 2024-01-31" in result.errors[0].message
