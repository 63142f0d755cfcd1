"""Record stores: the embedded memory store (optionally snapshotted) and Redis, one protocol."""

from __future__ import annotations

from microcred_hub.store.base import (
    ALL_SOURCES,
    ChangeSet,
    Listener,
    Store,
    StoreUnavailableError,
    fingerprint,
)
from microcred_hub.store.factory import open_store
from microcred_hub.store.memory import MemoryStore
from microcred_hub.store.redis import RedisStore

__all__ = [
    "ALL_SOURCES",
    "ChangeSet",
    "Listener",
    "MemoryStore",
    "RedisStore",
    "Store",
    "StoreUnavailableError",
    "fingerprint",
    "open_store",
]
