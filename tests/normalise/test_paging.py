"""Paging helpers against a real register on loopback, through the test fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from microcred_hub.sdk import (
    ConnectorInfo,
    ConnectorOptions,
    FatalFetchError,
    HarvestContext,
    RawRecord,
    RecordDraft,
    Unchanged,
    bounded,
    follow_pages,
    next_link,
    numbered_pages,
    offset_query,
    page_query,
    reject,
)
from microcred_hub.testing import TestFetcher


class Options(ConnectorOptions, frozen=True):
    pass


class Pager:
    """A connector whose fetch is whatever a test hands it (the helpers are what is tested)."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="pager", version="1.0.0", description="paging", register="loopback"
    )
    options_type: ClassVar[type[ConnectorOptions]] = Options

    def __init__(self, run) -> None:  # type: ignore[no-untyped-def]
        self.run = run

    def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        return self.run(ctx)  # type: ignore[no-any-return]

    def normalise(self, raw: RawRecord) -> RecordDraft:
        raise NotImplementedError


@pytest.fixture
async def base() -> AsyncIterator[str]:
    async def linked(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        headers = {}
        if page < 3:
            headers["Link"] = f'</linked?page={page + 1}>; rel="next", </linked>; rel="first"'
        return web.json_response([page], headers=headers)

    async def loop(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        return web.json_response({"items": [page], "next": f"/loop?page={3 - page}"})

    async def offsets(request: web.Request) -> web.Response:
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        items = list(range(7))[offset : offset + limit]
        return web.json_response({"items": items, "total": 7})

    app = web.Application()
    app.router.add_get("/linked", linked)
    app.router.add_get("/loop", loop)
    app.router.add_get("/offsets", offsets)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


def items_of(pages):  # type: ignore[no-untyped-def]
    async def run(ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        async for response, body in pages(ctx):
            entries = body if isinstance(body, list) else body["items"]
            for entry in entries:
                yield reject(entry, "kept for the test", source_url=response.url)

    return Pager(run)


async def test_link_headers_are_followed_to_the_last_page(base: str) -> None:
    fetched = await TestFetcher().run(
        items_of(lambda ctx: follow_pages(ctx, ctx.url, max_pages=10, next_url=_link)),
        base + "/linked",
    )
    assert [r.data["entry"] for r in fetched.records] == [1, 2, 3]
    assert fetched.pages[-1] == base + "/linked?page=3"


def _link(response, body):  # type: ignore[no-untyped-def]
    return next_link(response)


async def test_a_next_link_back_to_a_read_page_fails_naming_the_loop(base: str) -> None:
    connector = items_of(lambda ctx: follow_pages(ctx, ctx.url + "?page=1", max_pages=10))
    with pytest.raises(FatalFetchError, match="a loop"):
        await TestFetcher().run(connector, base + "/loop")


async def test_a_loop_may_instead_end_the_listing(base: str) -> None:
    connector = items_of(
        lambda ctx: follow_pages(ctx, ctx.url + "?page=1", max_pages=10, loops="stop")
    )
    fetched = await TestFetcher().run(connector, base + "/loop")
    assert [r.data["entry"] for r in fetched.records] == [1, 2]


async def test_more_pages_than_max_pages_fails(base: str) -> None:
    connector = items_of(lambda ctx: follow_pages(ctx, ctx.url, max_pages=2, next_url=_link))
    with pytest.raises(FatalFetchError, match="more than max_pages=2 pages"):
        await TestFetcher().run(connector, base + "/linked")


async def test_offset_and_limit_read_until_the_total(base: str) -> None:
    def pages(ctx: HarvestContext):  # type: ignore[no-untyped-def]
        more = lambda n, body: (n + 1) * 3 < body["total"]  # noqa: E731
        return numbered_pages(ctx, ctx.url, query=offset_query(3), more=more, max_pages=10)

    fetched = await TestFetcher().run(items_of(pages), base + "/offsets")
    assert [r.data["entry"] for r in fetched.records] == list(range(7))
    assert len(fetched.pages) == 3


def test_page_query_counts_pages_from_one() -> None:
    assert page_query(50)(0) == {"page": "1", "pageSize": "50"}
    assert offset_query(50, offset="start", limit_key="rows")(2) == {"start": "100", "rows": "50"}


async def test_bounded_keeps_order_and_never_exceeds_its_limit() -> None:
    import asyncio

    running = peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01 * (5 - n % 5))
        running -= 1
        return n

    assert [n async for n in bounded(range(12), work, limit=3)] == list(range(12))
    assert peak == 3
    assert sorted([n async for n in bounded(range(12), work, limit=4, ordered=False)]) == list(
        range(12)
    )
