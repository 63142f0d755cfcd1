"""The browser side: the dashboard page, GraphiQL's page, and the files both load.

Everything a browser loads comes from the package (``static/``), GraphiQL's scripts included
(vendored, see ``static/vendor/README.md``), so both pages work with no internet access; the
Content-Security-Policy below makes a browser refuse anything else.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from graphql import OperationDefinitionNode, parse, print_ast
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
#: the dashboard's GraphQL documents as written, and as the Apollo persisted-query manifest
#: built from them that the page sends from (scripts/dashboard_queries.py writes it)
DASHBOARD_SOURCE = STATIC_DIR / "dashboard" / "queries.graphql"
DASHBOARD_QUERIES = STATIC_DIR / "dashboard" / "queries.json"

#: Only the hub's own origin, no inline script or style (GraphiQL's start-up is a file for
#: that reason). GraphiQL's CSS inlines its fonts and icons as data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # pages change with the package; their assets are revalidated (ETag) on each load
    "Cache-Control": "no-cache",
}
#: versioned vendor folders never change under the same URL
_IMMUTABLE = b"public, max-age=31536000, immutable"


@cache
def _page(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(_page("graphiql/index.html"), headers=PAGE_HEADERS)


def build_manifest(source: str) -> dict[str, object]:
    """The manifest of a file of named operations: one entry per operation, its ``body`` the
    operation as graphql-core prints it and its ``id`` the sha256 of that body."""
    operations: list[dict[str, str]] = []
    for definition in parse(source, no_location=True).definitions:
        if not isinstance(definition, OperationDefinitionNode) or definition.name is None:
            raise ValueError("queries.graphql holds named operations only (no fragments)")
        body = print_ast(definition)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        operations.append(
            {"id": digest, "name": definition.name.value, "type": "query", "body": body}
        )
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def dashboard_documents() -> dict[str, str]:
    """sha256 -> document of every query the dashboard sends (its persisted-query list)."""
    manifest = msgspec.json.decode(DASHBOARD_QUERIES.read_bytes())
    out: dict[str, str] = {}
    for operation in manifest["operations"]:
        body: str = operation["body"]
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if operation["id"] != digest:  # a hand edit that forgot the hash; tests catch it first
            raise ValueError(f"{DASHBOARD_QUERIES}: {operation['name']} id is not its sha256")
        out[digest] = body
    return out


class _StaticHeaders:
    """nosniff on every file; vendored (versioned) files cached for a year, the rest revalidated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        immutable = "/static/vendor/" in scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                cache_control = _IMMUTABLE if immutable else b"no-cache"
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", cache_control),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


_GRAPHIQL_LINK = '<a href="graphql">GraphQL API (GraphiQL)</a>'
#: without GraphiQL (production) a browser's GET of /graphql is an error: name the endpoint
_ENDPOINT_ONLY = "GraphQL API: <code>POST /graphql</code>"


def routes(*, dashboard: bool = True, graphiql: bool = True) -> list[Route | Mount]:
    """``/static`` (always: GraphiQL needs it) and, when on, ``/dashboard``."""
    page = _page("dashboard/index.html")
    if not graphiql:
        page = page.replace(_GRAPHIQL_LINK, _ENDPOINT_ONLY)

    async def dashboard_page(_: Request) -> Response:
        return HTMLResponse(page, headers=PAGE_HEADERS)

    static = _StaticHeaders(GZipMiddleware(StaticFiles(directory=STATIC_DIR), minimum_size=1024))
    out: list[Route | Mount] = [Mount("/static", app=static, name="static")]
    if dashboard:
        out.append(Route("/dashboard", dashboard_page, methods=["GET", "HEAD"]))
    # a newcomer opens the address the server prints: send them to a page, not a 404
    # (relative, so it holds behind a proxy's path prefix)
    if dashboard or graphiql:
        home = "dashboard" if dashboard else "graphql"

        async def root(_: Request) -> Response:
            return RedirectResponse(home, status_code=307)

        out.append(Route("/", root, methods=["GET", "HEAD"]))
    return out
