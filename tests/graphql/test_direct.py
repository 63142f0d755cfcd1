"""Planned pages (graphql/direct.py) answer exactly what plain execution answers, and any
document or request they cannot answer goes back to graphql-core."""

from __future__ import annotations

import json
import random

import pytest
from graphql import get_operation_ast, parse
from strawberry.execution import optimized_is_awaitable

from microcred_hub.generate import generate_list
from microcred_hub.graphql import build_schema, direct
from microcred_hub.index import Index
from tests.graphql.helpers import make_context
from tests.graphql.test_fast_path import PLAIN_RESOLVER_CASES, execute, random_query


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(generate_list(1500, seed=7))


async def planned(index: Index, query: str, operation_name: str | None = None) -> str | None:
    """The planned answer as the fast path tests compare them; None when there is no plan."""
    schema = build_schema()._schema
    document = parse(query)
    operation = get_operation_ast(document, operation_name)
    assert operation is not None
    steps = direct.plan(schema, document, operation, operation_name, optimized_is_awaitable)
    if steps is None:
        return None
    data = await direct.run(steps, make_context(index=index))
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
        "query Q($n: Int) { microcredentials(first: $n) { totalCount } }",  # variables decide
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
