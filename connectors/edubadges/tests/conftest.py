"""A loopback edubadges register serving this connector's fixtures, and harvest helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.sdk import RawRecord, Unchanged
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.edubadges import EdubadgesConnector, EdubadgesOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class Register:
    """What the loopback register saw and how it misbehaves."""

    catalog: list[object] | dict[str, object]
    server: Loopback = field(init=False)
    delays: dict[str, float] = field(default_factory=dict)  # entityId -> seconds
    statuses: dict[str, int] = field(default_factory=dict)  # entityId -> forced HTTP status
    detail_delay: float = 0.0
    requests: list[web.Request] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    @property
    def url(self) -> str:
        return self.server.url("/")

    def detail_requests(self) -> list[web.Request]:
        return [r for r in self.requests if r.path.startswith("/public/badges/")]


def fixture_catalog() -> list[object]:
    loaded: list[object] = json.loads((FIXTURES / "catalog.json").read_text(encoding="utf-8"))
    return loaded


def _app(register: Register) -> web.Application:
    async def catalog(request: web.Request) -> web.Response:
        register.requests.append(request)
        return web.json_response(register.catalog)

    async def detail(request: web.Request) -> web.Response:
        register.requests.append(request)
        entity_id = request.match_info["entity_id"]
        register.in_flight += 1
        register.max_in_flight = max(register.max_in_flight, register.in_flight)
        try:
            await asyncio.sleep(register.delays.get(entity_id, register.detail_delay))
            if entity_id in register.statuses:
                return web.Response(status=register.statuses[entity_id], text="unavailable")
            path = FIXTURES / "badges" / f"{entity_id}.json"
            if not path.is_file():
                return web.json_response({"detail": "Not found."}, status=404)
            return web.Response(body=path.read_bytes(), content_type="application/json")
        finally:
            register.in_flight -= 1

    app = web.Application()
    app.router.add_get("/queries/catalog/badge-classes", catalog)
    app.router.add_get("/public/badges/{entity_id}", detail)
    return app


@pytest.fixture
async def register() -> AsyncIterator[Register]:
    holder = Register(catalog=fixture_catalog())
    async with Loopback(_app(holder)) as server:
        holder.server = server
        yield holder


Harvest = Callable[..., Awaitable[list[RawRecord | Unchanged]]]


@pytest.fixture
def harvest() -> Harvest:
    """Run fetch against ``url`` through the real HttpFetcher; collect what it yields."""

    async def run(
        url: str,
        options: EdubadgesOptions | None = None,
        *,
        pages: list[str] | None = None,
        fetcher: TestFetcher | None = None,
    ) -> list[RawRecord | Unchanged]:
        connector = EdubadgesConnector(options or EdubadgesOptions())
        fetcher = fetcher or TestFetcher(retries=1)
        fetched = await fetcher.run(connector, url, source_key="edubadges")
        if pages is not None:
            pages.extend(fetched.pages)
        return fetched.items

    return run
