"""Response cache protocol; backends: in-process LRU, Redis, and the two-level combination."""

from __future__ import annotations

from typing import Protocol


class ResponseCache(Protocol):
    """Whole encoded GraphQL responses by key; keys already include the data version."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes) -> None: ...

    async def clear(self) -> None: ...
