"""In-process LRU cache with a TTL: O(1) get and set on an OrderedDict."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from microcred_hub.cache.base import CacheStats

if TYPE_CHECKING:
    from collections.abc import Callable


class MemoryCache:
    """Least recently used entries go first once ``max_entries`` or ``max_bytes`` is reached."""

    def __init__(
        self,
        max_entries: int = 10_000,
        ttl_seconds: float = 300.0,
        *,
        max_bytes: int = 256 * 1024 * 1024,
        level: str = "memory",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.max_bytes = max_bytes
        self.level = level
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return value

    async def set(self, key: str, value: bytes) -> None:
        if self.ttl_seconds <= 0 or self.max_entries <= 0 or len(value) > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = (self._clock() + self.ttl_seconds, value)
        self._bytes += len(value)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= len(evicted)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])

    async def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    async def close(self) -> None:
        await self.clear()

    def stats(self) -> list[CacheStats]:
        return [CacheStats(self.level, self.hits, self.misses)]
