"""OpenTelemetry traces, exported over OTLP/HTTP when ``[telemetry] endpoint`` is set.

Off by default and then free: nothing is installed, :func:`span` hands back a shared no-op
context manager and no instrumentation wraps the app or the HTTP client. On, it installs a
tracer provider with a batch exporter, a server span per HTTP request (W3C ``traceparent``
taken from the client), strawberry's GraphQL spans (parse, validate, execute, resolvers), a
client span per register request (``traceparent`` sent to the register), and the hub's own
spans: the cache lookup and each harvest with its normalise and store steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

if TYPE_CHECKING:
    import aiohttp
    from opentelemetry.sdk.trace import TracerProvider
    from starlette.types import ASGIApp

    from microcred_hub.config import TelemetryConfig

_provider: TracerProvider | None = None
_tracer: trace.Tracer = trace.NoOpTracer()
_NOTHING: contextlib.nullcontext[None] = contextlib.nullcontext()


def enabled() -> bool:
    return _provider is not None


def configure(config: TelemetryConfig) -> None:
    """Install the exporter once per process; a config without an endpoint leaves tracing off."""
    global _provider, _tracer
    if not config.endpoint or _provider is not None:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from microcred_hub import __version__

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": config.service_name, "service.version": __version__}
        ),
        sampler=ParentBased(TraceIdRatioBased(config.sample_ratio)),
    )
    exporter = OTLPSpanExporter(
        endpoint=config.endpoint.rstrip("/") + "/v1/traces",
        headers=dict(config.headers),
        timeout=config.export_timeout_seconds,
    )
    provider.add_span_processor(
        BatchSpanProcessor(exporter, schedule_delay_millis=config.export_interval_ms)
    )
    trace.set_tracer_provider(provider)
    _provider = provider
    _tracer = provider.get_tracer("microcred_hub")


def shutdown() -> None:
    """Flush what is buffered (at stop), so the last harvest's spans are not lost."""
    if _provider is not None:
        _provider.force_flush()


def span(
    name: str, attributes: Mapping[str, Any] | None = None
) -> contextlib.AbstractContextManager[Any]:
    """A child span of the current one; a shared no-op when tracing is off."""
    if _provider is None:
        return _NOTHING
    return _tracer.start_as_current_span(name, attributes=attributes)


class Step:
    """At most one open span of a repeated step; ``begin`` is cheap when one is open."""

    def __init__(self, name: str, attributes: Mapping[str, Any] | None) -> None:
        self.name = name
        self.attributes = dict(attributes or {})
        self._span: trace.Span | None = None
        self.count = 0

    def begin(self) -> None:
        if _provider is not None and self._span is None:
            self._span = _tracer.start_span(self.name, attributes=self.attributes)
            self.count = 0

    def add(self) -> None:
        self.count += 1

    def end(self) -> None:
        if self._span is not None:
            self._span.set_attribute("microcred_hub.records", self.count)
            self._span.end()
            self._span = None


def wrap_app(app: ASGIApp) -> ASGIApp:
    """A server span per HTTP request, continuing the client's ``traceparent``."""
    if _provider is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app, tracer_provider=_provider, exclude_spans=["receive", "send"]
    )


def client_trace_configs() -> list[aiohttp.TraceConfig]:
    """A client span per register request, with ``traceparent`` sent to the register."""
    if _provider is None:
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config(tracer_provider=_provider)]


def graphql_extensions() -> list[type[Any]]:
    """strawberry's spans for parse, validate, execute and each non-trivial resolver."""
    if _provider is None:
        return []
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return [OpenTelemetryExtension]
