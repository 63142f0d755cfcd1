"""Harvest state: how each source stands and what its last harvest did.

Kept by the store, shown by GraphQL (``sources``), metrics and the CLI; none of them needs
the store itself to read it.
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec


class SourceStatus(enum.StrEnum):
    PENDING = "PENDING"  # configured, never harvested
    HARVESTING = "HARVESTING"
    OK = "OK"
    STALE = "STALE"  # the last harvest failed; serving the last good data
    FAILING = "FAILING"  # failing with no good data to fall back on (or repeatedly)


class HarvestSummary(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """What one harvest of one source did; printed by `harvest` and kept in the source state."""

    source: str
    ok: bool
    records: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0  # withdrawn: gone from the register
    quarantined: int = 0
    pages: int = 0
    errors: tuple[str, ...] = ()
    skipped: bool = False  # another replica held the harvest lock
    seconds: float = 0.0


class SourceState(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    key: str
    connector: str
    url: str
    status: SourceStatus = SourceStatus.PENDING
    record_count: int = 0
    quarantined_count: int = 0
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    last_summary: HarvestSummary | None = None
