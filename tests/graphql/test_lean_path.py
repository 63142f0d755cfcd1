"""The lean path (plain queries straight on graphql-core) answers byte for byte as strawberry's
view does, and leaves everything else to the view."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from starlette.requests import Request

from microcred_hub.config import QueryLimits
from microcred_hub.graphql import make_graphql_app
from microcred_hub.graphql.http import JSON, GraphQLApp
from tests.graphql.helpers import FAILING, HEALTHY, LiveServer, make_context, run_query

NODE = "id title credentialType issuerCountry level { eqf } workload { hours ects } updatedAt"
CLIENT = (
    "query Page($first: Int, $after: String, $filter: MicrocredentialFilter, $search: String, "
    "$sort: [SortField!], $distinct: Boolean) { microcredentials(first: $first, after: $after, "
    "filter: $filter, search: $search, sort: $sort, distinct: $distinct) { totalCount edges "
    f"{{ cursor node {{ {NODE} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
)
#: stands for the end cursor of the first page of one (the test reads it from the hub)
CURSOR = "<end cursor>"
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("POST", {"query": f"{{ microcredentials(first: 3) {{ totalCount edges {{ cursor node {{ {NODE} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"}),
    ("POST", {"query": "query Q($f: MicrocredentialFilter, $n: Int) { microcredentials(filter: $f, first: $n) { edges { node { id } } } }",
              "variables": {"f": {"issuerCountry": ["nz"], "eqfLevelMin": 4}, "n": 2}}),
    ("POST", {"query": '{ microcredentials(search: "data") { edges { cursor node { id title(lang: "nl") } } } }'}),
    ("POST", {"query": "query A { facets { source { value count } } } query B { sources { key status } }",
              "operationName": "B"}),
    ("POST", {"query": '{ a: microcredential(id: "nzqa:MC4217") { ...F } b: microcredential(id: "none") { ...F } } fragment F on Microcredential { __typename id skills { label } }'}),
    ("POST", {"query": "{ microcredentials { totalCount } }", "variables": {"unused": 1}}),
    ("GET", {"query": "{ microcredentials(first: 2, sort: [ECTS_DESC]) { edges { node { id workload { ects } } } } }"}),
    ("GET", {"query": "query Q($n: Int) { microcredentials(first: $n) { edges { node { id } } } }",
             "variables": json.dumps({"n": 1})}),
    # Declared variables, planned (graphql/direct.py): defaults, omitted, null, lists, a cursor.
    ("POST", {"query": CLIENT, "variables": {"first": 2, "filter": {"issuerCountry": "nz", "eqfLevel": [5, 6]}, "sort": ["HOURS_DESC"]}}),
    ("POST", {"query": CLIENT, "variables": {"first": None, "filter": None, "after": None}}),
    ("POST", {"query": CLIENT}),
    ("POST", {"query": CLIENT, "variables": {"first": 1, "after": CURSOR}}),
    ("POST", {"query": 'query P($n: Int = 2, $c: [String!] = ["nz"]) { microcredentials(first: $n, filter: {issuerCountry: $c}) { totalCount } } query O { sources { key } }',
              "operationName": "P", "variables": {"c": None}}),
    ("GET", {"query": CLIENT, "variables": json.dumps({"search": "data", "distinct": True})}),
    # Not the lean path's: errors of every kind, a mutation over GET, persisted queries.
    ("POST", {"query": CLIENT, "variables": {"first": "two"}}),
    ("POST", {"query": CLIENT, "variables": {"filter": {"eqfLevel": ["x"], "nope": 1}}}),
    ("POST", {"query": CLIENT, "variables": {"sort": ["SIDEWAYS"]}}),
    ("POST", {"query": CLIENT, "variables": {"first": 100000}}),
    ("POST", {"query": CLIENT, "variables": {"after": "bad"}}),
    ("POST", {"query": CLIENT, "variables": []}),
    ("POST", {"query": 'query P($c: [String!]! = ["nz"]) { microcredentials(filter: {issuerCountry: $c}) { totalCount } }',
              "variables": {"c": None}}),
    ("POST", {"query": "query Q($on: Boolean!) { microcredentials { totalCount @include(if: $on) } }", "variables": {"on": "yes"}}),
    ("POST", {"query": "{ microcredentials(first: 100000) { totalCount } }"}),
    ("POST", {"query": "{ nope }"}),
    ("POST", {"query": "{ microcredentials(after: \"bad\") { totalCount } }"}),
    ("POST", {"query": "query Q($n: Int!) { microcredentials(first: $n) { totalCount } }"}),
    ("POST", {"query": "{ microcredentials { totalCount }"}),
    ("POST", {"query": "query A { sources { key } } query B { sources { key } }"}),
    ("POST", {"query": "{ sources { key } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}),
    ("GET", {"query": "mutation { x }"}),
]  # fmt: skip


class Pair:
    """The same app twice on loopback: lean path on, and off."""

    def __init__(self, states: list[Any]) -> None:
        context = make_context(states=states)
        self.lean = make_graphql_app(lambda: context, QueryLimits())
        full = make_graphql_app(lambda: context, QueryLimits())
        full.lean = False
        self.servers = [LiveServer(context, QueryLimits()), LiveServer(context, QueryLimits())]
        self.servers[0].app.router.routes[0].app = self.lean  # type: ignore[attr-defined]
        self.servers[1].app.router.routes[0].app = full  # type: ignore[attr-defined]


async def fetch(
    url: str, method: str, payload: dict[str, Any], accept: str
) -> tuple[int, str, bytes]:
    headers = {"Accept": accept}
    async with aiohttp.ClientSession() as session:
        if method == "GET":
            request = session.get(url, params=payload, headers=headers)
        else:
            request = session.post(url, json=payload, headers=headers)
        async with request as response:
            return response.status, response.headers["Content-Type"], await response.read()


@pytest.mark.parametrize("states", [HEALTHY, FAILING], ids=["healthy", "failing"])
async def test_lean_and_full_paths_answer_the_same_bytes(states: list[Any]) -> None:
    pair = Pair(states)
    async with pair.servers[0] as lean, pair.servers[1] as full:
        first = {"query": CLIENT, "variables": {"first": 1}}
        page = json.loads((await fetch(full.url, "POST", first, JSON))[2])
        cursor = page["data"]["microcredentials"]["pageInfo"]["endCursor"]
        for method, payload in REQUESTS:
            variables = payload.get("variables")
            if isinstance(variables, dict) and variables.get("after") == CURSOR:
                payload = {**payload, "variables": {**variables, "after": cursor}}
            for accept in ("application/json", "application/graphql-response+json"):
                got = await fetch(lean.url, method, payload, accept)
                want = await fetch(full.url, method, payload, accept)
                assert got == want, (method, payload, accept)


def _request(method: str, body: bytes = b"", query_string: bytes = b"") -> Request:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http", "method": method, "path": "/graphql", "query_string": query_string,
        "headers": [(b"content-type", b"application/json")],
    }  # fmt: skip
    return Request(scope, receive)


async def test_plain_queries_take_the_lean_path_and_the_rest_does_not() -> None:
    context = make_context(states=FAILING)
    app: GraphQLApp = make_graphql_app(lambda: context, QueryLimits())
    plain = json.dumps({"query": "{ microcredentials { totalCount } }"}).encode()
    answer = await app._lean(_request("POST", plain), JSON)
    assert answer is not None
    start, body = answer
    assert start["status"] == 200
    document = json.loads(body["body"])
    assert document["data"] == {"microcredentials": {"totalCount": 6}}
    assert [s["key"] for s in document["extensions"]["sources"]] == ["edubadges"]
    for refused in (
        {"query": "{ nope }"},
        {"query": "{ microcredentials(first: 100000) { totalCount } }"},
        {"query": "{ sources { key } }", "extensions": {}},
        [{"query": "{ sources { key } }"}],
    ):
        assert await app._lean(_request("POST", json.dumps(refused).encode()), JSON) is None
    assert (
        await app._lean(_request("GET", query_string=b"query=mutation%20%7B%20x%20%7D"), JSON)
        is None
    )


async def test_a_remembered_verdict_is_per_variable_values() -> None:
    limits = QueryLimits(max_cost=60)
    query = "query Q($n: Int) { microcredentials(first: $n) { edges { node { id title } } } }"
    # first: 2 fits; 50 and the default (20) do not, each with its own cost
    for n, refused in ((2, None), (50, "cost 201"), (2, None), (None, "cost 81"), (50, "cost 201")):
        variables = {} if n is None else {"n": n}
        result = await run_query(query, variables, limits=limits)
        messages = [error.message for error in result.errors or ()]
        if refused is None:
            assert not messages, (n, messages)
        else:
            assert len(messages) == 1 and f"query {refused} exceeds max_cost 60" in messages[0]
