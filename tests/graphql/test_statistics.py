"""statistics and histogram against figures computed here, record by record, in plain Python."""

from __future__ import annotations

import itertools
import json
import statistics as pystats
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest

from microcred_hub.config import QueryLimits
from microcred_hub.generate import generate_list
from microcred_hub.graphql import build_schema
from microcred_hub.index import Index
from microcred_hub.record import (
    AssessmentType,
    Level,
    Microcredential,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Workload,
)
from tests.factories import make_record
from tests.graphql.helpers import make_context, run_query, serve

Keys = tuple[str | None, ...]


def extras() -> list[Microcredential]:
    """Records the generator does not make: several countries, none, mixed case, odd time zones."""
    return [
        make_record("multi", issuer_country=("NZ", "AU"), languages=("en", "mi")),
        make_record("case", issuer_country=("nl", "NL"), languages=("NL",), source="eu"),
        make_record(
            "bare",
            issuer_country=(),
            languages=(),
            workload=None,
            level=None,
            stackability=None,
            framework_listed=None,
        ),
        make_record(
            "forms",
            participation_forms=(ParticipationForm.ONLINE, ParticipationForm.WORK_BASED),
            assessment_types=(AssessmentType.TESTING, AssessmentType.PORTFOLIO),
            workload=Workload(hours=12.5),
            level=Level(eqf=5),
            stackability=Stackability.STACKABLE,
            quality_assurance=QualityAssurance(name="Panel"),
            framework_listed=False,
            valid_from=date(1999, 12, 31),
        ),
        # 05:00 on 1 March in Auckland is still February in UTC
        make_record(
            "tz",
            updated_at=datetime(2025, 3, 1, 5, 0, tzinfo=timezone(timedelta(hours=13))),
            workload=Workload(ects=3.0),
        ),
    ]


RECORDS = [*generate_list(1500, seed=11), *extras()]


def keys_of(record: Microcredential, dimension: str) -> set[str | None]:
    """The record's keys for one dimension, worked out from the record as API.md words them."""
    level, workload = record.level, record.workload
    one: str | None
    match dimension:
        case "SOURCE":
            return {record.source}
        case "ISSUER_COUNTRY":
            return {c.upper() for c in record.issuer_country} or {None}
        case "EQF_LEVEL":
            one = str(level.eqf) if level is not None and level.eqf is not None else None
        case "CREDENTIAL_TYPE":
            one = record.credential_type.name
        case "PARTICIPATION_FORM":
            return {f.name for f in record.participation_forms} or {None}
        case "ASSESSMENT_TYPE":
            return {a.name for a in record.assessment_types} or {None}
        case "LANGUAGE":
            return {lang.lower() for lang in record.languages} or {None}
        case "STATUS":
            one = record.status.name
        case "STACKABILITY":
            one = record.stackability.name if record.stackability else None
        case "QUALITY_ASSURED":
            one = "false" if record.quality_assurance is None else "true"
        case "FRAMEWORK_LISTED":
            listed = record.framework_listed
            one = None if listed is None else ("true" if listed else "false")
        case "VALID_FROM_YEAR":
            one = f"{record.valid_from.year}" if record.valid_from else None
        case "UPDATED_MONTH":
            at = record.updated_at
            one = at.astimezone(UTC).strftime("%Y-%m") if at else None
        case _:
            raise AssertionError(dimension)
    _ = workload
    return {one}


def number(record: Microcredential, field: str) -> float | None:
    if field == "completeness":
        return record.completeness.score
    workload = record.workload
    return None if workload is None else getattr(workload, field)


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return dict.fromkeys(("min", "max", "mean", "p25", "median", "p75"), None) | {"count": 0}
    # "inclusive" is linear interpolation between the closest ranks: percentile_cont's rule
    p25, median, p75 = pystats.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3  # fmt: skip
    return {
        "count": len(values),
        "min": min(values),
        "max": max(values),
        "mean": pystats.fmean(values),
        "p25": p25,
        "median": median,
        "p75": p75,
    }


def expected(
    records: Iterable[Microcredential], group_by: list[str], keep: Callable[[Any], bool]
) -> dict[str, Any]:
    chosen = [r for r in records if keep(r)]
    groups: dict[Keys, list[Microcredential]] = {}
    for record in chosen:
        for keys in itertools.product(*(sorted(keys_of(record, d), key=str) for d in group_by)):
            groups.setdefault(keys, []).append(record)
    ordered = sorted(
        groups.items(), key=lambda kv: (-len(kv[1]), [(k is None, k or "") for k in kv[0]])
    )
    if not group_by:
        ordered = [((), chosen)]
    return {
        "count": len(chosen),
        "groups": [
            {
                "keys": list(keys),
                "count": len(members),
                **{
                    field: summary([v for r in members if (v := number(r, field)) is not None])
                    for field in ("hours", "ects", "completeness")
                },
                "qualityAssured": sum(r.quality_assurance is not None for r in members),
                "stackable": sum(r.stackability is Stackability.STACKABLE for r in members),
            }
            for keys, members in ordered
        ],
    }


SUMMARY = "{ count min max mean p25 median p75 }"
STATISTICS = f"""query($groupBy: [Dimension!], $filter: MicrocredentialFilter, $search: String,
                      $distinct: Boolean) {{
  statistics(groupBy: $groupBy, filter: $filter, search: $search, distinct: $distinct) {{
    count
    groups {{ keys count hours {SUMMARY} ects {SUMMARY} completeness {SUMMARY}
             qualityAssured stackable }}
  }}
}}"""
DIMENSIONS = [
    "SOURCE", "ISSUER_COUNTRY", "EQF_LEVEL", "CREDENTIAL_TYPE", "PARTICIPATION_FORM",
    "ASSESSMENT_TYPE", "LANGUAGE", "STATUS", "STACKABILITY", "QUALITY_ASSURED",
    "FRAMEWORK_LISTED", "VALID_FROM_YEAR", "UPDATED_MONTH",
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(RECORDS)


async def statistics_of(index: Index, limits: QueryLimits | None = None, **variables: Any) -> Any:
    limits = limits or QueryLimits()
    result = await run_query(
        STATISTICS, variables, context=make_context(index, limits=limits), limits=limits
    )
    assert result.errors is None, result.errors
    return result.data["statistics"]


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["count"] == want["count"]
    assert [g["keys"] for g in got["groups"]] == [g["keys"] for g in want["groups"]]
    for mine, theirs in zip(got["groups"], want["groups"], strict=True):
        for name in ("hours", "ects", "completeness"):
            assert mine[name].keys() == theirs[name].keys()
            for figure, want in theirs[name].items():
                # computed in another order (sums) or another formula (quantiles): equal to
                # the last few bits only
                value = mine[name][figure]
                assert value == (want if want is None else pytest.approx(want, rel=1e-12)), (
                    mine["keys"],
                    name,
                    figure,
                )
        plain = ("keys", "count", "qualityAssured", "stackable")
        assert {k: mine[k] for k in plain} == {k: theirs[k] for k in plain}


def test_the_schema_lists_every_dimension_of_the_contract() -> None:
    from microcred_hub.graphql.statistics import Dimension

    assert [d.name for d in Dimension] == DIMENSIONS


@pytest.mark.parametrize("dimension", DIMENSIONS)
async def test_every_dimension_alone(index: Index, dimension: str) -> None:
    got = await statistics_of(index, groupBy=[dimension])
    assert_same(got, expected(RECORDS, [dimension], lambda r: True))


@pytest.mark.parametrize(
    "group_by",
    [
        ["ISSUER_COUNTRY", "EQF_LEVEL"],
        ["LANGUAGE", "PARTICIPATION_FORM"],
        ["ASSESSMENT_TYPE", "SOURCE", "QUALITY_ASSURED"],
        ["UPDATED_MONTH", "STACKABILITY"],
    ],
)
async def test_cross_tabs(index: Index, group_by: list[str]) -> None:
    got = await statistics_of(index, groupBy=group_by)
    assert_same(got, expected(RECORDS, group_by, lambda r: True))


async def test_no_group_by_is_one_group_of_every_match(index: Index) -> None:
    got = await statistics_of(index)
    assert_same(got, expected(RECORDS, [], lambda r: True))
    assert got["groups"][0]["keys"] == []


async def test_filter_and_search_narrow_the_records(index: Index) -> None:
    got = await statistics_of(
        index, groupBy=["EQF_LEVEL"], filter={"issuerCountry": ["NZ"], "hoursMin": 20}
    )
    want = expected(
        RECORDS,
        ["EQF_LEVEL"],
        lambda r: (
            "NZ" in {c.upper() for c in r.issuer_country}
            and r.workload is not None
            and r.workload.hours is not None
            and r.workload.hours >= 20
        ),
    )
    assert_same(got, want)
    searched = await statistics_of(index, search="zzzznotaword", groupBy=["SOURCE"])
    assert searched == {"count": 0, "groups": []}


async def test_nothing_matches_one_empty_group_with_null_summaries(index: Index) -> None:
    got = await statistics_of(index, search="zzzznotaword")
    assert got["count"] == 0
    (group,) = got["groups"]
    assert group["keys"] == [] and group["count"] == 0
    assert group["hours"] == {"count": 0} | dict.fromkeys(
        ("min", "max", "mean", "p25", "median", "p75")
    )


async def test_multi_valued_and_null_keys_by_hand() -> None:
    index = Index(extras())
    got = await statistics_of(index, groupBy=["ISSUER_COUNTRY"])
    counts = {tuple(g["keys"]): g["count"] for g in got["groups"]}
    # "multi" counts in NZ and AU; "case" once in NL; "bare" under null
    assert counts == {("NZ",): 3, ("AU",): 1, ("NL",): 1, (None,): 1}
    assert got["count"] == 5
    months = await statistics_of(index, groupBy=["UPDATED_MONTH"])
    assert ["2025-02"] in [g["keys"] for g in months["groups"]]


async def test_quartiles_are_percentile_cont() -> None:
    hours = [10.0, 20.0, 40.0, 80.0, 1000.0]
    index = Index(make_record(f"r{i}", workload=Workload(hours=h)) for i, h in enumerate(hours))
    (group,) = (await statistics_of(index))["groups"]
    # percentile_cont(0.25): rank 0.25 * 4 = 1 -> 20; 0.75 * 4 = 3 -> 80; interpolation below
    assert group["hours"] == {
        "count": 5, "min": 10.0, "max": 1000.0, "mean": 230.0,
        "p25": 20.0, "median": 40.0, "p75": 80.0,
    }  # fmt: skip
    index.update([make_record("r5", workload=Workload(hours=2000.0))], ())
    (group,) = (await statistics_of(index))["groups"]
    # six values: ranks 1.25, 2.5, 3.75
    assert (group["hours"]["p25"], group["hours"]["median"], group["hours"]["p75"]) == (
        20.0 + 0.25 * 20.0,
        40.0 + 0.5 * 40.0,
        80.0 + 0.75 * 920.0,
    )


async def test_the_fast_path_answers_as_plain_execution(index: Index) -> None:
    query = STATISTICS.replace(
        "statistics(",
        "h: histogram(field: ECTS, bounds: [1, 5]) { from to count }\n  statistics(",
        1,
    )
    variables = {"groupBy": ["ISSUER_COUNTRY", "EQF_LEVEL"]}
    context = make_context(index)
    fast = await build_schema().execute(query, variables, context_value=context)
    plain = await build_schema(fast_path=False).execute(query, variables, context_value=context)
    assert fast.errors is None and plain.errors is None
    assert json.dumps(fast.data) == json.dumps(plain.data)


async def test_distinct_is_accepted(index: Index) -> None:
    plain = await statistics_of(index, groupBy=["SOURCE"])
    assert await statistics_of(index, groupBy=["SOURCE"], distinct=True) == plain


async def test_more_groups_than_max_groups_is_an_error_naming_the_limit(index: Index) -> None:
    groups = len(expected(RECORDS, ["ISSUER_COUNTRY", "EQF_LEVEL"], lambda r: True)["groups"])
    exact = QueryLimits(max_groups=groups)
    got = await statistics_of(index, exact, groupBy=["ISSUER_COUNTRY", "EQF_LEVEL"])
    assert len(got["groups"]) == groups
    fewer = QueryLimits(max_groups=groups - 1)
    result = await run_query(
        STATISTICS,
        {"groupBy": ["ISSUER_COUNTRY", "EQF_LEVEL"]},
        context=make_context(index, limits=fewer),
        limits=fewer,
    )
    (error,) = result.errors
    assert "max_groups" in error.message
    assert error.extensions == {
        "code": "LIMIT_EXCEEDED",
        "limit": "max_groups",
        "value": groups - 1,
    }


HISTOGRAM = """query($field: NumericField!, $bounds: [Float!]!, $filter: MicrocredentialFilter) {
  histogram(field: $field, bounds: $bounds, filter: $filter) { from to count }
}"""


@pytest.mark.parametrize(
    ("field", "bounds"),
    [
        ("HOURS", [10.0, 25.0, 50.0, 100.0, 400.0]),
        ("ECTS", [3.0]),
        ("COMPLETENESS", [0.5, 0.7778, 1.0]),
    ],
)
async def test_histogram_buckets_with_open_ends(
    index: Index, field: str, bounds: list[float]
) -> None:
    result = await run_query(
        HISTOGRAM, {"field": field, "bounds": bounds}, context=make_context(index)
    )
    assert result.errors is None, result.errors
    values = [v for r in RECORDS if (v := number(r, field.lower())) is not None]
    edges: list[float | None] = [None, *bounds, None]
    want = []
    for low, high in itertools.pairwise(edges):
        count = sum(
            (low is None or v >= low) and (high is None or v < high) for v in values
        )  # a value on a bound belongs to the bucket it starts
        want.append({"from": low, "to": high, "count": count})
    assert result.data["histogram"] == want
    assert sum(b["count"] for b in want) == len(values)


async def test_histogram_lists_empty_buckets_and_follows_the_filter(index: Index) -> None:
    result = await run_query(
        HISTOGRAM,
        {"field": "HOURS", "bounds": [1e6, 2e6], "filter": {"source": ["nzqa"]}},
        context=make_context(index),
    )
    nzqa = [r for r in RECORDS if r.source == "nzqa" and number(r, "hours") is not None]
    assert result.data["histogram"] == [
        {"from": None, "to": 1e6, "count": len(nzqa)},
        {"from": 1e6, "to": 2e6, "count": 0},
        {"from": 2e6, "to": None, "count": 0},
    ]


@pytest.mark.parametrize(
    ("bounds", "words"),
    [([], "bounds is empty"), ([10, 10], "must increase"), ([50, 10, 100], "must increase")],
)
async def test_bad_bounds_are_a_graphql_error_over_http(bounds: list[float], words: str) -> None:
    async with serve() as server, aiohttp.ClientSession() as http:
        for accept in ("application/json", "application/graphql-response+json"):
            async with http.post(
                server.url,
                json={"query": HISTOGRAM, "variables": {"field": "HOURS", "bounds": bounds}},
                headers={"Accept": accept},
            ) as response:
                assert response.status == 200  # a field error: the operation ran
                body = await response.json(content_type=None)
            (error,) = body["errors"]
            assert words in error["message"]
            assert error["path"] == ["histogram"]
            assert body["data"] is None


async def test_too_many_groups_over_http_is_no_5xx() -> None:
    limits = QueryLimits(max_groups=2)
    async with (
        serve(limits=limits) as server,
        aiohttp.ClientSession() as http,
        http.post(
            server.url, json={"query": "{ statistics(groupBy: [SOURCE, EQF_LEVEL]) { count } }"}
        ) as response,
    ):
        assert response.status == 200
        body = await response.json()
    assert body["errors"][0]["extensions"]["limit"] == "max_groups"


async def test_statistics_and_histograms_count_in_the_query_cost(index: Index) -> None:
    limits = QueryLimits(max_cost=500)
    bounds = ", ".join(str(b) for b in range(200))
    many = "{ histogram(field: HOURS, bounds: [" + bounds + "]) { from to count } }"
    result = await run_query(many, context=make_context(index, limits=limits), limits=limits)
    assert result.errors is not None
    assert "max_cost" in result.errors[0].message
    few = "{ histogram(field: HOURS, bounds: [1, 2, 3]) { from to count } }"
    assert (
        await run_query(few, context=make_context(index, limits=limits), limits=limits)
    ).errors is None


async def test_groups_are_priced_as_many_as_max_groups_allows(index: Index) -> None:
    query = "{ statistics(groupBy: [SOURCE]) { groups { keys count hours " + SUMMARY + " } } }"
    tight = QueryLimits(max_cost=1000)
    refused = await run_query(query, context=make_context(index, limits=tight), limits=tight)
    assert refused.errors is not None and "max_cost" in refused.errors[0].message
    few = QueryLimits(max_cost=1000, max_groups=10)
    result = await run_query(query, context=make_context(index, limits=few), limits=few)
    assert result.errors is None
