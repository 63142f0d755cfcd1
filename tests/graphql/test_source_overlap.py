"""sourceOverlap: per pair of sources, the offers both list (duplicate groups with a
matching record in each), as the records' groupId says."""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import combinations
from typing import Any

import pytest

from microcred_hub.config import QueryLimits
from microcred_hub.duplicates import Linker
from microcred_hub.graphql.context import QueryContext
from microcred_hub.index import Index
from microcred_hub.record import Identifier, Microcredential
from tests.factories import make_record
from tests.graphql.helpers import make_context, run_query


def listed(
    source: str, local_id: str, offer: str | None, title: str = "", **fields: Any
) -> Microcredential:
    """A record of ``source``; records naming the same ``offer`` share an identifier."""
    ids = (Identifier(scheme="uri", value=f"https://offers.example/{offer}"),) if offer else ()
    title = title or f"Offer {offer}"
    return make_record(local_id, title, source=source, identifiers=ids, **fields)


RECORDS = [
    listed("anz", "1", "one"),
    listed("bnl", "1", "one"),
    listed("cdk", "1", "one"),
    listed("anz", "2", "two"),
    listed("bnl", "2", "two"),
    listed("bnl", "3", "three"),
    listed("cdk", "3", "three", issuer_country=("DK",)),
    listed("anz", "4", None, title="Welding for beginners"),
    listed("cdk", "4", None, title="Urban beekeeping"),
]

QUERY = """query($filter: MicrocredentialFilter, $search: String) {
  sourceOverlap(filter: $filter, search: $search) { sources offers }
  microcredentials(filter: $filter, search: $search, first: 500) {
    edges { node { source groupId } } }
}"""


@pytest.fixture
def context() -> QueryContext:
    linker = Linker()
    linker.replace_all(RECORDS)
    return dataclasses.replace(make_context(Index(RECORDS)), duplicates=linker)


async def ask(context: QueryContext, **variables: Any) -> Any:
    result = await run_query(QUERY, variables, context=context)
    assert result.errors is None, result.errors
    return result.data


def pairs_from_group_ids(data: Any) -> list[dict[str, Any]]:
    """What a client would count from the matching records' groupId."""
    sources: dict[str, set[str]] = {}
    for edge in data["microcredentials"]["edges"]:
        sources.setdefault(edge["node"]["groupId"], set()).add(edge["node"]["source"])
    counts = Counter(pair for keys in sources.values() for pair in combinations(sorted(keys), 2))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"sources": list(pair), "offers": n} for pair, n in ordered]


async def test_each_pair_of_sources_counts_the_offers_both_list(context: QueryContext) -> None:
    data = await ask(context)
    assert data["sourceOverlap"] == [
        {"sources": ["anz", "bnl"], "offers": 2},
        {"sources": ["bnl", "cdk"], "offers": 2},
        {"sources": ["anz", "cdk"], "offers": 1},
    ]
    assert data["sourceOverlap"] == pairs_from_group_ids(data)


async def test_only_matching_records_make_a_group_span_two_sources(
    context: QueryContext,
) -> None:
    data = await ask(context, filter={"issuerCountry": ["NZ"]})  # the DK listing drops out
    assert data["sourceOverlap"] == [
        {"sources": ["anz", "bnl"], "offers": 2},
        {"sources": ["anz", "cdk"], "offers": 1},
        {"sources": ["bnl", "cdk"], "offers": 1},
    ]
    assert data["sourceOverlap"] == pairs_from_group_ids(data)
    searched = await ask(context, search="two")
    assert searched["sourceOverlap"] == [{"sources": ["anz", "bnl"], "offers": 1}]


LISTINGS = """query($filter: MicrocredentialFilter, $search: String) {
  microcredentials(filter: $filter, search: $search, first: 500) {
    totalCount edges { node { id groupId } } }
  statistics(filter: $filter, search: $search) { count }
}"""


async def listings(context: QueryContext, **variables: Any) -> tuple[set[str], set[str]]:
    """The ids and the group ids the filter lists (statistics counts the same records)."""
    result = await run_query(LISTINGS, variables, context=context)
    assert result.errors is None, result.errors
    edges = result.data["microcredentials"]["edges"]
    assert result.data["statistics"]["count"] == len(edges)
    return {e["node"]["id"] for e in edges}, {e["node"]["groupId"] for e in edges}


@pytest.mark.parametrize("narrowed", [{}, {"issuerCountry": ["NZ"]}])
async def test_duplicated_in_lists_the_records_behind_each_figure(
    context: QueryContext, narrowed: dict[str, Any]
) -> None:
    for pair in (await ask(context, filter=narrowed))["sourceOverlap"]:
        filter = narrowed | {"duplicatedIn": pair["sources"], "source": pair["sources"]}
        ids, groups = await listings(context, filter=filter)
        assert len(groups) == pair["offers"]
        assert {i.split(":")[0] for i in ids} == set(pair["sources"])
    ids, _ = await listings(context, filter=narrowed | {"duplicatedIn": ["bnl", "cdk"]})
    if narrowed:  # the DK listing of offer three does not match: only offer one is left
        assert ids == {"anz:1", "bnl:1", "cdk:1"}
    else:  # the group's record in the third source is listed too
        assert ids == {"anz:1", "bnl:1", "cdk:1", "bnl:3", "cdk:3"}


async def test_without_duplicate_linking_no_sources_overlap() -> None:
    context = make_context(Index(RECORDS))
    data = await ask(context)
    assert data["sourceOverlap"] == []
    assert await listings(context, filter={"duplicatedIn": ["anz", "bnl"]}) == (set(), set())


async def test_source_overlap_is_priced_like_statistics(context: QueryContext) -> None:
    """It passes over every grouped record: twenty of them in one query cost as much."""
    query = "{ " + " ".join(f"o{i}: sourceOverlap {{ offers }}" for i in range(20)) + " }"
    limits = QueryLimits(max_cost=500)
    priced = dataclasses.replace(context, limits=limits)
    refused = await run_query(query, context=priced, limits=limits)
    assert refused.errors is not None and "max_cost" in refused.errors[0].message
    one = await run_query("{ sourceOverlap { offers } }", context=priced, limits=limits)
    assert one.errors is None
