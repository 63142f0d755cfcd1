"""The HTTP application: GraphQL (cached), health, readiness, metrics and admin endpoints."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from microcred_hub import telemetry
from microcred_hub.access import AdminThrottle, ClientAddress
from microcred_hub.config import HubConfig
from microcred_hub.errors import ConfigError
from microcred_hub.graphql import QueryContext, make_graphql_app
from microcred_hub.graphql.persisted import persisted_queries_for
from microcred_hub.http_cache import CachedGraphQL
from microcred_hub.metrics import Metrics
from microcred_hub.ratelimit import RateLimiter, RedisRateLimiter
from microcred_hub.responses import json_error
from microcred_hub.web import dashboard_documents, graphiql_page
from microcred_hub.web import routes as web_routes

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from microcred_hub.cache import ResponseCache
    from microcred_hub.index import Index
    from microcred_hub.runtime import Hub, SourceStates

log = logging.getLogger("microcred_hub.http")

_KNOWN_PATHS = frozenset(
    {
        "/graphql",
        "/healthz",
        "/readyz",
        "/metrics",
        "/admin/harvest",
        "/admin/cache/clear",
        "/dashboard",
    }
)
#: metric labels come from this set only: a client inventing methods must not grow /metrics
_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}
)


#: The id of the request being served, so every log line it causes (strawberry's
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


class Guard:
    """Outermost ASGI layer: request id, deadline, rate limit, metrics, and no tracebacks out."""

    def __init__(
        self,
        app: ASGIApp,
        deadline: float,
        metrics: Metrics,
        limiter: RateLimiter | None,
        trusted_proxies: tuple[str, ...] = (),
        direct: Route | None = None,
    ) -> None:
        self.app = app
        # The busiest route is called straight, past Starlette's two middlewares and router:
        # the same endpoint gets the same scope, less work per request. Anything else (other
        # methods: the router's 405) takes the router.
        self.direct: dict[str, tuple[ASGIApp, frozenset[str]]] = {}
        if direct is not None:
            self.direct[direct.path] = (direct.app, frozenset(direct.methods or ()))
        self.metrics = metrics
        self.limiter = limiter
        self.deadline = deadline
        self.clients = ClientAddress(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        given_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = given_id or os.urandom(16).hex()
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

        peer, port = scope.get("client") or ("?", 0)
        client = self.clients.of(peer, headers.get(b"x-forwarded-for"))
        if client != peer:
            scope = {**scope, "client": (client, port)}
        try:
            if (
                self.limiter is not None
                and path == "/graphql"
                and not await self.limiter.allow(client)
            ):
                self.metrics.rate_limited.inc()
                # Retry-After is the bucket's real wait: a fixed 1 s would invite early retries
                wait = str(self.limiter.retry_after(client))
                await json_error(
                    429,
                    f"rate limit exceeded ([server] rate_limit_per_second = "
                    f"{self.limiter.rate:g}); retry after {wait} s",
                    headers={"Retry-After": wait},
                )(scope, receive, send_wrapped)
                return
            direct = self.direct.get(scope["path"])
            if direct is not None and scope["method"] in direct[1] and not scope.get("root_path"):
                app = direct[0]
                scope = {**scope, "app": self.app, "path_params": {}}
            else:
                app = self.app
            async with asyncio.timeout(self.deadline):
                await app(scope, receive, send_wrapped)
        except TimeoutError:
            if not response_started:
                message = (  # name the setting, so an operator knows what to raise
                    f"request exceeded the {self.deadline:g} s deadline "
                    "([server] request_timeout_seconds)"
                )
                await json_error(503, message)(scope, receive, send_wrapped)
        except Exception:
            log.exception("unhandled error (request id %s)", request_id)
            if not response_started:
                await json_error(500, f"internal error; request id {request_id}")(
                    scope, receive, send_wrapped
                )
        finally:
            REQUEST_ID.reset(request_token)
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _KNOWN_METHODS else "other"
            self.metrics.served(path, method, status, elapsed)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _refused(request: Request) -> Response:
    """401, and a line in the log: failed admin attempts are worth seeing (never the token)."""
    log.warning(
        "admin %s refused: token missing or wrong (client %s)", request.url.path, _client(request)
    )
    return json_error(401, "admin token missing or wrong (Authorization: Bearer <token>)")


def _authorised(request: Request, token: str | None) -> bool:
    if not token:
        return False
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


class AdminGate:
    """The admin token check, with failed attempts throttled per client."""

    def __init__(self, config: HubConfig) -> None:
        self.token = config.admin.token
        self.throttle = AdminThrottle(config.admin.max_failed_attempts)

    def refusal(self, request: Request) -> Response | None:
        """None when the request carries the token; else the answer to give."""
        client = _client(request)
        wait = self.throttle.wait(client)
        if wait:
            log.warning("admin %s refused: client %s is locked out", request.url.path, client)
            return json_error(
                429,
                f"too many failed admin attempts ([admin] max_failed_attempts = "
                f"{self.throttle.max_failures}); retry after {wait} s",
                headers={"Retry-After": str(wait)},
            )
        if _authorised(request, self.token):
            self.throttle.succeeded(client)
            return None
        if self.token:  # admin off: nothing to guess, nothing to count
            self.throttle.failed(client)
        return _refused(request)


def _probe_routes(
    ready: Callable[[], bool],
    index: Index,
    states: SourceStates,
    cache: ResponseCache,
    metrics: Metrics,
    gate: AdminGate,
    protected: frozenset[str],
    duplicates: Callable[[], str],
) -> list[Route]:
    """Health, readiness and metrics: they read the index, the states and the cache's counters.

    Ready means serving every record; ``duplicates`` says whether the duplicate groups are
    there yet (linking runs after the start: runtime.linking)."""

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if "readyz" in protected and (refusal := gate.refusal(request)) is not None:
            return refusal
        if not ready():
            return JSONResponse({"status": "starting"}, status_code=503)
        body = {
            "status": "ready",
            "records": len(index),
            "store": states.store_error or "ok",
            "duplicates": duplicates(),
        }
        return JSONResponse(body)

    async def metrics_endpoint(request: Request) -> Response:
        if "metrics" in protected and (refusal := gate.refusal(request)) is not None:
            return refusal
        current = await states.read() if ready() else []
        payload = metrics.render(current, len(index), index.version, cache.stats())
        return Response(payload, media_type="text/plain; version=0.0.4; charset=utf-8")

    return [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]


def _admin_routes(
    gate: AdminGate, trigger: Callable[[Sequence[str] | None], list[str]], cache: ResponseCache
) -> list[Route]:
    """The admin endpoints: start harvests, clear the response cache; bearer token or 401."""

    async def admin_harvest(request: Request) -> Response:
        if (refusal := gate.refusal(request)) is not None:
            return refusal
        keys = request.query_params.getlist("source") or None
        try:
            started = trigger(keys)
        except ConfigError as exc:
            return json_error(404, str(exc))
        return JSONResponse({"started": started}, status_code=202)

    async def admin_cache_clear(request: Request) -> Response:
        if (refusal := gate.refusal(request)) is not None:
            return refusal
        await cache.clear()
        return JSONResponse({"cleared": True})

    return [
        Route("/admin/harvest", admin_harvest, methods=["POST"]),
        Route("/admin/cache/clear", admin_cache_clear, methods=["POST"]),
    ]


def _graphql_route(hub: Hub, metrics: Metrics) -> Route:
    """GraphQL behind the response cache; resolvers see the index, states and quarantine only."""
    config = hub.config
    # Production also hides "Did you mean" suggestions, whatever [limits] says: they map the
    # schema for a prober.
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
        max_tokens=limits.max_tokens,
        # the dashboard is a client like any other, but one the hub ships: its list comes too
        always_allowed=dashboard_documents() if config.server.dashboard else None,
    )
    query_context = QueryContext(
        turns=asyncio.Lock(),
        index=hub.index,
        source_states=hub.states.read,
        quarantined=hub.states.quarantined,
        limits=limits,
        duplicates=hub.linker,
    )
    graphql_app = make_graphql_app(
        lambda: query_context,
        limits,
        graphiql=config.server.graphiql and not config.server.production,
        persisted=persisted,
        graphiql_page=graphiql_page,
    )
    cached = CachedGraphQL(
        graphql_app,
        hub.cache,
        hub.cache_epoch,
        metrics,
        max_body_bytes=config.server.max_body_bytes,
        max_age=30,
    )
    return Route("/graphql", cached, methods=["GET", "POST", "OPTIONS"])


def create_app(hub: Hub, *, schedule: bool = True) -> ASGIApp:
    """The ASGI app; its lifespan opens the hub and (with ``schedule``) starts harvesting."""
    metrics = Metrics()
    _tag_log_lines_with_request_id()
    hub.scheduler.listeners.append(metrics.harvested)
    config = hub.config
    limiter = _limiter(config)
    gate = AdminGate(config)

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

    graphql = _graphql_route(hub, metrics)
    app = Starlette(
        routes=[
            graphql,
            *_probe_routes(
                lambda: hub.ready,
                hub.index,
                hub.states,
                hub.cache,
                metrics,
                gate,
                frozenset(config.server.token_required_for),
                lambda: "off" if hub.feed.linking is None else hub.feed.linking.status.value,
            ),
            *_admin_routes(gate, hub.scheduler.trigger, hub.cache),
            *web_routes(
                dashboard=config.server.dashboard,
                graphiql=config.server.graphiql and not config.server.production,
            ),
        ],
        lifespan=lifespan,
    )
    return telemetry.wrap_app(
        Guard(
            app,
            config.server.request_timeout_seconds,
            metrics,
            limiter,
            config.server.trusted_proxies,
            direct=graphql,
        )
    )


def _limiter(config: HubConfig) -> RateLimiter | None:
    """Per-client limits, shared by all replicas through Redis when the store is Redis."""
    rate, burst = config.server.rate_limit_per_second, config.server.rate_limit_burst
    if not rate:
        return None
    if config.store.url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(rate, burst, config.store.url, prefix=config.store.prefix)
    return RateLimiter(rate, burst)
