"""The ``Source`` type (harvest state per register) and the ``extensions.sources`` report."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import SchemaExtension

from microcred_hub.graphql.context import QueryContext
from microcred_hub.graphql.limits import check_first
from microcred_hub.state import SourceState, SourceStatus

if TYPE_CHECKING:
    from microcred_hub.record import QuarantinedRecord

logger = logging.getLogger(__name__)
QUARANTINED_FIRST = 100


@strawberry.type(name="HarvestSummary")
class HarvestSummaryType:
    source: str
    ok: bool
    records: int
    added: int
    changed: int
    unchanged: int
    removed: int
    quarantined: int
    pages: int
    errors: list[str]
    seconds: float


@strawberry.type(name="QuarantinedRecord")
class QuarantinedRecordType:
    source: str
    reason: str
    local_id: str | None
    source_url: str | None
    seen_at: datetime | None
    raw_excerpt: str | None


async def resolve_quarantined(
    root: strawberry.Parent[SourceState],
    info: strawberry.Info[QueryContext, None],
    first: int | None = QUARANTINED_FIRST,
) -> list[QuarantinedRecordType]:
    context = info.context
    size = QUARANTINED_FIRST if first is None else first
    check_first(size, context.limits)
    records: list[QuarantinedRecord] = await context.quarantined(root.key)
    return records[:size]  # type: ignore[return-value]


def resolve_last_error_at(root: strawberry.Parent[SourceState]) -> datetime | None:
    # The state keeps no separate error time: the last attempt failed when it is newer
    # than the last success and an error is recorded.
    if root.last_error is None or root.last_attempt_at is None:
        return None
    if root.last_success_at is not None and root.last_success_at >= root.last_attempt_at:
        return None
    return root.last_attempt_at


@strawberry.type(name="Source")
class SourceType:
    key: str
    connector: str
    url: str
    status: SourceStatus
    record_count: int
    quarantined_count: int
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None = strawberry.field(resolver=resolve_last_error_at)
    consecutive_failures: int
    last_summary: HarvestSummaryType | None
    quarantined: list[QuarantinedRecordType] = strawberry.field(
        resolver=resolve_quarantined, description="Records that could not be normalised, why."
    )


def source_report(state: SourceState) -> dict[str, Any]:
    return {
        "key": state.key,
        "status": state.status.value,
        "lastSuccessAt": state.last_success_at.isoformat() if state.last_success_at else None,
        "lastError": state.last_error,
    }


async def sources_extension(context: object) -> dict[str, Any]:
    """``{"sources": [...]}`` naming the sources that are not OK; {} when all are."""
    if not isinstance(context, QueryContext):
        return {}
    try:
        states = await context.source_states()
    except Exception:
        # The report is a courtesy: a store hiccup must not turn the answer into a 500.
        logger.exception("could not read source states for extensions.sources")
        return {}
    last = _reported[0]
    if last is not None and last[0] is states:
        return last[1]  # the same states as the last query's (runtime/states.py): same report
    failing = [source_report(s) for s in states if s.status is not SourceStatus.OK]
    report: dict[str, Any] = {"sources": failing} if failing else {}
    _reported[0] = (states, report)
    return report


#: the last states reported on and their report (held, so the states' id is not reused)
_reported: list[tuple[list[SourceState], dict[str, Any]] | None] = [None]


class SourcesExtension(SchemaExtension):
    """Adds ``extensions.sources``: the sources that are not OK (absent when all are)."""

    def on_operation(self) -> Iterator[None]:
        yield

    async def get_results(self) -> dict[str, Any]:
        return await sources_extension(self.execution_context.context)
