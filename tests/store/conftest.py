"""Store fixtures: every backend, the shared Redis with a private prefix, and our own Redis."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import cast

import pytest

from microcred_hub.store import MemoryStore, RedisStore
from tests.store.helpers import (
    REDIS_URL,
    RedisServer,
    drop_prefix,
    free_port,
    redis_reachable,
    require_redis,
)
from tests.support.redis_cluster import RedisCluster, drop_cluster_prefix


@pytest.fixture
def redis_prefix() -> str:
    return f"mch-test:{uuid.uuid4().hex}:"


@pytest.fixture(params=["redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> tuple[str, bool]:
    """A standalone Redis or the test run's Redis Cluster: (url, cluster)."""
    if request.param == "redis":
        return require_redis(), False
    cluster: RedisCluster = request.getfixturevalue("redis_cluster")
    return cluster.url, True


@pytest.fixture
async def redis_cleanup(redis_prefix: str, redis_backend: tuple[str, bool]) -> AsyncIterator[str]:
    yield redis_prefix
    url, cluster = redis_backend
    if cluster:
        await drop_cluster_prefix(url, redis_prefix)
    elif redis_reachable():
        await drop_prefix(REDIS_URL, redis_prefix)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def store(
    request: pytest.FixtureRequest, redis_prefix: str
) -> AsyncIterator[MemoryStore | RedisStore]:
    if request.param == "memory":
        memory = MemoryStore()
        await memory.open()
        yield memory
        await memory.close()
        return
    on_cluster = request.param == "cluster"
    if on_cluster:
        url = cast("RedisCluster", request.getfixturevalue("redis_cluster")).url
    else:
        url = require_redis()
    backend = RedisStore(url, prefix=redis_prefix, cluster=on_cluster, reconnect_delay=(0.05, 0.5))
    await backend.open()
    yield backend
    await backend.close()
    await (drop_cluster_prefix if on_cluster else drop_prefix)(url, redis_prefix)


@pytest.fixture
async def make_redis_store(
    redis_cleanup: str, redis_backend: tuple[str, bool]
) -> AsyncIterator[Callable[..., Awaitable[RedisStore]]]:
    """Open RedisStores on one private prefix (replicas of one hub), on a standalone Redis and
    on a cluster; closed after the test."""
    opened: list[RedisStore] = []
    default_url, cluster = redis_backend

    async def make(url: str | None = None, **options: object) -> RedisStore:
        options.setdefault("reconnect_delay", (0.05, 0.3))
        options.setdefault("cluster", cluster and url is None)
        store = RedisStore(url or default_url, prefix=redis_cleanup, **options)  # type: ignore[arg-type]
        await store.open()
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH: install Redis to test restarts")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.kill()
