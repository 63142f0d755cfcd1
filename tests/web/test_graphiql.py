"""GraphiQL at /graphql renders and runs a query from the hub's own files only."""

from __future__ import annotations

from tests.web.conftest import Visit, post_graphql


async def test_graphiql_renders_and_runs_a_query_offline(visit: Visit) -> None:
    page = await visit.open("/graphql")
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    await page.wait_for_selector(".graphiql-editors", timeout=20_000)
    await page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    await response.get_by_text('"totalCount"').wait_for(timeout=20_000)
    total = post_graphql(visit.hub, "{ microcredentials { totalCount } }")
    count = total["data"]["microcredentials"]["totalCount"]
    assert f'"totalCount": {count}' in await response.inner_text()
    # visit's teardown asserts that nothing was asked of another origin and no error logged


async def test_graphiql_page_carries_a_strict_policy(visit: Visit) -> None:
    page = await visit.context.new_page()
    answer = await page.goto(visit.hub.url + "/graphql")
    assert answer is not None
    policy = (await answer.all_headers())["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
