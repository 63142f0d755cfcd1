"""Hostile registers and the internal services they aim at, as real aiohttp servers on loopback.

``Witness`` is a fake internal service (a cloud metadata endpoint, an admin API): it answers
with something that would pass for feed data and records every request and the credentials it
carried, so a test can demand it saw nothing. ``HostileRegister`` serves NZQA-like pages whose
``next`` links and redirects point wherever a test says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from tests.support.registers import NZQA_FIXTURES, start

ITEMS: list[dict[str, object]] = json.loads((NZQA_FIXTURES / "feed-page-1.json").read_text())[
    "items"
]


def page(items: list[dict[str, object]], next_url: str | None) -> bytes:
    return json.dumps({"page": 1, "pageSize": 100, "next": next_url, "items": items}).encode()


@dataclass
class Seen:
    """What a server was sent: one entry per request."""

    paths: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.paths)


def _note(seen: Seen, request: web.Request) -> None:
    seen.paths.append(request.path_qs)
    seen.authorizations.append(request.headers.get("Authorization", ""))
    seen.headers.append(dict(request.headers))


class Witness:
    """A fake internal service that must receive nothing from the hub."""

    def __init__(self) -> None:
        self.seen = Seen()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _any(self, request: web.Request) -> web.Response:
        _note(self.seen, request)
        stolen = [{**ITEMS[0], "reference": "STOLEN1", "title": "internal metadata"}]
        return web.Response(body=page(stolen, None), content_type="application/json")

    async def __aenter__(self) -> Witness:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self._runner, self.url = await start(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class HostileRegister:
    """``/feed`` serves a page whose ``next`` is ``next_url``; ``/redirect`` answers 302 to
    ``location``; ``/endless`` pages on for ever with ``page_bytes`` of padding each."""

    def __init__(self) -> None:
        self.seen = Seen()
        self.url = ""
        self.next_url: str | None = None
        self.location = ""
        self.items: list[dict[str, object]] = ITEMS
        self.page_bytes = 0
        self._runner: web.AppRunner | None = None

    async def _feed(self, request: web.Request) -> web.Response:
        _note(self.seen, request)
        return web.Response(body=page(self.items, self.next_url), content_type="application/json")

    async def _redirect(self, request: web.Request) -> web.Response:
        _note(self.seen, request)
        raise web.HTTPFound(location=self.location)

    async def _endless(self, request: web.Request) -> web.Response:
        _note(self.seen, request)
        number = int(request.query.get("page", "1"))
        items = [
            {**item, "reference": f"E{number}-{i}", "padding": "x" * self.page_bytes}
            for i, item in enumerate(self.items)
        ]
        next_url = f"{self.url}/endless?page={number + 1}"
        return web.Response(body=page(items, next_url), content_type="application/json")

    async def __aenter__(self) -> HostileRegister:
        app = web.Application()
        app.router.add_get("/feed", self._feed)
        app.router.add_get("/redirect", self._redirect)
        app.router.add_get("/endless", self._endless)
        self._runner, self.url = await start(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
