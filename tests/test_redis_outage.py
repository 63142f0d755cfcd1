"""Redis goes away mid-flight: the hub keeps answering from memory, says so, and recovers."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from microcred_hub.errors import ConfigError
from microcred_hub.store import RedisStore
from tests.support.hub_process import HubProcess, free_port, graphql, wait_for
from tests.support.registers import nzqa_app, start

SOURCES = "{ sources { key status recordCount lastError } }"
COUNT = "{ microcredentials { totalCount } }"


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test can kill and restart."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()

    async def ready(self) -> None:
        async def pong() -> bool:
            client = aioredis.from_url(f"redis://127.0.0.1:{self.port}/0")
            try:
                return bool(await client.ping())
            except (OSError, RedisError):
                return False
            finally:
                await client.aclose()

        await wait_for(pong, within=10)

    async def record_count(self) -> int:
        store = RedisStore(f"redis://127.0.0.1:{self.port}/0")
        try:
            await store.open()
            return len(await store.records())
        except ConfigError as exc:  # not reachable (yet)
            raise OSError(str(exc)) from exc
        finally:
            await store.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
async def register_url() -> AsyncIterator[str]:
    runner, url = await start(nzqa_app())
    yield url
    await runner.cleanup()


async def test_answers_continue_while_redis_is_down_and_recover_when_it_returns(
    tmp_path: Path, own_redis: OwnRedis, register_url: str
) -> None:
    await own_redis.ready()
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[store]
url = "redis://127.0.0.1:{own_redis.port}/0"

[cache]
url = "redis://127.0.0.1:{own_redis.port}/1"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{register_url}/microcredentials"
interval_seconds = 3600
"""
    )
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def total(expected: int) -> bool:
            _, body = await graphql(session, hub.url, COUNT)
            return body.get("data", {}).get("microcredentials", {}).get("totalCount") == expected

        await wait_for(lambda: total(12))
        assert await own_redis.record_count() == 12

        own_redis.kill()
        for _ in range(3):  # still answering, from the in-memory index
            status, body = await graphql(session, hub.url, COUNT)
            assert status == 200 and body["data"]["microcredentials"]["totalCount"] == 12
        _, body = await graphql(session, hub.url, SOURCES)
        source = body["data"]["sources"][0]
        assert source["status"] == "STALE" and "store unreachable" in source["lastError"]
        assert body["extensions"]["sources"][0]["key"] == "nzqa"
        async with session.get(hub.url + "/readyz") as resp:
            assert resp.status == 200
            assert "unreachable" in (await resp.json())["store"]

        own_redis.start()  # back, and empty (no persistence): the hub writes its data back
        await own_redis.ready()
        await wait_for(lambda: _records_back(own_redis), within=20)

        async def ok_again() -> bool:
            _, body = await graphql(session, hub.url, SOURCES)
            return body["data"]["sources"][0]["status"] == "OK"

        await wait_for(ok_again, within=10)
        assert await total(12)


async def _records_back(server: OwnRedis) -> bool:
    try:
        return await server.record_count() == 12
    except (OSError, RedisError):
        await asyncio.sleep(0.1)
        return False
