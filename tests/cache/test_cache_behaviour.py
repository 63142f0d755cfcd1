"""One behavioural suite over every response cache: memory, Redis and the two-level one."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from microcred_hub.cache import (
    MemoryCache,
    RedisCache,
    ResponseCache,
    TwoLevelCache,
    open_cache,
)
from microcred_hub.errors import ConfigError
from tests.cache.helpers import build
from tests.store.helpers import RedisServer, free_port, require_redis


def totals(cache: ResponseCache) -> tuple[int, int]:
    """(hits, misses) as a client sees them: an l2 lookup only follows an l1 miss."""
    stats = cache.stats()
    return sum(s.hits for s in stats), stats[-1].misses


async def test_get_returns_what_set_stored(cache: ResponseCache) -> None:
    assert await cache.get("v1:query") is None
    await cache.set("v1:query", b'{"data": {}}')
    await cache.set("v1:other", b"\x00binary\xff")
    assert await cache.get("v1:query") == b'{"data": {}}'
    assert await cache.get("v1:other") == b"\x00binary\xff"


async def test_set_replaces_the_previous_value(cache: ResponseCache) -> None:
    await cache.set("k", b"old")
    await cache.set("k", b"new")
    assert await cache.get("k") == b"new"


async def test_clear_empties_the_cache(cache: ResponseCache) -> None:
    await cache.set("a", b"1")
    await cache.set("b", b"2")
    await cache.clear()
    assert await cache.get("a") is None
    assert await cache.get("b") is None


async def test_entries_expire_after_the_ttl(
    kind: str, cache_prefix: str, cache_url: str | None
) -> None:
    cache = build(kind, cache_prefix, cache_url, ttl=0.15)
    await cache.set("k", b"v")
    assert await cache.get("k") == b"v"
    await asyncio.sleep(0.3)
    assert await cache.get("k") is None
    await cache.close()


async def test_hits_and_misses_are_counted(cache: ResponseCache) -> None:
    await cache.get("absent")
    await cache.set("k", b"v")
    await cache.get("k")
    await cache.get("k")
    assert totals(cache) == (2, 1)


async def test_stats_name_every_level(kind: str, cache: ResponseCache) -> None:
    expected = {"memory": ["memory"], "redis": ["redis"], "two-level": ["memory", "redis"]}
    assert [s.level for s in cache.stats()] == expected[kind.removesuffix("-cluster")]


async def test_least_recently_used_entry_is_evicted_first() -> None:
    cache = MemoryCache(max_entries=2, ttl_seconds=60)
    await cache.set("a", b"1")
    await cache.set("b", b"2")
    await cache.get("a")  # a is now more recent than b
    await cache.set("c", b"3")
    assert await cache.get("b") is None
    assert await cache.get("a") == b"1"
    assert await cache.get("c") == b"3"
    assert len(cache) == 2


async def test_memory_cache_keeps_within_its_byte_budget() -> None:
    cache = MemoryCache(max_entries=100, ttl_seconds=60, max_bytes=10)
    await cache.set("a", b"12345")
    await cache.set("b", b"12345")
    await cache.set("c", b"12345")
    await cache.set("huge", b"x" * 11)  # larger than the whole budget: not kept
    assert [await cache.get(k) for k in ("a", "b", "c", "huge")] == [None, b"12345", b"12345", None]


async def test_two_level_fills_the_first_level_from_the_second(cache_prefix: str) -> None:
    shared = RedisCache(require_redis(), cache_prefix)
    await shared.set("k", b"from another replica")
    local = MemoryCache()
    cache = TwoLevelCache(local, shared)

    assert await cache.get("k") == b"from another replica"
    assert await cache.get("k") == b"from another replica"
    assert (local.hits, local.misses, shared.hits) == (1, 1, 1)
    await cache.close()


async def test_redis_prefixes_keep_caches_apart(cache_prefix: str) -> None:
    one = RedisCache(require_redis(), cache_prefix + "one:")
    two = RedisCache(require_redis(), cache_prefix + "two:")
    await one.set("k", b"1")
    await two.set("k", b"2")
    await one.clear()
    assert (await one.get("k"), await two.get("k")) == (None, b"2")
    await one.close()
    await two.close()


async def test_unreachable_redis_is_a_miss_never_an_error() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", "p:", pause_seconds=60)
    await cache.set("k", b"v")
    assert await cache.get("k") is None
    await cache.clear()
    assert await cache.get("k") is None
    stats = cache.stats()[0]
    # gets are skipped while paused after a failure; clear (an admin action) always tries
    assert (stats.hits, stats.misses, stats.errors) == (0, 2, 2)
    await cache.close()


async def test_two_level_serves_from_memory_while_redis_is_down() -> None:
    down = RedisCache(f"redis://127.0.0.1:{free_port()}/0", "p:")
    cache = TwoLevelCache(MemoryCache(), down)
    await cache.set("k", b"v")
    assert await cache.get("k") == b"v"
    await cache.close()


async def test_redis_cache_recovers_when_redis_returns(cache_prefix: str) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH: install Redis to test restarts")
    server = RedisServer(free_port())
    server.start()
    cache = RedisCache(server.url, cache_prefix, pause_seconds=0.1)
    try:
        await cache.set("k", b"v")
        assert await cache.get("k") == b"v"
        server.kill()
        assert await cache.get("k") is None
        server.start()
        await asyncio.sleep(0.15)  # the pause after a failure
        await cache.set("k", b"again")
        assert await cache.get("k") == b"again"
        assert cache.errors >= 1
    finally:
        await cache.close()
        server.kill()


def test_open_cache_picks_the_backend_from_the_url() -> None:
    assert isinstance(open_cache("memory://", 60), MemoryCache)
    shared = open_cache("redis://127.0.0.1:6379/1", 60, max_entries=5)
    assert isinstance(shared, TwoLevelCache)
    assert [s.level for s in shared.stats()] == ["memory", "redis"]


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "", "redis"])
def test_unknown_cache_url_names_the_key_and_the_accepted_schemes(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_cache(url, 60)
    assert caught.value.key == "cache.url"
    assert "memory://" in str(caught.value)
    assert "redis://" in str(caught.value)
