"""Connector state: kept in the store, so any replica (or a restarted hub) re-harvests cheaply.

Two hubs are two `microcred-hub harvest` processes on one store (one Redis prefix, or one
memory snapshot read again after the first process exited): the second re-harvests what the
first harvested, and the register sees one conditional request per page and nothing more.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio
from aiohttp import web

from microcred_hub.config import SourceConfig
from microcred_hub.harvest import harvest_source
from microcred_hub.record import record_encoder
from microcred_hub.sdk import ConnectorContractError, ConnectorState
from microcred_hub.store import RedisStore
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.store.helpers import RedisServer, free_port
from tests.support.hub_process import hub_command
from tests.support.registers import nzqa_app, start
from tests.test_replicas import REDIS_URL, prefix  # noqa: F401 - the fixture

PAGES = 3  # the nzqa fixture feed at page_size 5


@pytest.fixture(params=["redis", "snapshot"])
def store_table(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "snapshot":
        return f'url = "memory://"\nsnapshot = "{tmp_path / "snapshot.json"}"'
    # the replicas' own Redis prefix fixture: skips without Redis, cleans up after
    key_prefix = request.getfixturevalue("prefix")
    return f'url = "{REDIS_URL}"\nprefix = "{key_prefix}"'


@pytest.fixture
async def register() -> AsyncIterator[tuple[web.Application, str]]:
    app = nzqa_app()
    runner, url = await start(app)
    yield app, url
    await runner.cleanup()


async def harvest(config: Path) -> str:
    """One `microcred-hub harvest`: a process of its own, as another replica would be."""
    proc = await asyncio.create_subprocess_exec(
        *hub_command(),
        "harvest",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=os.environ.copy(),
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    return text


def write_config(tmp_path: Path, name: str, store: str, url: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[store]\n{store}\n\n[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\n'
        f'url = "{url}/microcredentials"\npage_size = 5\n',
        encoding="utf-8",
    )
    return path


async def test_a_second_hub_re_harvests_with_one_conditional_request_per_page(
    register: tuple[web.Application, str], store_table: str, tmp_path: Path
) -> None:
    app, url = register
    faults = app["faults"]
    await harvest(write_config(tmp_path, "a", store_table, url))
    assert (faults.requests, faults.not_modified) == (PAGES, 0)
    out = await harvest(write_config(tmp_path, "b", store_table, url))
    assert "1 source(s), 12 records, all succeeded" in out
    # one request a page, each answered 304: nothing read again
    assert (faults.requests - PAGES, faults.not_modified) == (PAGES, PAGES)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of our own: its command counts are this test's alone."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH: install Redis to count its commands")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.kill()


async def reset_stats(url: str) -> None:
    client = redis.asyncio.Redis.from_url(url)
    try:
        await client.config_resetstat()
    finally:
        await client.aclose()


async def redis_stats(url: str) -> tuple[dict[str, int], int]:
    """Calls per command, and bytes the clients sent, since the last CONFIG RESETSTAT."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        commands = await client.info("commandstats")
        sent = (await client.info("stats"))["total_net_input_bytes"]
    finally:
        await client.aclose()
    calls = {name.removeprefix("cmdstat_"): value["calls"] for name, value in commands.items()}
    return calls, int(sent)


async def test_an_unchanged_re_harvest_by_another_replica_reads_and_writes_no_record(
    register: tuple[web.Application, str], own_redis: RedisServer
) -> None:
    app, url = register
    faults = app["faults"]
    source = SourceConfig(key="nzqa", connector="nzqa", url=f"{url}/microcredentials")
    first = RedisStore(own_redis.url)
    await first.open()
    try:
        done = await harvest_source(source, NzqaConnector(NzqaOptions(page_size=5)), first)
        assert done.ok and done.added == 12
    finally:
        await first.close()
    # another replica: its own store client and connector, nothing in its process memory
    second = RedisStore(own_redis.url)
    await second.open()
    try:
        await reset_stats(own_redis.url)
        again = await harvest_source(source, NzqaConnector(NzqaOptions(page_size=5)), second)
        calls, sent = await redis_stats(own_redis.url)
        stored = await second.records("nzqa")
    finally:
        await second.close()
    assert again.ok and again.unchanged == 12, again
    assert (faults.requests - PAGES, faults.not_modified) == (PAGES, PAGES)
    # records are read with SMEMBERS / HSCAN + HMGET, written with HSET + SADD / SREM / INCR
    read_or_written = {"smembers", "hscan", "hmget", "sadd", "srem", "hdel", "incr"}
    assert not read_or_written & set(calls), sorted(calls.items())
    # two HSETs, the source's state (harvesting, then done); the page memory did not change
    assert calls["hset"] == 2, sorted(calls.items())
    # states (and their notes), page memory, and the names of the source's 64 digest buckets
    # only: no record went back, nor the quarantine
    assert sent < sum(len(record_encoder.encode(r)) for r in stored) / 2, sent


def test_state_that_is_not_json_is_refused_naming_the_rule() -> None:
    with pytest.raises(ConnectorContractError, match="must be JSON"):
        ConnectorState().set({"when": object()})  # type: ignore[dict-item]


def test_state_over_its_size_limit_is_refused_and_the_old_value_kept() -> None:
    state = ConnectorState({"kept": 1}, max_bytes=64)
    with pytest.raises(ConnectorContractError, match="over the limit of 64"):
        state.set({"pages": "x" * 100})
    assert state.value == {"kept": 1} and not state.changed


def test_state_set_to_what_it_kept_is_not_written_back() -> None:
    state = ConnectorState({"pages": {"a": [1, 2]}})
    state.value["pages"]["a"].append(3)  # type: ignore[call-overload, union-attr]
    state.set(state.value)  # changed in place, then set: changed
    assert state.changed
    state.set({"pages": {"a": [1, 2]}})  # back to what was kept: nothing to write
    assert not state.changed


def test_state_stored_by_another_connector_is_not_handed_over() -> None:
    stored = ConnectorState({"cursor": "abc"})
    data = stored.dump("nzqa")
    assert ConnectorState.load(data, "nzqa").value == {"cursor": "abc"}
    assert ConnectorState.load(data, "elm").value is None
    assert ConnectorState.load(b"not json", "nzqa").value is None
