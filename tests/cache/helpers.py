"""Build any response cache backend for the cache tests."""

from __future__ import annotations

from microcred_hub.cache import MemoryCache, RedisCache, ResponseCache, TwoLevelCache
from tests.store.helpers import require_redis


def build(kind: str, prefix: str, *, ttl: float = 300.0, max_entries: int = 100) -> ResponseCache:
    if kind == "memory":
        return MemoryCache(max_entries, ttl)
    redis_cache = RedisCache(require_redis(), prefix, ttl)
    if kind == "redis":
        return redis_cache
    return TwoLevelCache(MemoryCache(max_entries, ttl), redis_cache)
