"""Response cache: in-process LRU, Redis, or both (Redis behind an in-process level)."""

from __future__ import annotations

from urllib.parse import urlsplit

from microcred_hub.cache.base import CacheStats, ResponseCache
from microcred_hub.cache.memory import MemoryCache
from microcred_hub.cache.redis import RedisCache, check_kind
from microcred_hub.cache.two_level import TwoLevelCache
from microcred_hub.errors import ConfigError

__all__ = [
    "CacheStats",
    "MemoryCache",
    "RedisCache",
    "ResponseCache",
    "TwoLevelCache",
    "check_cache",
    "open_cache",
]


def open_cache(
    url: str,
    ttl_seconds: float = 300.0,
    *,
    max_entries: int = 10_000,
    prefix: str = "mch:cache:",
    cluster: bool = False,
) -> ResponseCache:
    """The cache ``[cache] url`` names: ``memory://``, or Redis behind an in-process LRU.

    Nothing is connected yet, and an unreachable Redis later only costs cache misses.
    """
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryCache(max_entries, ttl_seconds)
    if scheme in ("redis", "rediss"):
        return TwoLevelCache(
            MemoryCache(max_entries, ttl_seconds),
            RedisCache(url, prefix, ttl_seconds, cluster=cluster),
        )
    raise ConfigError(
        f"unknown cache URL {url!r}; use memory://, redis://host:port/db or rediss://host:port/db",
        key="cache.url",
    )


async def check_cache(url: str, *, cluster: bool, file: str | None = None) -> None:
    """At start: a Redis cache must be the kind ``[cache] cluster`` says (ConfigError if not)."""
    if urlsplit(url).scheme in ("redis", "rediss"):
        await check_kind(url, cluster=cluster, file=file)
