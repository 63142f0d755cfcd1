"""Cache fixtures: every backend; Redis ones under a private prefix, deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import cast

import pytest

from microcred_hub.cache import ResponseCache
from tests.cache.helpers import KINDS, build
from tests.store.helpers import REDIS_URL, drop_prefix, redis_reachable, require_redis
from tests.support.redis_cluster import RedisCluster


@pytest.fixture
async def cache_prefix() -> AsyncIterator[str]:
    prefix = f"mch-test:{uuid.uuid4().hex}:cache:"
    yield prefix
    if redis_reachable():
        await drop_prefix(REDIS_URL, prefix)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cache_url(kind: str, request: pytest.FixtureRequest) -> str | None:
    """Where the kind's Redis level lives: the standalone server or the run's cluster."""
    if kind == "memory":
        return None
    if kind.endswith("cluster"):
        return cast("RedisCluster", request.getfixturevalue("redis_cluster")).url
    return require_redis()


@pytest.fixture
async def cache(
    kind: str, cache_prefix: str, cache_url: str | None
) -> AsyncIterator[ResponseCache]:
    built = build(kind, cache_prefix, cache_url)
    yield built
    await built.clear()  # on a cluster too, where the prefix fixture does not look
    await built.close()
