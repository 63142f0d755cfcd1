"""Fixtures every test folder may use: the Redis Cluster is started once per run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.redis_cluster import RedisCluster


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisCluster]:
    """Three primaries with one replica each, on free ports; torn down after the run."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server and redis-cli are not on PATH: install Redis to test a cluster")
    cluster = RedisCluster()
    cluster.start()
    yield cluster
    cluster.stop()
