"""A loopback Credential Engine Registry mirror serving the fixtures in the registry's own shapes.

Bodies are served with ``https://credentialengineregistry.org`` rewritten to the mirror's own
address, as a real mirror would, so that references between resources stay resolvable.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.sdk import RawRecord, Unchanged
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.ctdl import CtdlConnector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTRY = "https://credentialengineregistry.org"

REQUESTS = web.AppKey("requests", list[str])


@dataclass
class Mirror:
    """A running mirror: its URLs and every path it was asked for, in order."""

    server: Loopback
    requests: list[str]

    def make_url(self, path: str) -> str:
        return self.server.url(path)


MirrorFactory = Callable[..., Awaitable[Mirror]]


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _json(request: web.Request, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        text=text.replace(REGISTRY, _base(request)),
        content_type="application/json",
        headers=headers,
    )


def make_app(roots: list[Path]) -> web.Application:
    app = web.Application()
    requests: list[str] = []
    app[REQUESTS] = requests

    @web.middleware
    async def log(
        request: web.Request, handler: Callable[..., Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        requests.append(request.path_qs)
        return await handler(request)

    app.middlewares.append(log)

    def find(name: str) -> Path:
        for root in roots:
            path = root / name
            if path.is_file():
                return path
        raise web.HTTPNotFound()

    async def doc(request: web.Request) -> web.Response:
        return _json(request, find(request.match_info["name"]).read_text(encoding="utf-8"))

    async def array(request: web.Request) -> web.Response:
        names = ("graph_microcredential.json", "legacy_certificate.json", "malformed_no_name.json")
        docs = [json.loads((FIXTURES / n).read_text(encoding="utf-8")) for n in names]
        return _json(request, json.dumps(docs))

    async def listing(request: web.Request) -> web.Response:
        names = request.query.get("names", "graph_microcredential.json,legacy_certificate.json")
        urls = [f"{_base(request)}/docs/{n}" for n in names.split(",")]
        return _json(request, json.dumps({"documents": urls}))

    async def envelopes(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        per_page = request.query.get("per_page", "100")
        text = (FIXTURES / "envelopes" / f"page-{page}.json").read_text(encoding="utf-8")
        community = request.match_info["community"]
        links = [
            f'<{_base(request)}/{community}/envelopes?page=1&per_page={per_page}>; rel="first"'
        ]
        if community == "loop" or page == 1:
            target = 2 if page == 1 else 1  # the loop community's page 2 points back to page 1
            next_url = f"{_base(request)}/{community}/envelopes?page={target}&per_page={per_page}"
            links.append(f'<{next_url}>; rel="next"')
        return _json(request, text, headers={"Link": ", ".join(links), "X-Total": "6"})

    async def resource(request: web.Request) -> web.Response:
        return _json(
            request, find(f"resources/{request.match_info['ctid']}.json").read_text("utf-8")
        )

    async def search(request: web.Request) -> web.Response:
        if request.query.get("page") == "2":
            return _json(request, json.dumps({"data": [], "total": 2, "valid": True}))
        text = (FIXTURES / "query_answer.json").read_text(encoding="utf-8")
        link = f'<{_base(request)}/assistant/search/ctdl?page=2>; rel="next"'
        return _json(request, text, headers={"Link": link})

    app.router.add_get("/docs/{name}", doc)
    app.router.add_get("/array", array)
    app.router.add_get("/listing", listing)
    app.router.add_get("/{community}/envelopes", envelopes)
    app.router.add_get("/resources/{ctid}", resource)
    app.router.add_get("/assistant/search/ctdl", search)
    return app


@pytest.fixture
async def registry_server() -> AsyncIterator[MirrorFactory]:
    """Start a mirror over the fixtures (and any extra folders given); stopped after the test."""
    servers: list[Loopback] = []

    async def start(*extra_roots: Path) -> Mirror:
        app = make_app([FIXTURES, *extra_roots])
        servers.append(server := await Loopback(app).start())
        return Mirror(server=server, requests=app[REQUESTS])

    yield start
    for server in servers:
        await server.close()


Harvest = Callable[..., Awaitable[tuple[list[RawRecord | Unchanged], list[str]]]]


async def _harvest(
    connector: CtdlConnector, url: str, *extra: str
) -> tuple[list[RawRecord | Unchanged], list[str]]:
    fetched = await TestFetcher().run(connector, url, *extra, source_key="ctdl")
    return fetched.items, fetched.pages


@pytest.fixture
def harvest() -> Harvest:
    """Run a connector's fetch against real HTTP: (what it yielded, the pages it reported)."""
    return _harvest
