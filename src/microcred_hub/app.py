"""The HTTP application: GraphQL (cached), health, readiness, metrics and admin endpoints."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from microcred_hub import telemetry
from microcred_hub.config import HubConfig
from microcred_hub.errors import ConfigError
from microcred_hub.graphql import QueryContext, make_graphql_app
from microcred_hub.graphql.persisted import persisted_queries_for
from microcred_hub.http_cache import CachedGraphQL
from microcred_hub.metrics import Metrics
from microcred_hub.ratelimit import RateLimiter, RedisRateLimiter

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from microcred_hub.hub import Hub

log = logging.getLogger("microcred_hub.http")

_KNOWN_PATHS = frozenset(
    {"/graphql", "/healthz", "/readyz", "/metrics", "/admin/harvest", "/admin/cache/clear"}
)


#: issue 5: the id of the request being served, so every log line it causes (strawberry's
#: error log included) carries ``request_id`` (logs.JsonFormatter prints it).
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


def _tag_log_lines_with_request_id() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


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
        request_token = REQUEST_ID.set(request_id)
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
                # issue 5: Retry-After is the bucket's real wait, not a fixed 1 s
                wait = str(self.limiter.retry_after(client))
                await _json_error(
                    429,
                    f"rate limit exceeded ([server] rate_limit_per_second = "
                    f"{self.limiter.rate:g}); retry after {wait} s",
                    {"Retry-After": wait},
                )(scope, receive, send_wrapped)
                return
            async with asyncio.timeout(self.deadline):
                await self.app(scope, receive, send_wrapped)
        except TimeoutError:
            if not response_started:
                message = (  # issue 5: name the setting
                    f"request exceeded the {self.deadline:g} s deadline "
                    "([server] request_timeout_seconds)"
                )
                await _json_error(503, message)(scope, receive, send_wrapped)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id)
            if not response_started:
                await _json_error(500, f"internal error; request id {request_id}")(
                    scope, receive, send_wrapped
                )
        finally:
            REQUEST_ID.reset(request_token)
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(path, scope["method"], str(status)).inc()
            self.metrics.latency.labels(path).observe(elapsed)


def _refused(request: Request) -> Response:
    """401, and a line in the log: failed admin attempts are worth seeing (never the token)."""
    client = request.client.host if request.client else "?"
    log.warning("admin %s refused: token missing or wrong (client %s)", request.url.path, client)
    return _json_error(401, "admin token missing or wrong (Authorization: Bearer <token>)")


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
    _tag_log_lines_with_request_id()
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
        payload = metrics.render(states, len(hub.index), hub.index.version, hub.cache.stats())
        return Response(payload, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def admin_harvest(request: Request) -> Response:
        if not _authorised(request, config.admin.token):
            return _refused(request)
        keys = request.query_params.getlist("source") or None
        try:
            started = hub.trigger(keys)
        except ConfigError as exc:
            return _json_error(404, str(exc))
        return JSONResponse({"started": started}, status_code=202)

    async def admin_cache_clear(request: Request) -> Response:
        if not _authorised(request, config.admin.token):
            return _refused(request)
        await hub.cache.clear()
        return JSONResponse({"cleared": True})

    # issue 5: production also hides "Did you mean" suggestions, whatever [limits] says;
    # persisted queries (APQ / allow-list) come from [limits] (graphql/persisted.py).
    limits = (
        msgspec.structs.replace(config.limits, suggestions=False)
        if config.server.production
        else config.limits
    )
    telemetry.configure(config.telemetry)  # before the schema: its extensions depend on it
    persisted = persisted_queries_for(
        enabled=limits.persisted_queries,
        only=limits.persisted_only,
        file=limits.persisted_queries_file,
        max_entries=limits.persisted_queries_max,
        config_file=config.path,
    )

    def context() -> QueryContext:
        return QueryContext(
            index=hub.index,
            source_states=hub.source_states,
            quarantined=hub.quarantined,
            limits=limits,
        )

    graphql_app = make_graphql_app(
        context,
        limits,
        graphiql=config.server.graphiql and not config.server.production,
        persisted=persisted,
    )
    cached = CachedGraphQL(
        graphql_app,
        hub.cache,
        hub.cache_epoch,
        metrics,
        max_body_bytes=config.server.max_body_bytes,
        max_age=30,
    )

    limiter = _limiter(config)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await hub.start(schedule=schedule)
        try:
            yield
        finally:
            await hub.stop()
            telemetry.shutdown()
            if limiter is not None:
                await limiter.close()

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
    return telemetry.wrap_app(Guard(app, hub, metrics, limiter))


def _limiter(config: HubConfig) -> RateLimiter | None:
    """Per-client limits, shared by all replicas through Redis when the store is Redis."""
    rate, burst = config.server.rate_limit_per_second, config.server.rate_limit_burst
    if not rate:
        return None
    if config.store.url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(rate, burst, config.store.url, prefix=config.store.prefix)
    return RateLimiter(rate, burst)
