"""The GraphQL fast path answers exactly what plain execution answers, for any selection."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import random
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    parse,
)
from graphql import execute as graphql_execute

from microcred_hub.generate import generate_list
from microcred_hub.graphql import build_schema
from microcred_hub.graphql.schema import FastExecutionContext
from microcred_hub.index import Index
from tests.graphql.helpers import make_context

#: Microcredential fields: None = a leaf, else the sub-fields of the object type
FIELDS: dict[str, tuple[str, ...] | None] = {
    "id": None, "source": None, "localId": None, "url": None, "credentialType": None,
    "title": None, "titles": ("lang", "value"), "description": ("lang", "value"),
    "issuerCountry": None, "awardingBodies": ("name", "id", "url", "country"),
    "learningOutcomes": ("lang", "value"),
    "workload": ("ects", "hours", "derived", "originalValue", "originalUnit"),
    "level": ("eqf", "framework", "frameworkLevel", "derived"),
    "assessmentTypes": None, "assessmentTypesOriginal": None, "participationForms": None,
    "participationFormsOriginal": None, "qualityAssurance": ("name", "body", "url", "description"),
    "prerequisites": ("lang", "value"), "supervision": None, "stackability": None,
    "languages": None, "fieldsOfStudy": ("scheme", "code", "label"),
    "skills": ("label", "uri", "framework"), "frameworkListed": None, "status": None,
    "validFrom": None, "validUntil": None, "updatedAt": None, "withdrawnAt": None,
    "completeness": ("score", "missing"),
    "provenance": ("source", "connector", "connectorVersion", "fetchedAt", "sourceUrl",
                   "contentHash"),
    "warnings": None,
}  # fmt: skip
ARGUMENTS = ["filter: {status: [ACTIVE]}", 'search: "data"', "sort: [HOURS_DESC, TITLE]", ""]


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(generate_list(1500, seed=7))


def random_selection(rng: random.Random) -> str:
    """Some fields of a record, with aliases, __typename, title(lang:) and directives."""
    parts = []
    for name in rng.sample(sorted(FIELDS), rng.randint(1, len(FIELDS))):
        sub = FIELDS[name]
        alias = f"a{rng.randint(0, 99)}_{name}: " if rng.random() < 0.15 else ""
        if name == "title" and rng.random() < 0.4:
            lang = rng.choice(["nl", "mi", "de", "xx", "EN"])
            alias, name = f"t_{lang}: ", f'title(lang: "{lang}")'
        name += rng.choice(["", "", "", " @include(if: $on)", " @skip(if: $on)"])
        if sub is not None:
            chosen = rng.sample(sub, rng.randint(1, len(sub)))
            if rng.random() < 0.2:
                chosen.append("__typename")
            name = f"{name} {{ {' '.join(chosen)} }}"
        parts.append(f"{alias}{name}")
    if rng.random() < 0.3:
        parts.append("__typename")
    return " ".join(parts)


def random_query(rng: random.Random) -> str:
    node = random_selection(rng) + " localId @include(if: $on)"
    if rng.random() < 0.3:  # part of the selection through a fragment
        node = f"...F {random_selection(rng)}"
        fragment = f"fragment F on Microcredential {{ {random_selection(rng)} }}"
    else:
        fragment = ""
    cursor = "cursor " if rng.random() < 0.7 else ""
    args = rng.choice(ARGUMENTS)
    first = rng.choice([2, 7, 60, 200])
    return (
        f"query Q($on: Boolean!) {{ microcredentials(first: {first}{', ' if args else ''}{args}) "
        f"{{ totalCount edges {{ {cursor}node {{ {node} }} }} pageInfo {{ endCursor }} }} }}"
        f" {fragment}"
    )


async def execute(
    fast: bool,
    index: Index,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None = None,
) -> str:
    result = await build_schema(fast_path=fast).execute(
        query,
        variable_values=variables,
        context_value=make_context(index=index),
        operation_name=operation_name,
    )
    errors = [e.message for e in result.errors or ()]
    # Compared as JSON text: key order and 150 vs 150.0 matter to a client.
    return json.dumps({"data": result.data, "errors": errors}, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(60))
async def test_fast_path_matches_plain_execution(index: Index, seed: int) -> None:
    rng = random.Random(seed)
    query = random_query(rng)
    variables = {"on": rng.random() < 0.5}
    fast = await execute(True, index, query, variables)
    assert '"errors": []' in fast, fast[-500:]
    assert fast == await execute(False, index, query, variables), query


async def test_fast_path_matches_on_the_sample_catalogue() -> None:
    query = (
        "{ microcredentials(first: 50) { edges { node { "
        + " ".join(f"{name} {{ {' '.join(sub)} }}" if sub else name for name, sub in FIELDS.items())
        + " } } } }"
    )
    context = make_context()
    fast = await build_schema().execute(query, context_value=context)
    plain = await build_schema(fast_path=False).execute(query, context_value=context)
    assert fast.errors is None
    assert json.dumps(fast.data) == json.dumps(plain.data)


async def test_selection_the_fast_path_cannot_project_still_answers(index: Index) -> None:
    query = (
        "{ microcredentials(first: 5) { edges { node { id ... on Microcredential { title } } } } }"
    )
    fast = await execute(True, index, query, {})
    assert fast == await execute(False, index, query, {})


#: arguments (with variables) of ``microcredentials``: every filter field, sorts, distinct,
#: paging, literal and through variables; the last ones are refused
PLAIN_RESOLVER_CASES: list[tuple[str, dict[str, Any]]] = [
    ('filter: {issuerCountry: ["nz", "NL"], eqfLevelMin: 4, eqfLevelMax: 6}', {}),
    ("filter: {participationForm: [ONLINE, BLENDED], assessmentType: [TESTING, PORTFOLIO]}", {}),
    ("filter: {credentialType: [MICRO_CREDENTIAL, COURSE], status: [ACTIVE]}", {}),
    ('filter: {source: ["nzqa", "elm"], language: ["EN", "nl"], stackable: true}', {}),
    ("filter: {ectsMin: 1, ectsMax: 10.5, hoursMin: 20, frameworkListed: false}", {}),
    ('filter: {skill: ["Support Mental Health"], eqfLevel: [4, 5, 6]}, first: 2', {}),
    ('filter: {awardingBody: ["universiteit groningen", "x"]}, first: 2', {}),
    ('filter: {updatedSince: "2024-01-01T00:00:00Z", source: []}', {}),
    ("filter: $f, sort: [EQF_DESC, HOURS], distinct: true", {"f": {"eqfLevel": [5, 6]}}),
    ("filter: $f, first: null", {"f": {"participationForm": ["ONLINE"], "hoursMax": 100}}),
    ('search: "data management", sort: [RELEVANCE, TITLE_DESC]', {}),
    ("filter: null, search: null, sort: null, after: null, distinct: null", {}),
    ("first: 3", {}),
    ("filter: {issuerCountryMissing: false, eqfLevelMissing: false}", {}),
    ('filter: {validFromMissing: false, validFromMin: "2020-01-01"}', {}),
    ("filter: {validFromYear: [2022, 2023, 2024, 2025]}", {}),
]
#: answered the same, whatever they answer: refusals, filters matching little
OTHER_CASES = [
    'filter: {duplicatedIn: ["nzqa", "elm"]}',
    'filter: {validFromMissing: true, validFromMax: "2030-12-31", issuerCountryMissing: true}',
    'after: "not a cursor"',
    "first: -1",
    "first: 100000",
    "filter: {eqfLevelMin: 6, eqfLevelMax: 2}",
]


def page_query(arguments: str, variables: dict[str, Any]) -> str:
    declared = {"f": "MicrocredentialFilter", "after": "String"}
    used = ", ".join(f"${name}: {declared[name]}" for name in variables)
    return (
        f"query Q{f'({used})' if used else ''} {{ microcredentials({arguments}) "
        "{ totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }"
    )


@pytest.mark.parametrize(("arguments", "variables"), PLAIN_RESOLVER_CASES)
async def test_microcredentials_arguments_read_as_strawberry_reads_them(
    index: Index, arguments: str, variables: dict[str, Any]
) -> None:
    """The fast schema's graphql-core resolver for ``microcredentials`` against strawberry's,
    on a first page and the page after it."""
    query = page_query(arguments, variables)
    fast = await execute(True, index, query, variables)
    assert '"errors": []' in fast, fast[-300:]
    assert fast == await execute(False, index, query, variables)
    info = json.loads(fast)["data"]["microcredentials"]["pageInfo"]
    assert info["hasNextPage"], "a case should match more than a page"
    variables = {**variables, "after": info["endCursor"]}
    query = page_query(arguments + ", after: $after", variables).replace("after: null, ", "")
    fast = await execute(True, index, query, variables)
    assert '"errors": []' in fast, fast[-300:]
    assert fast == await execute(False, index, query, variables)


@pytest.mark.parametrize("arguments", OTHER_CASES)
async def test_microcredentials_refusals_read_as_strawberry_reads_them(
    index: Index, arguments: str
) -> None:
    query = page_query(arguments, {})
    assert await execute(True, index, query, {}) == await execute(False, index, query, {})


async def test_an_executed_query_leaves_no_garbage_for_the_cyclic_collector(index: Index) -> None:
    """The executor is freed when its answer is: garbage in reference cycles waits for the
    cyclic GC, and a cycle a request makes its collections frequent and long under load."""
    schema = build_schema()
    context = make_context(index=index)
    query = "{ microcredentials(first: 20) { totalCount edges { cursor node { id title } } } }"
    document = parse(query)
    await schema.execute(query, context_value=context)  # compiled selections, caches
    gc.collect()
    gc.disable()  # so nothing is freed but by reference counting
    try:
        through_strawberry = await schema.execute(query, context_value=context)
        plain = graphql_execute(
            schema._schema,
            document,
            context_value=context,
            executor_class=FastExecutionContext,
        )
        result = await plain if inspect.isawaitable(plain) else plain
        alive = [o for o in gc.get_objects() if isinstance(o, FastExecutionContext)]
    finally:
        gc.enable()
    assert through_strawberry.errors is None and result.errors is None
    assert alive == []


async def test_resolvers_still_gather_and_track_async_work() -> None:
    """``info.async_helpers`` of the fast executor: gathered work is awaited, tracked work is
    settled before the answer."""
    settled: list[str] = []

    async def one() -> int:
        return 1

    async def later() -> None:
        await asyncio.sleep(0)
        settled.append("tracked")

    async def resolve(_root: object, info: GraphQLResolveInfo) -> int:
        info.async_helpers.track([later(), 2])
        return sum(await info.async_helpers.gather([one(), one()]))

    query_type = GraphQLObjectType("Query", {"two": GraphQLField(GraphQLInt, resolve=resolve)})
    result = graphql_execute(
        GraphQLSchema(query_type), parse("{ two }"), executor_class=FastExecutionContext
    )
    result = await result if inspect.isawaitable(result) else result
    assert (result.data, result.errors) == ({"two": 2}, None)
    assert settled == ["tracked"]
