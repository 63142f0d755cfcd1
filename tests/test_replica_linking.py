"""Replicas with duplicates linked, started as users start them: ready before linking is done,
the next replica serving the groups from the index image, SIGTERM heard while linking."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import msgspec
import pytest

from microcred_hub.generate import generate_list
from microcred_hub.record import Microcredential
from microcred_hub.store import RedisStore
from microcred_hub.store.images import _head_key
from tests.store.helpers import REDIS_URL, drop_prefix, fill_redis, require_redis
from tests.support.hub_process import HubProcess, graphql

#: hubs linking thousands of records on a busy machine: more than the suite's default
pytestmark = pytest.mark.timeout(900)
SOURCES = ("nzqa", "edubadges", "elm", "ctdl", "openbadges")
URL = REDIS_URL.rsplit("/", 1)[0] + "/13"
#: linking this many takes seconds: the hub is ready, and stopped, well before it is done
RECORDS = 8000
PAGE = """query($after: String) { microcredentials(first: 500, after: $after) {
  edges { node { id groupId sameAs { record { id } confidence evidence } } }
  pageInfo { hasNextPage endCursor } } }"""
DISTINCT = (
    "{ statistics(distinct: true) { count } microcredentials(distinct: true) { totalCount } }"
)


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    require_redis()
    name = f"mch-test:{uuid.uuid4().hex}:"
    yield name
    await drop_prefix(URL, name)


async def fill(prefix: str, records: list[Microcredential]) -> RedisStore:
    return await fill_redis(URL, prefix, records)


def config(tmp_path: Path, prefix: str) -> Path:
    """A replica over the filled Redis, serving the generated sources, never harvesting."""
    path = tmp_path / "replica.toml"
    lines = [f'[store]\nurl = "{URL}"\nprefix = "{prefix}"\n']
    for key in SOURCES:
        lines.append(
            f'[[sources]]\nkey = "{key}"\nconnector = "{key}"\nurl = "http://127.0.0.1:9/{key}"\n'
        )
    path.write_text("\n".join(lines))
    return path


async def readyz(hub: HubProcess) -> dict[str, object]:
    async with aiohttp.ClientSession() as session, session.get(hub.url + "/readyz") as resp:
        assert resp.status == 200
        return dict(await resp.json())


async def everything(session: aiohttp.ClientSession, hub: HubProcess) -> list[object]:
    """Every record's id, groupId and sameAs, page by page, and the distinct counts."""
    found: list[object] = []
    after = None
    while True:
        status, body = await graphql(session, hub.url, PAGE, {"after": after})
        assert status == 200 and "errors" not in body, body
        page = body["data"]["microcredentials"]  # type: ignore[index]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    _, counts = await graphql(session, hub.url, DISTINCT)
    assert "errors" not in counts, counts
    return [found, counts]


async def until_linked(hub: HubProcess) -> None:
    for _ in range(3000):
        if (await readyz(hub))["duplicates"] == "linked":
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not linked:\n{hub.output()}")


def stops_cleanly(hub: HubProcess) -> bool:
    """SIGTERM, then whether the hub shut down in order (a generous wait: what makes it
    prompt is that it stops linking rather than finish it first)."""
    assert hub.proc is not None
    hub.proc.send_signal(signal.SIGTERM)
    try:
        code = hub.proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        hub.proc.kill()
        hub.proc.wait()
        raise AssertionError(f"the hub ignored SIGTERM:\n{hub.output()}") from None
    # uvicorn raises the signal again once shut down: killed by it, after a clean shutdown
    return code in (0, -signal.SIGTERM) and "Application shutdown complete" in hub.output()


async def test_sigterm_while_linking_every_record_stops_the_hub(
    prefix: str, tmp_path: Path
) -> None:
    writer = await fill(prefix, generate_list(RECORDS, seed=12))
    hub = HubProcess(config(tmp_path, prefix), extra_args=("--no-harvest",))
    hub.start()
    try:
        await hub.wait_ready(within=300)
        status = await readyz(hub)
        # ready and serving every record while the groups are still being linked
        assert status["records"] == RECORDS and status["duplicates"] == "linking"
        assert stops_cleanly(hub)
        assert "duplicates: stopped after" in hub.output()
        assert "duplicates linked over" not in hub.output()
    finally:
        hub.stop()
        await writer.close()


async def test_the_next_replica_serves_the_groups_of_the_image_the_first_wrote(
    prefix: str, tmp_path: Path
) -> None:
    writer = await fill(prefix, generate_list(RECORDS // 2, seed=12))
    path = config(tmp_path, prefix)
    first = HubProcess(path, extra_args=("--no-harvest",))
    first.start()
    try:
        await first.wait_ready(within=300)
        await until_linked(first)
        for _ in range(600):  # the image with the groups follows the linking
            head = await writer._client().get(_head_key(writer))
            if head is not None and msgspec.json.decode(head)["linked"]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no image with the groups:\n{first.output()}")
        second = HubProcess(path, extra_args=("--no-harvest",))
        second.start()
        try:
            await second.wait_ready(within=300)
            assert (await readyz(second))["duplicates"] in ("restored", "linked")
            async with aiohttp.ClientSession() as session:
                expected = await everything(session, first)
                served = await everything(session, second)
            nodes = expected[0]
            assert isinstance(nodes, list) and len(nodes) == RECORDS // 2
            assert any(node["sameAs"] for node in nodes)  # groups are there to compare
            assert served == expected
            assert "duplicate groups restored from the index image" in second.output()
            assert stops_cleanly(second)
        finally:
            second.stop()
    finally:
        first.stop()
        await writer.close()
