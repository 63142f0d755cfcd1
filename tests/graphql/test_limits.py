"""Each query limit refuses with a message naming the limit and its value; errors never leak."""

from __future__ import annotations

from microcred_hub.config import QueryLimits
from microcred_hub.state import SourceState
from tests.graphql.helpers import make_context, run_query

NODE = "edges { node { id title workload { ects } } }"


def messages(result: object) -> list[str]:
    return [error.message for error in result.errors or []]  # type: ignore[attr-defined]


async def test_first_above_max_first_is_an_error_not_a_cut() -> None:
    result = await run_query("{ microcredentials(first: 501) { totalCount } }")
    assert messages(result) == ["first 501 exceeds max_first 500; page with after: endCursor"]
    assert result.data is None


async def test_max_first_is_configurable_and_applies_to_providers() -> None:
    limits = QueryLimits(max_first=10)
    result = await run_query("{ providers(first: 11) { totalCount } }", limits=limits)
    assert "max_first 10" in messages(result)[0]


async def test_negative_first_is_an_error() -> None:
    result = await run_query("{ microcredentials(first: -1) { totalCount } }")
    assert messages(result) == ["first must be 0 or more, got -1"]


async def test_depth_over_max_depth_is_refused() -> None:
    query = "{ microcredentials { edges { node { workload { ects } } } } }"  # depth 5
    result = await run_query(query, limits=QueryLimits(max_depth=4))
    assert messages(result) == ["query depth 5 exceeds max_depth 4"]
    assert result.errors[0].extensions == {
        "code": "LIMIT_EXCEEDED",
        "limit": "max_depth",
        "value": 4,
    }
    ok = await run_query(query, limits=QueryLimits(max_depth=5))
    assert ok.errors is None


async def test_depth_counts_through_fragments() -> None:
    query = """{ microcredentials { ...page } }
      fragment page on MicrocredentialConnection { edges { node { ...rec } } }
      fragment rec on Microcredential { workload { ects } }"""
    result = await run_query(query, limits=QueryLimits(max_depth=4))
    assert messages(result) == ["query depth 5 exceeds max_depth 4"]


async def test_aliases_over_max_aliases_are_refused() -> None:
    fields = " ".join(f'a{i}: microcredential(id: "x") {{ id }}' for i in range(31))
    result = await run_query(f"{{ {fields} }}")
    assert messages(result) == ["query uses 31 aliases, exceeding max_aliases 30"]


async def test_tokens_over_max_tokens_are_refused() -> None:
    query = "{ " + " ".join("__typename" for _ in range(60)) + " }"
    result = await run_query(query, limits=QueryLimits(max_tokens=50))
    assert messages(result) == ["query has more than 50 tokens, exceeding max_tokens 50"]


async def test_cost_multiplies_by_first() -> None:
    query = "query($n: Int) { microcredentials(first: $n) { " + NODE + " } }"
    limits = QueryLimits(max_cost=1000)
    # per item: edges + node + id + title + workload + ects = 6 -> 200 items cost 1201
    result = await run_query(query, {"n": 200}, limits=limits)
    assert messages(result) == [
        "query cost 1201 exceeds max_cost 1000 (each field counts once per item of the page "
        "it is in); ask for fewer items or fewer fields"
    ]
    assert (await run_query(query, {"n": 100}, limits=limits)).errors is None


async def test_many_aliased_full_pages_exceed_the_default_cost() -> None:
    node = "edges { node { id title workload { ects } description { value } titles { value } } }"
    fields = " ".join(f"p{i}: microcredentials(first: 500) {{ {node} }}" for i in range(30))
    result = await run_query(f"{{ {fields} }}")
    # 30 x (1 + 500 x 10 fields per item)
    assert messages(result)[0].startswith("query cost 150030 exceeds max_cost 100000")


async def test_introspection_can_be_switched_off() -> None:
    query = "{ __schema { queryType { name } } }"
    assert (await run_query(query)).data == {"__schema": {"queryType": {"name": "Query"}}}
    result = await run_query(query, limits=QueryLimits(introspection=False))
    assert "introspection" in messages(result)[0]


async def test_suggestions_are_stripped_when_switched_off() -> None:
    query = "{ microcredentals { totalCount } }"
    assert "Did you mean" in messages(await run_query(query))[0]
    hidden = messages(await run_query(query, limits=QueryLimits(suggestions=False)))[0]
    assert hidden == "Cannot query field 'microcredentals' on type 'Query'."


async def test_graphiql_introspection_query_fits_the_default_limits() -> None:
    from graphql import get_introspection_query

    result = await run_query(get_introspection_query(descriptions=True))
    assert result.errors is None


async def test_unexpected_errors_are_masked() -> None:
    async def broken() -> list[SourceState]:
        raise RuntimeError("connection to /var/secret/redis.sock refused")

    context = make_context(source_states=broken)
    result = await run_query("{ sources { key } }", context=context)
    assert messages(result) == ["Unexpected error; it has been logged."]
    assert "secret" not in str(result.errors[0].formatted)


async def test_bad_query_gets_errors_with_location() -> None:
    result = await run_query("{ microcredentials( }")
    assert result.data is None
    assert result.errors[0].message.startswith("Syntax Error")
    assert result.errors[0].locations
