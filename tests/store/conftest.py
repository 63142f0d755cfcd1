"""Store fixtures: every backend, the shared Redis with a private prefix, and our own Redis."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

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


@pytest.fixture
def redis_prefix() -> str:
    return f"mch-test:{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_cleanup(redis_prefix: str) -> AsyncIterator[str]:
    yield redis_prefix
    if redis_reachable():
        await drop_prefix(REDIS_URL, redis_prefix)


@pytest.fixture(params=["memory", "redis"])
async def store(
    request: pytest.FixtureRequest, redis_cleanup: str
) -> AsyncIterator[MemoryStore | RedisStore]:
    backend: MemoryStore | RedisStore
    if request.param == "memory":
        backend = MemoryStore()
    else:
        backend = RedisStore(require_redis(), prefix=redis_cleanup, reconnect_delay=(0.05, 0.5))
    await backend.open()
    yield backend
    await backend.close()


@pytest.fixture
async def make_redis_store(
    redis_cleanup: str,
) -> AsyncIterator[Callable[..., Awaitable[RedisStore]]]:
    """Open RedisStores on one private prefix (replicas of one hub); closed after the test."""
    opened: list[RedisStore] = []

    async def make(url: str | None = None, **options: object) -> RedisStore:
        options.setdefault("reconnect_delay", (0.05, 0.3))
        store = RedisStore(url or require_redis(), prefix=redis_cleanup, **options)  # type: ignore[arg-type]
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
