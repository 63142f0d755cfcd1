"""The wiring: start and stop leave nothing open behind them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import redis.asyncio

from microcred_hub.config import parse_config
from microcred_hub.runtime import Hub
from tests.store.helpers import RedisServer, free_port


async def _clients(url: str) -> int:
    """Connections the server holds, this one included."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        return len(await client.client_list())
    finally:
        await client.aclose()


async def test_stopping_the_hub_closes_the_cache_client(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: the test runs its own on a free port")
    server = RedisServer(free_port())
    server.start()
    try:
        config = parse_config(
            f'[cache]\nurl = "{server.url}"\n', file="hub.toml", config_dir=tmp_path
        )
        hub = Hub(config, plugins={})
        await hub.start(schedule=False)
        await hub.cache.set("answer", b"42")  # opens the cache's connection
        assert await _clients(server.url) == 2
        await hub.stop()
        assert await _clients(server.url) == 1
    finally:
        server.kill()
