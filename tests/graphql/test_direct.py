"""Planned pages (graphql/direct.py) answer exactly what plain execution answers, and any
document or request they cannot answer goes back to graphql-core."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from graphql import DocumentNode, get_operation_ast, parse
from strawberry.execution import optimized_is_awaitable

from microcred_hub.generate import generate_list
from microcred_hub.graphql import build_schema, direct
from microcred_hub.index import Index
from tests.graphql.helpers import make_context
from tests.graphql.test_fast_path import PLAIN_RESOLVER_CASES, execute, random_query


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(generate_list(1500, seed=7))


async def planned(
    index: Index,
    query: str,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> str | None:
    """The planned answer as the fast path tests compare them; None when there is no plan."""
    schema = build_schema()._schema
    document = parse(query)
    operation = get_operation_ast(document, operation_name)
    assert operation is not None
    plan = direct.plan(schema, document, operation, operation_name, optimized_is_awaitable)
    if plan is None:
        return None
    data = await direct.run(plan, variables, make_context(index=index))
    return None if data is None else json.dumps({"data": data, "errors": []}, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(40))
async def test_a_planned_page_matches_plain_execution(index: Index, seed: int) -> None:
    rng = random.Random(seed)
    on = "true" if rng.random() < 0.5 else "false"
    # the same random selections, with the directives' variable written in
    query = random_query(rng).replace("query Q($on: Boolean!) ", "").replace("$on", on)
    answer = await planned(index, query)
    assert answer is not None, query
    assert answer == await execute(False, index, query, {}), query


@pytest.mark.parametrize(
    "arguments", [arguments for arguments, variables in PLAIN_RESOLVER_CASES if not variables]
)
async def test_planned_arguments_read_as_strawberry_reads_them(
    index: Index, arguments: str
) -> None:
    query = (
        f"{{ microcredentials({arguments}) {{ totalCount edges {{ cursor node {{ id title }} }} "
        "pageInfo { hasNextPage endCursor } } }"
    )
    answer = await planned(index, query)
    assert answer is not None
    assert answer == await execute(False, index, query, {})


async def test_several_aliased_pages_are_planned_in_order(index: Index) -> None:
    query = (
        "query P { b: microcredentials(first: 2, sort: [HOURS_DESC]) { edges { node { id } } } "
        'a: microcredentials(search: "data") { totalCount pageInfo { endCursor } } } '
        "query O { sources { key } }"
    )
    answer = await planned(index, query, "P")
    assert answer is not None
    assert list(json.loads(answer)["data"]) == ["b", "a"]
    assert answer == await execute(
        False, index, query.replace(" query O { sources { key } }", ""), {}
    )


@pytest.mark.parametrize(
    "query",
    [
        "{ microcredentials { totalCount } sources { key } }",  # another root field
        "{ __typename microcredentials { totalCount } }",
        "{ facets { source { value count } } }",
    ],
)
async def test_documents_the_plan_cannot_answer_have_none(index: Index, query: str) -> None:
    assert await planned(index, query) is None


@pytest.mark.parametrize(
    "arguments", ['after: "not a cursor"', "first: -1", "first: 100000", 'first: 2, after: ""']
)
async def test_a_planned_request_that_fails_is_left_to_graphql_core(
    index: Index, arguments: str
) -> None:
    # planned (the arguments are well-formed) but refused when run: graphql-core reports it
    query = f"{{ microcredentials({arguments}) {{ totalCount }} }}"
    answer = await planned(index, query)
    plain = await execute(False, index, query, {})
    if '"errors": []' in plain:
        assert answer == plain
    else:
        assert answer is None


# -- documents that declare variables --------------------------------------------------------

PAGE = "{ totalCount edges { cursor node { id title issuerCountry } } pageInfo { hasNextPage endCursor } }"
#: the query client libraries send: every argument a variable, each optional
CLIENT = (
    "query Page($first: Int, $after: String, $filter: MicrocredentialFilter, $search: String, "
    "$sort: [SortField!], $distinct: Boolean) { microcredentials(first: $first, after: $after, "
    f"filter: $filter, search: $search, sort: $sort, distinct: $distinct) {PAGE} }}"
)
_documents: dict[str, DocumentNode] = {}


async def same_as_strawberry(
    index: Index, query: str, variables: dict[str, Any], operation_name: str | None = None
) -> str:
    """The planned answer, checked planned and the same bytes as strawberry's plain path.

    One parsed document per text, as the endpoint keeps them: every request after the first
    runs the plan made for the first (a plan that kept any request's values would show)."""
    document = _documents.setdefault(query, parse(query))
    schema = build_schema()._schema
    operation = get_operation_ast(document, operation_name)
    assert operation is not None
    plan = direct.plan(schema, document, operation, operation_name, optimized_is_awaitable)
    assert plan is not None, query
    data = await direct.run(plan, variables, make_context(index=index))
    assert data is not None, (query, variables)
    answer = json.dumps({"data": data, "errors": []}, ensure_ascii=False)
    assert answer == await execute(False, index, query, variables, operation_name), variables
    return answer


@pytest.mark.parametrize(
    "variables",
    [
        {},  # every variable missing: the arguments' own defaults (first: 20)
        {"first": None, "after": None, "filter": None, "search": None, "sort": None},
        {"distinct": None},
        {"first": 3},
        {"first": 0},
        {"filter": {"eqfLevel": [5, 6]}, "sort": ["EQF_DESC", "HOURS"], "distinct": True},
        {"filter": {"issuerCountry": ["nz", "NL"], "participationForm": ["ONLINE", "BLENDED"]}},
        {"filter": {"issuerCountry": "nz", "status": "ACTIVE"}, "sort": "HOURS_DESC"},  # 1 = [1]
        {"filter": {"source": [], "credentialType": None, "eqfLevelMin": 4}},
        {"filter": {"ectsMin": 1, "ectsMax": 10.5, "updatedSince": "2024-01-01T00:00:00Z"}},
        {"filter": {"skill": ["Support Mental Health"], "validFromYear": [2022, 2024]}},
        {"filter": {"duplicatedIn": ["nzqa", "elm"]}},
        {"search": "data management", "sort": ["RELEVANCE", "TITLE_DESC"], "first": 5},
        {"unused": [1, 2], "first": 2},  # undeclared: ignored, as graphql-core ignores it
    ],
)
async def test_a_planned_document_with_variables_answers_as_strawberry(
    index: Index, variables: dict[str, Any]
) -> None:
    await same_as_strawberry(index, CLIENT, variables)


async def test_variables_differ_from_request_to_request_on_one_plan(index: Index) -> None:
    # the same document and plan, other values: each answer is its own variables'
    answers = {
        json.dumps(variables): await same_as_strawberry(index, CLIENT, variables)
        for variables in (
            {"first": 2},
            {"first": 4},
            {"first": 2, "filter": {"eqfLevel": [6]}},
            {"first": 2, "search": "data"},
            {"first": 2, "sort": ["HOURS_DESC"]},
            {"first": 2, "distinct": True, "filter": {"duplicatedIn": ["nzqa", "elm"]}},
            {},
        )
    }
    assert len(set(answers.values())) == len(answers)


async def test_variable_defaults_and_variables_inside_literals(index: Index) -> None:
    query = (
        'query Q($first: Int = 3, $levels: [Int!] = [5, 6], $country: String = "nz", '
        "$sort: [SortField!] = [HOURS_DESC], $min: Float) { microcredentials(first: $first, "
        'filter: {eqfLevel: $levels, issuerCountry: [$country, "NL"], hoursMin: $min}, '
        f"sort: $sort) {PAGE} }}"
    )
    for variables in (
        {},
        {"first": 5, "min": 10},
        {"levels": None, "country": "nl"},
        {"levels": 4, "sort": ["TITLE"], "min": None},
        {"first": None},
    ):
        await same_as_strawberry(index, query, variables)


async def test_pages_follow_each_other_through_after(index: Index) -> None:
    variables: dict[str, Any] = {"first": 7, "filter": {"status": ["ACTIVE"]}, "sort": ["TITLE"]}
    seen: list[str] = []
    for _ in range(4):
        answer = json.loads(await same_as_strawberry(index, CLIENT, variables))
        page = answer["data"]["microcredentials"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        variables = {**variables, "after": page["pageInfo"]["endCursor"]}
    assert len(seen) == len(set(seen)) == 28


async def test_the_named_operation_is_planned_with_its_own_variables(index: Index) -> None:
    query = (
        f"query A($n: Int, $after: String) {{ microcredentials(first: $n, after: $after) {PAGE} }} "
        "query B($f: MicrocredentialFilter!, $n: Int = 2) { x: microcredentials(filter: $f, "
        "first: $n) { totalCount edges { node { ...R } } } y: microcredentials(first: 1) "
        "{ totalCount } } fragment R on Microcredential { id level { eqf } } "
        "query C { sources { key } }"
    )
    a = await same_as_strawberry(index, query, {"n": 3}, "A")
    b = await same_as_strawberry(index, query, {"f": {"eqfLevel": [4]}}, "B")
    assert list(json.loads(b)["data"]) == ["x", "y"]
    cursor = json.loads(a)["data"]["microcredentials"]["pageInfo"]["endCursor"]
    await same_as_strawberry(index, query, {"n": 3, "after": cursor}, "A")
    await same_as_strawberry(index, query, {"f": {"eqfLevel": [6]}, "n": 4}, "B")


@pytest.mark.parametrize("seed", range(30))
async def test_random_selections_with_variable_arguments_match(index: Index, seed: int) -> None:
    rng = random.Random(seed)
    on = "true" if rng.random() < 0.5 else "false"
    selection = random_query(rng).replace("query Q($on: Boolean!) ", "").replace("$on", on)
    # the literal arguments replaced by the declared variables
    selection = selection[selection.index(") {") + 2 :]
    query = CLIENT[: CLIENT.index(PAGE)] + selection
    variables: dict[str, Any] = {}
    for name, values in (
        ("first", [None, 2, 7, 60]),
        ("filter", [None, {"status": ["ACTIVE"]}, {"eqfLevelMin": 5, "language": ["en"]}]),
        ("search", [None, "data"]),
        ("sort", [None, ["HOURS_DESC", "TITLE"], "EQF"]),
        ("distinct", [None, True, False]),
    ):
        if rng.random() < 0.7:
            variables[name] = rng.choice(values)
    await same_as_strawberry(index, query, variables)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"first": "three"},
            "Variable '$first' has invalid value: Int cannot represent non-integer value: 'three'",
        ),
        ({"first": 2**40}, "Int cannot represent non 32-bit signed integer value"),
        ({"filter": {"eqfLevel": ["x"]}}, "Variable '$filter' has invalid value at .eqfLevel[0]"),
        ({"filter": {"nope": 1}}, "not to include unknown field 'nope'"),
        ({"filter": {"participationForm": ["ONLINE", "SOMETIMES"]}}, "'SOMETIMES'"),
        ({"sort": ["NOT_A_SORT"]}, "Value 'NOT_A_SORT' does not exist in 'SortField' enum"),
        ({"filter": [1]}, "to be an object, found: [1]"),
        ({"first": 100000}, "first 100000 exceeds max_first"),
        ({"first": -1}, "first"),
        ({"after": "not a cursor"}, "cursor"),
    ],
)
async def test_requests_the_plan_refuses_get_graphql_cores_errors(
    index: Index, variables: dict[str, Any], message: str
) -> None:
    # planned (the document is fine) but refused when run: graphql-core reports it
    document = _documents.setdefault(CLIENT, parse(CLIENT))
    schema = build_schema()._schema
    operation = get_operation_ast(document)
    assert operation is not None
    plan = direct.plan(schema, document, operation, None, optimized_is_awaitable)
    assert plan is not None
    assert await direct.run(plan, variables, make_context(index=index)) is None
    plain = json.loads(await execute(False, index, CLIENT, variables))
    assert plain["errors"] and message in plain["errors"][0], plain["errors"]


@pytest.mark.parametrize(
    "query",
    [
        # a variable that changes the selection
        f"query Q($on: Boolean!) {{ microcredentials @include(if: $on) {PAGE} }}",
        f"query Q($on: Boolean!) {{ ... @skip(if: $on) {{ microcredentials {PAGE} }} }}",
        "query Q($on: Boolean!) { microcredentials { totalCount @include(if: $on) } }",
        "query Q($on: Boolean!, $n: Int) { microcredentials(first: $n) "
        "{ edges { node { id title @skip(if: $on) } } } }",
        "query Q($on: Boolean = true) { ...F } fragment F on Query "
        f"{{ microcredentials @include(if: $on) {PAGE} }}",
        # or how a field is projected
        'query Q($lang: String = "nl") { microcredentials { edges { node { title(lang: $lang) } } } }',
        # a root field that is not a page, with or without variables
        "query Q($n: Int) { microcredentials(first: $n) { totalCount } sources { key } }",
        "query Q($id: ID!) { microcredential(id: $id) { id } }",
    ],
)
async def test_documents_whose_variables_the_plan_cannot_take_have_none(
    index: Index, query: str
) -> None:
    assert await planned(index, query, variables={"on": True, "n": 2, "id": "x"}) is None


async def test_root_fields_through_fragments_read_their_variables(index: Index) -> None:
    query = (
        "query Q($n: Int, $f: MicrocredentialFilter) { ...Pages ... on Query "
        f"{{ b: microcredentials(filter: $f) {PAGE} }} }} fragment Pages on Query "
        "{ a: microcredentials(first: $n, sort: [HOURS]) { totalCount edges { node { id } } } }"
    )
    await same_as_strawberry(index, query, {"n": 3, "f": {"eqfLevelMax": 4}})
    await same_as_strawberry(index, query, {})
