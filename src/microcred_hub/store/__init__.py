"""Record stores: the embedded memory store (optionally snapshotted) and Redis, one protocol."""

from __future__ import annotations

from microcred_hub.store.base import (
    ChangeSet,
    HarvestSummary,
    SourceState,
    SourceStatus,
    Store,
)

__all__ = ["ChangeSet", "HarvestSummary", "SourceState", "SourceStatus", "Store"]
