"""Helpers and fixtures: an index over the sample catalogue, a query context, a live HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from microcred_hub.config import QueryLimits
from microcred_hub.graphql import QueryContext, build_schema, make_graphql_app
from microcred_hub.index import Index
from microcred_hub.record import QuarantinedRecord
from microcred_hub.state import HarvestSummary, SourceState, SourceStatus
from tests.factories import sample_records

LAST_GOOD = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

HEALTHY = [
    SourceState(
        key="nzqa",
        connector="nzqa",
        url="http://127.0.0.1:9001/microcredentials",
        status=SourceStatus.OK,
        record_count=2,
        last_success_at=LAST_GOOD,
        last_attempt_at=LAST_GOOD,
        last_summary=HarvestSummary(source="nzqa", ok=True, records=2, added=2, seconds=0.4),
    ),
]
FAILING = [
    *HEALTHY,
    SourceState(
        key="edubadges",
        connector="edubadges",
        url="http://127.0.0.1:9002",
        status=SourceStatus.STALE,
        record_count=2,
        quarantined_count=1,
        last_success_at=LAST_GOOD,
        last_attempt_at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        last_error="http://127.0.0.1:9002 answered 503 three times; retrying next interval",
        consecutive_failures=1,
    ),
]
QUARANTINE = {
    "edubadges": [
        QuarantinedRecord(source="edubadges", reason="record has no title", local_id="bad-1")
    ]
}


def make_context(
    index: Index | None = None,
    states: list[SourceState] | None = None,
    limits: QueryLimits | None = None,
    source_states: Callable[[], Awaitable[list[SourceState]]] | None = None,
) -> QueryContext:
    known = HEALTHY if states is None else states

    async def all_states() -> list[SourceState]:
        return list(known)

    async def quarantined(key: str) -> list[QuarantinedRecord]:
        return QUARANTINE.get(key, [])

    return QueryContext(
        index=index if index is not None else Index(sample_records()),
        source_states=source_states or all_states,
        quarantined=quarantined,
        limits=limits or QueryLimits(),
    )


async def run_query(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    context: QueryContext | None = None,
    limits: QueryLimits | None = None,
) -> Any:
    """Execute against a fresh schema; returns strawberry's ExecutionResult."""
    limits = limits or QueryLimits()
    context = context or make_context(limits=limits)
    return await build_schema(limits).execute(
        query, variable_values=variables, context_value=context
    )


@pytest.fixture
def index() -> Index:
    return Index(sample_records())


class LiveServer:
    """The GraphQL app mounted at /graphql in Starlette, served by uvicorn on loopback."""

    def __init__(self, context: QueryContext, limits: QueryLimits) -> None:
        graphql = make_graphql_app(lambda: context, limits)
        self.app = Starlette(routes=[Route("/graphql", graphql, methods=["GET", "POST", "PUT"])])
        self.context = context
        self.url = ""

    async def __aenter__(self) -> LiveServer:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(1000):  # up to ten seconds
            if self._server.started or self._task.done():
                break
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()  # raises why uvicorn could not start
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/graphql"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        await self._task


def serve(context: QueryContext | None = None, limits: QueryLimits | None = None) -> LiveServer:
    limits = limits or QueryLimits()
    return LiveServer(context or make_context(limits=limits), limits)


@pytest.fixture
async def live() -> AsyncIterator[LiveServer]:
    async with serve(make_context(states=FAILING)) as server:
        yield server
