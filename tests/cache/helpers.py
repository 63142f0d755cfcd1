"""Build any response cache backend for the cache tests."""

from __future__ import annotations

from microcred_hub.cache import MemoryCache, RedisCache, ResponseCache, TwoLevelCache

#: every backend the behavioural suite runs over
KINDS = ["memory", "redis", "two-level", "redis-cluster", "two-level-cluster"]


def build(
    kind: str, prefix: str, url: str | None, *, ttl: float = 300.0, max_entries: int = 100
) -> ResponseCache:
    if kind == "memory" or url is None:
        return MemoryCache(max_entries, ttl)
    redis_cache = RedisCache(url, prefix, ttl, cluster=kind.endswith("cluster"))
    if kind.startswith("redis"):
        return redis_cache
    return TwoLevelCache(MemoryCache(max_entries, ttl), redis_cache)
