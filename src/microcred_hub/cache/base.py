"""Response cache protocol; backends: in-process LRU, Redis, and the two-level combination."""

from __future__ import annotations

from typing import NamedTuple, Protocol


class CacheStats(NamedTuple):
    """Counters of one cache level, for /metrics (``level`` is the label)."""

    level: str
    hits: int
    misses: int
    errors: int = 0  # backend failures, each also counted as a miss


class ResponseCache(Protocol):
    """Whole encoded GraphQL responses by key; keys already include the data version."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes) -> None: ...

    async def clear(self) -> None: ...

    async def close(self) -> None:
        """Release connections; the cache is not used afterwards."""
        ...

    def stats(self) -> list[CacheStats]:
        """Counters per level, outermost first."""
        ...
