"""A real NZQA-like register on loopback (aiohttp) serving feed pages and the CSV export."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.sdk import RawRecord, Unchanged
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.nzqa import NzqaConnector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: the shared samples sit next to the repository (absent in a user's clone)
SHARED_SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "nzqa"
#: where the register's own address belongs in feed pages: the shared samples' and the kit's
PLACEHOLDERS = ("http://register.invalid/", "{base}/")


@dataclass
class Seen:
    """One request the register received."""

    path_qs: str
    query: dict[str, str]
    if_none_match: str | None


@dataclass
class FeedRegister:
    """Serves ``feed-page-<n>.json`` for ``/microcredentials?page=n`` and ``/export.csv``.

    ``next`` links are rewritten from a placeholder host to this server; every answer has an
    ETag and honours If-None-Match. Tests change ``bodies`` to make the register change.
    """

    folder: Path
    base: str = ""
    bodies: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def body(self, name: str) -> bytes | None:
        if name in self.bodies:
            return self.bodies[name]
        path = self.folder / name
        return path.read_bytes() if path.is_file() else None

    def set_page(self, page: int, data: object) -> None:
        self.bodies[f"feed-page-{page}.json"] = json.dumps(data, ensure_ascii=False).encode()

    def page_json(self, page: int) -> dict[str, object]:
        body = self.body(f"feed-page-{page}.json")
        assert body is not None
        data: dict[str, object] = json.loads(body)
        return data

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/microcredentials", self._feed)
        app.router.add_get("/export.csv", self._export)
        return app

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        name = f"feed-page-{request.query.get('page', '1')}.json"
        body = self.body(name)
        if body is None:
            self._record(request)
            raise web.HTTPNotFound(text="no such page")
        for placeholder in PLACEHOLDERS:
            body = body.replace(placeholder.encode(), self.base.encode())
        return self._answer(request, body, "application/json")

    async def _export(self, request: web.Request) -> web.StreamResponse:
        body = self.body("export.csv")
        if body is None:
            self._record(request)
            raise web.HTTPNotFound(text="no export")
        return self._answer(request, body, "text/csv; charset=utf-8")

    def _record(self, request: web.Request) -> None:
        self.seen.append(
            Seen(request.path_qs, dict(request.query), request.headers.get("If-None-Match"))
        )

    def _answer(self, request: web.Request, body: bytes, ctype: str) -> web.StreamResponse:
        self._record(request)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"Content-Type": ctype, "ETag": etag})


StartRegister = Callable[[Path], Awaitable[FeedRegister]]
Harvest = Callable[..., Awaitable[tuple[list[RawRecord | Unchanged], list[str]]]]


@pytest.fixture
async def start_register() -> AsyncIterator[StartRegister]:
    servers: list[Loopback] = []

    async def start(folder: Path) -> FeedRegister:
        register = FeedRegister(folder)
        servers.append(server := await Loopback(register.app()).start())
        register.base = server.url("/")
        return register

    yield start
    for server in servers:
        await server.close()


@pytest.fixture
async def register(start_register: StartRegister) -> FeedRegister:
    return await start_register(FIXTURES)


@pytest.fixture
def validators() -> TestFetcher:
    """A fetcher keeping validators and connector state between harvests, as the store does."""
    return TestFetcher()


@pytest.fixture
def harvest() -> Harvest:
    """Run one harvest of ``connector`` over ``url`` with the hub's real fetcher."""

    async def run(
        connector: NzqaConnector,
        url: str,
        *,
        validators: TestFetcher | None = None,
        since: datetime | None = None,
        allow_files: bool = False,
    ) -> tuple[list[RawRecord | Unchanged], list[str]]:
        fetcher = validators or TestFetcher(allow_files=allow_files)
        fetched = await fetcher.run(connector, url, source_key="nzqa", since=since)
        return fetched.items, fetched.pages

    return run
