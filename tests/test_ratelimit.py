"""Per-client token buckets: in process, and shared by replicas through the real Redis."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from microcred_hub.ratelimit import RateLimiter, RedisRateLimiter

REDIS = "redis://127.0.0.1:6379/0"


async def test_a_client_gets_its_burst_then_is_refused_and_others_are_not() -> None:
    limiter = RateLimiter(rate=0.5, burst=3)
    assert [await limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") >= 1
    assert await limiter.allow("b")


async def test_replicas_share_one_bucket_per_client_through_redis() -> None:
    client = aioredis.from_url(REDIS)
    try:
        await client.ping()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"mch-test-{uuid.uuid4().hex[:8]}:"
    one = RedisRateLimiter(0.5, 3, REDIS, prefix=prefix)
    two = RedisRateLimiter(0.5, 3, REDIS, prefix=prefix)
    answers = [
        await one.allow("c"),
        await two.allow("c"),
        await one.allow("c"),
        await two.allow("c"),
    ]
    assert answers == [True, True, True, False]  # one burst of 3 across both replicas
    assert two.retry_after("c") >= 1
    await one.close()
    await two.close()
    async for key in client.scan_iter(match=prefix + "*"):
        await client.delete(key)
    await client.aclose()


async def test_the_redis_limiter_falls_back_to_the_local_bucket_when_redis_is_down() -> None:
    limiter = RedisRateLimiter(0.5, 2, "redis://127.0.0.1:9/0", prefix="mch-test:")
    assert [await limiter.allow("d") for _ in range(3)] == [True, True, False]
