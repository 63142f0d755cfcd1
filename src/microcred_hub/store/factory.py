"""Build the store that ``[store] url`` names."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from microcred_hub.errors import ConfigError
from microcred_hub.store.memory import MemoryStore
from microcred_hub.store.redis import RedisStore

if TYPE_CHECKING:
    from pathlib import Path

_ACCEPTED = "memory://, redis://host:port/db or rediss://host:port/db"


def open_store(
    url: str, *, snapshot: Path | None = None, prefix: str = "mch:", cluster: bool = False
) -> MemoryStore | RedisStore:
    """The store ``[store] url`` names, not yet opened: ``await store.open()`` next.

    A URL of an unknown scheme, or a snapshot for Redis, is a ConfigError naming the key.
    """
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryStore(snapshot)
    if scheme in ("redis", "rediss"):
        if snapshot is not None:
            raise ConfigError(
                "store.snapshot is for the memory store only (Redis keeps its own data); "
                "remove it or set store.url to memory://",
                key="store.snapshot",
            )
        return RedisStore(url, prefix=prefix, cluster=cluster)
    raise ConfigError(f"unknown store URL {url!r}; use {_ACCEPTED}", key="store.url")
