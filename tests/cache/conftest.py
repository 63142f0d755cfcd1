"""Cache fixtures: every backend; Redis ones under a private prefix, deleted afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from microcred_hub.cache import ResponseCache
from tests.cache.helpers import build
from tests.store.helpers import REDIS_URL, drop_prefix, redis_reachable


@pytest.fixture
async def cache_prefix() -> AsyncIterator[str]:
    prefix = f"mch-test:{uuid.uuid4().hex}:cache:"
    yield prefix
    if redis_reachable():
        await drop_prefix(REDIS_URL, prefix)


@pytest.fixture(params=["memory", "redis", "two-level"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def cache(kind: str, cache_prefix: str) -> AsyncIterator[ResponseCache]:
    built = build(kind, cache_prefix)
    yield built
    await built.close()
