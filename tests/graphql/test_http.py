"""GraphQL over HTTP, served by uvicorn on loopback and driven with aiohttp."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from microcred_hub.graphql import negotiate
from microcred_hub.state import SourceState
from tests.graphql.helpers import FAILING, LiveServer, make_context, serve

GQL = "application/graphql-response+json"
QUERY = '{ microcredential(id: "nzqa:MC4217") { title } }'


async def post(
    server: LiveServer, body: Any, accept: str | None = None, content_type: str = "application/json"
) -> tuple[int, str, Any]:
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url, data=data, headers=headers) as response,
    ):
        text = await response.text()
        return response.status, response.headers.get("Content-Type", ""), text


async def get(
    server: LiveServer, params: dict[str, str] | None, accept: str | None = None
) -> tuple[int, str, str]:
    headers = {"Accept": accept} if accept else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.url, params=params, headers=headers) as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def test_post_json_answers_application_json(live: LiveServer) -> None:
    status, content_type, text = await post(live, {"query": QUERY})
    assert status == 200
    assert content_type == "application/json; charset=utf-8"
    assert json.loads(text)["data"] == {
        "microcredential": {"title": "Te reo Māori for the workplace"}
    }


async def test_graphql_response_json_is_honoured(live: LiveServer) -> None:
    status, content_type, text = await post(live, {"query": QUERY}, accept=GQL)
    assert status == 200
    assert content_type.startswith(GQL)
    assert "data" in json.loads(text)


async def test_parse_error_is_400_without_data_for_graphql_response_json(
    live: LiveServer,
) -> None:
    status, content_type, text = await post(live, {"query": "{ microcredential("}, accept=GQL)
    assert status == 400
    assert content_type.startswith(GQL)
    body = json.loads(text)
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Syntax Error")


async def test_validation_error_is_400_for_graphql_response_json_and_200_for_json(
    live: LiveServer,
) -> None:
    query = {"query": "{ nosuchfield }"}
    status, _, text = await post(live, query, accept=f"{GQL}, application/json;q=0.9")
    assert status == 400
    assert "data" not in json.loads(text)
    status, content_type, text = await post(live, query, accept="application/json")
    assert (status, content_type) == (200, "application/json; charset=utf-8")
    assert json.loads(text)["errors"][0]["message"].startswith("Cannot query field")


async def test_limit_refusal_over_http_names_the_limit(live: LiveServer) -> None:
    status, _, text = await post(
        live, {"query": "{ microcredentials(first: 1000) { totalCount } }"}
    )
    assert status == 200
    assert json.loads(text)["errors"][0]["message"].startswith("first 1000 exceeds max_first 500")
    async with serve(limits=_tight()) as server:
        status, _, text = await post(
            server, {"query": "{ microcredentials { edges { node { id } } } }"}, accept=GQL
        )
    assert status == 400
    assert json.loads(text)["errors"][0]["message"] == "query depth 4 exceeds max_depth 3"


def _tight() -> Any:
    from microcred_hub.config import QueryLimits

    return QueryLimits(max_depth=3)


async def test_bad_variables_are_a_request_error(live: LiveServer) -> None:
    body = {
        "query": "query($n: Int) { microcredentials(first: $n) { totalCount } }",
        "variables": {"n": "many"},
    }
    status, _, text = await post(live, body, accept=GQL)
    assert status == 400
    assert "data" not in json.loads(text)


async def test_unparsable_body_is_400_with_an_error_message(live: LiveServer) -> None:
    status, content_type, text = await post(live, "{not json", accept=GQL)
    assert status == 400
    assert content_type.startswith(GQL)
    assert json.loads(text)["errors"][0]["message"] == "Unable to parse request body as JSON"


async def test_missing_query_and_wrong_types_are_400(live: LiveServer) -> None:
    assert (await post(live, {"variables": {}}))[0] == 400
    assert (await post(live, {"query": 42}))[0] == 400
    assert (await post(live, {"query": QUERY, "variables": "x"}))[0] == 400


async def test_unsupported_content_type_is_4xx(live: LiveServer) -> None:
    status, _, _ = await post(live, QUERY, content_type="text/plain")
    assert 400 <= status < 500


async def test_unacceptable_accept_is_406(live: LiveServer) -> None:
    status, _, text = await post(live, {"query": QUERY}, accept="text/csv")
    assert status == 406
    assert "application/graphql-response+json" in json.loads(text)["errors"][0]["message"]


async def test_get_runs_queries(live: LiveServer) -> None:
    status, content_type, text = await get(live, {"query": QUERY}, accept=GQL)
    assert status == 200
    assert content_type.startswith(GQL)
    assert json.loads(text)["data"]["microcredential"]["title"].startswith("Te reo")


async def test_get_with_variables(live: LiveServer) -> None:
    params = {
        "query": "query($id: ID!) { microcredential(id: $id) { id } }",
        "variables": json.dumps({"id": "elm:elm-1"}),
    }
    status, _, text = await get(live, params)
    assert status == 200
    assert json.loads(text)["data"] == {"microcredential": {"id": "elm:elm-1"}}


async def test_mutation_over_get_is_405(live: LiveServer) -> None:
    status, _, _ = await get(live, {"query": "mutation { x }"})
    assert status == 405


async def test_browser_get_shows_graphiql(live: LiveServer) -> None:
    status, content_type, text = await get(live, None, accept="text/html,*/*;q=0.8")
    assert status == 200
    assert content_type.startswith("text/html")
    assert "graphiql" in text.lower()


async def test_extensions_sources_over_http(live: LiveServer) -> None:
    _, _, text = await post(live, {"query": "{ microcredentials { totalCount } }"})
    body = json.loads(text)
    assert body["data"] == {"microcredentials": {"totalCount": 6}}
    assert [s["key"] for s in body["extensions"]["sources"]] == ["edubadges"]
    assert body["extensions"]["sources"][0]["status"] == "STALE"
    assert FAILING[1].last_error == body["extensions"]["sources"][0]["lastError"]


async def test_unexpected_failure_is_masked_and_not_a_5xx() -> None:
    async def broken() -> list[SourceState]:
        raise OSError("/srv/hub/var/store.db: permission denied")

    async with serve(make_context(source_states=broken)) as server:
        status, _, text = await post(server, {"query": "{ sources { key } }"})
    assert status == 200
    assert "/srv" not in text
    assert "Traceback" not in text
    assert json.loads(text)["errors"][0]["message"] == "Unexpected error; it has been logged."


async def test_first_page_of_500_records_over_http() -> None:
    from microcred_hub.index import Index
    from tests.factories import make_record

    index = Index([make_record(f"R{i:04d}", f"Course {i}") for i in range(600)])
    async with serve(make_context(index=index)) as server:
        status, _, text = await post(
            server,
            {
                "query": "{ microcredentials(first: 500) { totalCount edges { node { id title } } "
                "pageInfo { hasNextPage } } }"
            },
        )
    body = json.loads(text)["data"]["microcredentials"]
    assert status == 200
    assert body["totalCount"] == 600
    assert len(body["edges"]) == 500
    assert body["pageInfo"]["hasNextPage"] is True


def test_negotiation_rules() -> None:
    assert negotiate(None) == "application/json"
    assert negotiate("*/*") == "application/json"
    assert negotiate("application/json") == "application/json"
    assert negotiate(GQL) == GQL
    assert negotiate(f"application/json, {GQL}") == GQL
    assert negotiate(f"{GQL};q=0.5, application/json") == "application/json"
    assert negotiate(f"{GQL};q=0, application/json") == "application/json"
    assert negotiate("text/html") is None
