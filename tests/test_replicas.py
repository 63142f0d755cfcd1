"""Several `microcred-hub serve` replicas on one real Redis: harvest once, serve the same data.

Each test uses its own Redis key prefix (cleaned up after), so runs never see each other's data.
"""

from __future__ import annotations

import json
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from tests.support.hub_process import HubProcess, graphql, wait_for
from tests.support.registers import NZQA_FIXTURES, nzqa_app, start

REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN = {"Authorization": "Bearer replica-admin-token-7d3a"}
COUNT = '{ microcredentials(filter: {source: ["nzqa"]}) { totalCount } }'


async def redis_up() -> bool:
    client = aioredis.from_url(REDIS_URL)
    try:
        return bool(await client.ping())
    except OSError:
        return False
    finally:
        await client.aclose()


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    if not await redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start it: redis-server --port 6379)")
    value = f"mch-test-{uuid.uuid4().hex[:10]}:"
    yield value
    client = aioredis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=value + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def register() -> AsyncIterator[tuple[web.Application, str]]:
    app = nzqa_app()
    runner, url = await start(app)
    yield app, url
    await runner.cleanup()


def config(
    tmp_path: Path,
    name: str,
    prefix: str,
    register_url: str,
    *,
    redis_url: str = REDIS_URL,
    cache_url: str = "memory://",
) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f"""
[store]
url = "{redis_url}"
prefix = "{prefix}"
lock_ttl_seconds = 2

[cache]
url = "{cache_url}"

[admin]
token = "replica-admin-token-7d3a"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{register_url}/microcredentials"
page_size = 5
interval_seconds = 3600
timeout_seconds = 30
retries = 0
"""
    )
    return path


async def count(session: aiohttp.ClientSession, hub: HubProcess) -> int:
    _, body = await graphql(session, hub.url, COUNT)
    return int(body["data"]["microcredentials"]["totalCount"])


async def test_two_replicas_harvest_once_and_both_serve_new_data_within_seconds(
    tmp_path: Path, prefix: str, register: tuple[web.Application, str]
) -> None:
    app, url = register
    async with (
        HubProcess(config(tmp_path, "a", prefix, url)) as a,
        HubProcess(config(tmp_path, "b", prefix, url)) as b,
        aiohttp.ClientSession() as session,
    ):
        await wait_for(lambda: _equals(count(session, a), 12))
        await wait_for(lambda: _equals(count(session, b), 12))
        feed_requests = [p for p in app["faults"].paths if p.startswith("/microcredentials")]
        assert len(feed_requests) == 3, feed_requests  # one harvest: three pages, not two harvests

        # the register adds a listing; a harvest on replica a; replica b serves it too
        pages = [json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)]
        new = dict(
            pages[2]["items"][-1], reference="MC9999", title="Freshly Listed Micro-credential"
        )
        pages[2]["items"].append(new)
        app["pages"] = [json.dumps(p).encode() for p in pages]
        async with session.post(a.url + "/admin/harvest", headers=ADMIN) as resp:
            assert resp.status == 202
        await wait_for(lambda: _equals(count(session, b), 13), within=10)
        _, body = await graphql(session, b.url, '{ microcredential(id: "nzqa:MC9999") { title } }')
        assert body["data"]["microcredential"]["title"] == "Freshly Listed Micro-credential"


async def redis_cache_hits(session: aiohttp.ClientSession, hub: HubProcess) -> float:
    async with session.get(hub.url + "/metrics") as resp:
        text = await resp.text()
    line = 'mch_cache_level_lookups{level="redis",outcome="hit"} '
    return float(next((x[len(line) :] for x in text.splitlines() if x.startswith(line)), "0"))


async def test_an_answer_cached_by_one_replica_is_a_hit_for_the_other_until_the_data_changes(
    tmp_path: Path, prefix: str, register: tuple[web.Application, str]
) -> None:
    app, url = register
    shared = {"cache_url": REDIS_URL}
    query = '{ microcredentials(filter: {source: ["nzqa"]}) { totalCount } sources { status } }'
    async with (
        HubProcess(config(tmp_path, "a", prefix, url, **shared)) as a,
        aiohttp.ClientSession() as session,
    ):
        await wait_for(lambda: _equals(count(session, a), 12))
        # b starts after the harvest, so a's and b's histories differ but the data does not
        async with HubProcess(config(tmp_path, "b", prefix, url, **shared)) as b:
            _, from_a = await graphql(session, a.url, query)
            assert await redis_cache_hits(session, b) == 0
            _, from_b = await graphql(session, b.url, query)
            assert from_b == from_a
            assert await redis_cache_hits(session, b) == 1  # b never ran the query itself

            pages = [
                json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)
            ]
            pages[2]["items"].append(dict(pages[2]["items"][-1], reference="MC9999"))
            app["pages"] = [json.dumps(p).encode() for p in pages]
            async with session.post(a.url + "/admin/harvest", headers=ADMIN) as resp:
                assert resp.status == 202
            await wait_for(lambda: _equals(count(session, b), 13), within=10)
            _, after = await graphql(session, b.url, query)
            assert after["data"]["microcredentials"]["totalCount"] == 13  # not the cached 12


async def test_a_replica_started_against_a_filled_redis_is_ready_without_harvesting(
    tmp_path: Path, prefix: str, register: tuple[web.Application, str]
) -> None:
    app, url = register
    async with (
        HubProcess(config(tmp_path, "a", prefix, url)) as a,
        aiohttp.ClientSession() as session,
    ):
        await wait_for(lambda: _equals(count(session, a), 12))
    before = app["faults"].requests
    async with (
        HubProcess(config(tmp_path, "b", prefix, url)) as b,
        aiohttp.ClientSession() as session,
    ):
        assert await count(session, b) == 12  # served at once, from Redis
    assert app["faults"].requests == before  # and no harvest was needed (interval not due)


async def test_killing_the_harvesting_replica_lets_the_other_take_over(
    tmp_path: Path, prefix: str, register: tuple[web.Application, str]
) -> None:
    app, url = register
    app["faults"].mode = "hang"  # replica a takes the lock and sticks in its harvest
    a = HubProcess(config(tmp_path, "a", prefix, url))
    a.start()
    try:
        await a.wait_ready()
        await wait_for(lambda: _gt(app["faults"].requests, 0))
        async with (
            HubProcess(config(tmp_path, "b", prefix, url)) as b,
            aiohttp.ClientSession() as session,
        ):
            assert await count(session, b) == 0  # b found the source locked: not harvesting it
            a.stop(signal.SIGKILL)  # a dies holding the lock
            app["faults"].mode = "ok"
            # the lock lapses after lock_ttl_seconds (2 s); b's schedule then harvests
            await wait_for(lambda: _equals(count(session, b), 12), within=20)
        feed = [p for p in app["faults"].paths if p.startswith("/microcredentials")]
        assert feed[0].startswith("/microcredentials?page=1") and len(feed) == 1 + 3
    finally:
        a.stop()


async def _equals(value, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return await value == expected


async def _gt(value: int, floor: int) -> bool:
    return value > floor
