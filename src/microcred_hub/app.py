"""The HTTP application: GraphQL (cached), health, readiness, metrics and admin endpoints."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from microcred_hub.errors import ConfigError
from microcred_hub.graphql import QueryContext, make_graphql_app
from microcred_hub.http_cache import CachedGraphQL
from microcred_hub.metrics import Metrics
from microcred_hub.ratelimit import RateLimiter

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from microcred_hub.hub import Hub

log = logging.getLogger("microcred_hub.http")

_KNOWN_PATHS = frozenset(
    {"/graphql", "/healthz", "/readyz", "/metrics", "/admin/harvest", "/admin/cache/clear"}
)


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, headers=headers)


class Guard:
    """Outermost ASGI layer: request id, deadline, rate limit, metrics, and no tracebacks out."""

    def __init__(
        self, app: ASGIApp, hub: Hub, metrics: Metrics, limiter: RateLimiter | None
    ) -> None:
        self.app = app
        self.hub = hub
        self.metrics = metrics
        self.limiter = limiter
        self.deadline = hub.config.server.request_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        path = scope["path"] if scope["path"] in _KNOWN_PATHS else "other"
        status = 500
        response_started = False

        async def send_wrapped(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            client = (scope.get("client") or ("?", 0))[0]
            if (
                self.limiter is not None
                and path == "/graphql"
                and not await self.limiter.allow(client)
            ):
                self.metrics.rate_limited.inc()
                await _json_error(429, "rate limit exceeded; slow down", {"Retry-After": "1"})(
                    scope, receive, send_wrapped
                )
                return
            async with asyncio.timeout(self.deadline):
                await self.app(scope, receive, send_wrapped)
        except TimeoutError:
            if not response_started:
                message = f"request exceeded the {self.deadline:g} s deadline"
                await _json_error(503, message)(scope, receive, send_wrapped)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id)
            if not response_started:
                await _json_error(500, f"internal error; request id {request_id}")(
                    scope, receive, send_wrapped
                )
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(path, scope["method"], str(status)).inc()
            self.metrics.latency.labels(path).observe(elapsed)


def _authorised(request: Request, token: str | None) -> bool:
    if not token:
        return False
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def create_app(hub: Hub, *, schedule: bool = True) -> ASGIApp:
    """The ASGI app; its lifespan opens the hub and (with ``schedule``) starts harvesting."""
    metrics = Metrics()
    hub.harvest_listeners.append(metrics.harvested)
    config = hub.config

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        if not hub.ready:
            return JSONResponse({"status": "starting"}, status_code=503)
        body = {"status": "ready", "records": len(hub.index), "store": hub.store_error or "ok"}
        return JSONResponse(body)

    async def metrics_endpoint(_: Request) -> Response:
        states = await hub.source_states() if hub.ready else []
        payload = metrics.render(states, len(hub.index), hub.index.version)
        return Response(payload, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def admin_harvest(request: Request) -> Response:
        if not _authorised(request, config.admin.token):
            return _json_error(401, "admin token missing or wrong (Authorization: Bearer <token>)")
        keys = request.query_params.getlist("source") or None
        try:
            started = hub.trigger(keys)
        except ConfigError as exc:
            return _json_error(404, str(exc))
        return JSONResponse({"started": started}, status_code=202)

    async def admin_cache_clear(request: Request) -> Response:
        if not _authorised(request, config.admin.token):
            return _json_error(401, "admin token missing or wrong (Authorization: Bearer <token>)")
        await hub.cache.clear()
        return JSONResponse({"cleared": True})

    def context() -> QueryContext:
        return QueryContext(
            index=hub.index,
            source_states=hub.source_states,
            quarantined=hub.quarantined,
            limits=config.limits,
        )

    graphql_app = make_graphql_app(
        context, config.limits, graphiql=config.server.graphiql and not config.server.production
    )
    cached = CachedGraphQL(
        graphql_app,
        hub.cache,
        hub.cache_epoch,
        metrics,
        max_body_bytes=config.server.max_body_bytes,
        max_age=30,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await hub.start(schedule=schedule)
        try:
            yield
        finally:
            await hub.stop()

    app = Starlette(
        routes=[
            Route("/graphql", cached, methods=["GET", "POST", "OPTIONS"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            Route("/admin/harvest", admin_harvest, methods=["POST"]),
            Route("/admin/cache/clear", admin_cache_clear, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    server = config.server
    limiter = (
        RateLimiter(server.rate_limit_per_second, server.rate_limit_burst)
        if server.rate_limit_per_second
        else None
    )
    return Guard(app, hub, metrics, limiter)
