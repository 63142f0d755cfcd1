"""Registers as real HTTP servers on loopback, serving fixtures in the real formats.

Every register app carries a fault switch so a test can make it fail the way real registers do:
500, 503 with Retry-After, hang, close mid-body, truncated JSON, HTML, a huge body, a redirect
loop, or the right data only after N failures.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiohttp import web

REPO = Path(__file__).resolve().parents[2]
NZQA_FIXTURES = REPO / "connectors" / "nzqa" / "fixtures"
EDUBADGES_FIXTURES = REPO / "connectors" / "edubadges" / "fixtures"
PLACEHOLDER = "http://register.invalid"

FAULTS = ("ok", "500", "503", "hang", "cut", "truncated", "html", "huge", "redirect-loop", "flaky")


@dataclass
class Faults:
    """What the register does next; tests flip ``mode`` while servers run."""

    mode: str = "ok"
    fail_times: int = 0  # for "flaky": fail this many requests, then answer properly
    requests: int = 0
    failures: int = 0
    paths: list[str] = field(default_factory=list)
    etags: bool = True
    not_modified: int = 0


@web.middleware
async def _fault_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    faults: Faults = request.app["faults"]
    faults.requests += 1
    faults.paths.append(request.path_qs)
    mode = faults.mode
    if mode == "flaky":
        if faults.failures < faults.fail_times:
            faults.failures += 1
            return web.Response(status=503, text="try later")
        mode = "ok"
    if mode == "500":
        return web.Response(status=500, text="Internal Server Error")
    if mode == "503":
        return web.Response(status=503, headers={"Retry-After": "0"}, text="maintenance")
    if mode == "hang":
        await asyncio.sleep(3600)
    if mode == "html":
        return web.Response(
            status=200,
            content_type="text/html",
            text="<html><body>Service unavailable</body></html>",
        )
    if mode == "huge":
        return web.Response(
            status=200, content_type="application/json", body=b"[" + b"0," * 6_000_000 + b"0]"
        )
    if mode == "redirect-loop":
        raise web.HTTPFound(location=request.path_qs)
    response = await handler(request)
    if mode in ("truncated", "cut") and isinstance(response, web.Response) and response.body:
        body = bytes(response.body)  # type: ignore[arg-type]
        if mode == "truncated":
            return web.Response(
                status=200, content_type="application/json", body=body[: len(body) // 2]
            )
        stream = web.StreamResponse(
            status=200,
            headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
        )
        await stream.prepare(request)
        await stream.write(body[: len(body) // 2])
        request.transport.close()  # type: ignore[union-attr]
        return stream
    return response


_ETAGS: dict[int, tuple[bytes, str]] = {}


def _etag(data: bytes) -> str:
    """A real register computes its ETag once per change, not per request: cache it."""
    cached = _ETAGS.get(id(data))
    if cached is None or cached[0] is not data:
        cached = (data, '"' + hashlib.sha256(data).hexdigest()[:16] + '"')
        _ETAGS[id(data)] = cached
    return cached[1]


def _json_response(request: web.Request, data: bytes) -> web.Response:
    faults: Faults = request.app["faults"]
    if faults.etags:
        etag = _etag(data)
        if request.headers.get("If-None-Match") == etag:
            faults.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=data, content_type="application/json", headers={"ETag": etag})
    return web.Response(body=data, content_type="application/json")


def nzqa_app(pages: list[bytes] | None = None, fixtures: Path = NZQA_FIXTURES) -> web.Application:
    """The NZQA-like feed: /microcredentials?page=N following `next` links; /export.csv."""
    app = web.Application(middlewares=[_fault_middleware])
    app["faults"] = Faults()
    app["pages"] = (
        pages
        if pages is not None
        else [p.read_bytes() for p in sorted(fixtures.glob("feed-page-*.json"))]
    )

    rendered: dict[tuple[int, bytes], tuple[bytes, bytes]] = {}  # (page source kept alive, body)

    async def feed(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        all_pages: list[bytes] = request.app["pages"]
        if "updatedSince" in request.query:  # incremental: one page of what changed since then
            since = datetime.fromisoformat(request.query["updatedSince"])
            items = [
                item
                for raw in all_pages
                for item in json.loads(raw)["items"]
                if datetime.fromisoformat(item["lastModified"]) > since
            ]
            return _json_response(request, nzqa_page(items))
        if not 1 <= page <= len(all_pages):
            return web.Response(status=404, text="no such page")
        raw = all_pages[page - 1]
        key = (id(raw), f"{request.scheme}://{request.host}".encode())
        if key not in rendered or rendered[key][0] is not raw:
            body = raw.replace(PLACEHOLDER.encode(), key[1])  # links point back at this server
            rendered[key] = (raw, body.replace(b"{base}", key[1]))  # the kit's placeholder too
        return _json_response(request, rendered[key][1])

    async def export(request: web.Request) -> web.Response:
        return web.Response(body=(fixtures / "export.csv").read_bytes(), content_type="text/csv")

    app.router.add_get("/microcredentials", feed)
    app.router.add_get("/export.csv", export)
    return app


def edubadges_app(fixtures: Path = EDUBADGES_FIXTURES) -> web.Application:
    """edubadges: the catalog listing and the public badge-class details."""
    app = web.Application(middlewares=[_fault_middleware])
    app["faults"] = Faults(etags=False)  # edubadges sends no ETags (RECORD.md)
    app["catalog"] = (fixtures / "catalog.json").read_bytes()

    async def catalog(request: web.Request) -> web.Response:
        return _json_response(request, request.app["catalog"])

    async def detail(request: web.Request) -> web.Response:
        path = fixtures / "badges" / f"{request.match_info['entity_id']}.json"
        if not path.is_file():
            return web.Response(status=404, text="not found")
        return _json_response(request, path.read_bytes())

    app.router.add_get("/queries/catalog/badge-classes", catalog)
    app.router.add_get("/public/badges/{entity_id}", detail)
    return app


def nzqa_page(
    items: list[dict[str, object]], *, page: int = 1, next_page: int | None = None
) -> bytes:
    """A feed page in the documented shape (for tests that build their own data)."""
    nxt = f"{PLACEHOLDER}/microcredentials?page={next_page}&pageSize=100" if next_page else None
    doc = {"page": page, "pageSize": 100, "totalCount": len(items), "next": nxt, "items": items}
    return json.dumps(doc).encode()


async def start(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"
