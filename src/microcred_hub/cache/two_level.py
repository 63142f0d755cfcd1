"""An in-process cache in front of a shared one: hot answers never leave the process."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.cache.base import CacheStats, ResponseCache


class TwoLevelCache:
    """Get from ``l1``, else from ``l2`` (filling ``l1``); set and clear both."""

    def __init__(self, l1: ResponseCache, l2: ResponseCache) -> None:
        self.l1 = l1
        self.l2 = l2

    async def get(self, key: str) -> bytes | None:
        value = await self.l1.get(key)
        if value is not None:
            return value
        value = await self.l2.get(key)
        if value is not None:
            await self.l1.set(key, value)
        return value

    async def set(self, key: str, value: bytes) -> None:
        await self.l1.set(key, value)
        await self.l2.set(key, value)

    async def clear(self) -> None:
        await self.l1.clear()
        await self.l2.clear()

    async def close(self) -> None:
        await self.l1.close()
        await self.l2.close()

    def stats(self) -> list[CacheStats]:
        return [*self.l1.stats(), *self.l2.stats()]
