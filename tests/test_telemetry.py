"""OpenTelemetry traces from a hub started as users start it, received by a real OTLP/HTTP
receiver on loopback and decoded with opentelemetry-proto: one GraphQL request and one harvest,
both continuing a client's W3C traceparent, the harvest passing it on to the register."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.support.hub_process import HubProcess, wait_for
from tests.support.registers import nzqa_app, start

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
ADMIN_TOKEN = "telemetry-test-admin-token"


@dataclass
class Receiver:
    """An OTLP/HTTP traces endpoint: every span it was sent, decoded."""

    url: str = ""
    spans: list[Span] = field(default_factory=list)

    def named(self, name: str) -> list[Span]:
        return [s for s in self.spans if s.name == name]

    def in_trace(self, trace_id: str) -> list[Span]:
        return [s for s in self.spans if s.trace_id.hex() == trace_id]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()

    async def traces(request: web.Request) -> web.Response:
        assert request.content_type == "application/x-protobuf"
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.read())
        for resource_spans in message.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                found.spans.extend(scope_spans.spans)
        return web.Response(body=b"", content_type="application/x-protobuf")

    app = web.Application()
    app.router.add_post("/v1/traces", traces)
    runner, found.url = await start(app)
    yield found
    await runner.cleanup()


@pytest.fixture
async def register() -> AsyncIterator[tuple[str, list[str]]]:
    """The NZQA-like register, remembering the traceparent of every request it got."""
    seen: list[str] = []

    @web.middleware
    async def remember(request: web.Request, handler):  # type: ignore[no-untyped-def]
        seen.append(request.headers.get("traceparent", ""))
        return await handler(request)

    app = nzqa_app()
    app.middlewares.append(remember)
    runner, url = await start(app)
    yield url, seen
    await runner.cleanup()


def config(tmp_path: Path, register: str, endpoint: str | None) -> Path:
    telemetry = (
        f'[telemetry]\nendpoint = "{endpoint}"\nexport_interval_ms = 100\n' if endpoint else ""
    )
    path = tmp_path / "hub.toml"
    path.write_text(
        f'[admin]\ntoken = "{ADMIN_TOKEN}"\n\n{telemetry}\n'
        f'[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\nurl = "{register}/microcredentials"\n'
        "page_size = 5\ninterval_seconds = 3600\n"
    )
    return path


async def eventually(receiver: Receiver, predicate, within: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    assert predicate(), sorted({s.name for s in receiver.spans})


def children(receiver: Receiver, parent: Span) -> list[Span]:
    return [s for s in receiver.spans if s.parent_span_id == parent.span_id]


async def test_a_graphql_request_and_a_harvest_are_traced_under_the_clients_trace(
    tmp_path: Path, receiver: Receiver, register: tuple[str, list[str]]
) -> None:
    register_url, traceparents = register
    headers = {"traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN}-01"}
    async with (
        HubProcess(config(tmp_path, register_url, receiver.url)) as hub,
        aiohttp.ClientSession() as session,
    ):
        query = {"query": "{ microcredentials(first: 3) { totalCount } }"}
        async with session.post(f"{hub.url}/graphql", json=query, headers=headers) as resp:
            assert resp.status == 200
        admin = {**headers, "Authorization": f"Bearer {ADMIN_TOKEN}"}
        async with session.post(f"{hub.url}/admin/harvest", headers=admin) as resp:
            assert resp.status == 202

        def harvested() -> bool:
            return any(s.name == "store" for s in receiver.in_trace(TRACE_ID))

        await eventually(receiver, harvested)

    traced = receiver.in_trace(TRACE_ID)
    # (strawberry's operation span is of the server kind too, under the HTTP request's)
    servers = [
        s for s in traced if s.kind == Span.SPAN_KIND_SERVER and not s.name.startswith("GraphQL")
    ]
    # both requests continue the client's trace: their server spans' parent is the client's span
    assert len(servers) == 2
    assert {s.parent_span_id.hex() for s in servers} == {CLIENT_SPAN}
    graphql_server = next(s for s in servers if "graphql" in s.name.lower())
    operation = next(s for s in traced if s.name.startswith("GraphQL Query"))
    steps = {s.name for s in children(receiver, operation)}
    assert {"GraphQL Parsing", "GraphQL Validation", "GraphQL Resolving: microcredentials"} <= steps
    (lookup,) = [s for s in traced if s.name == "cache lookup"]
    assert lookup.parent_span_id == graphql_server.span_id

    (harvest,) = [s for s in traced if s.name == "harvest nzqa"]
    under_harvest = children(receiver, harvest)
    pages = [s for s in under_harvest if s.kind == Span.SPAN_KIND_CLIENT]
    assert len(pages) == 3  # 14 items, 5 a page
    assert "store" in {s.name for s in under_harvest}
    # the first harvest, at start (a trace of its own), normalised every page's records;
    # the triggered one got 304s (conditional GET), so there was nothing to normalise
    (first,) = [s for s in receiver.named("harvest nzqa") if s.trace_id.hex() != TRACE_ID]
    assert not first.parent_span_id
    normalised = [s for s in children(receiver, first) if s.name == "normalise"]
    counts = [
        a.value.int_value for s in normalised for a in s.attributes if a.key.endswith("records")
    ]
    # the feed streams: one span per page of 5, 5 and 4 items (one listing twice; the later wins)
    assert sorted(counts) == [4, 5, 5]
    # the register got the trace too, from its spans' own ids
    page_ids = {s.span_id.hex() for s in pages}
    passed_on = [t for t in traceparents if t.startswith(f"00-{TRACE_ID}-")]
    assert len(passed_on) == 3
    assert {t.split("-")[2] for t in passed_on} == page_ids


async def test_without_an_endpoint_nothing_is_traced_or_sent(
    tmp_path: Path, receiver: Receiver, register: tuple[str, list[str]]
) -> None:
    register_url, traceparents = register
    async with (
        HubProcess(config(tmp_path, register_url, None)) as hub,
        aiohttp.ClientSession() as session,
    ):

        async def harvested() -> bool:
            return len(traceparents) >= 3

        await wait_for(harvested)
        headers = {"traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN}-01"}
        query = {"query": "{ microcredentials(first: 3) { totalCount } }"}
        async with session.post(f"{hub.url}/graphql", json=query, headers=headers) as resp:
            assert resp.status == 200
    assert receiver.spans == []
    assert set(traceparents) == {""}


def test_a_telemetry_endpoint_that_is_not_a_url_stops_start_up(tmp_path: Path) -> None:
    import subprocess

    from tests.support.hub_process import hub_command

    path = tmp_path / "hub.toml"
    path.write_text('[telemetry]\nendpoint = "collector:4318"\n')
    result = subprocess.run(
        [*hub_command(), "harvest", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "telemetry" in result.stderr and "OTLP/HTTP" in result.stderr
