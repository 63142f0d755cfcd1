"""What only a Redis Cluster has: records spread over nodes, and a primary failing over."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from microcred_hub.store import ChangeSet, RedisStore, StoreUnavailableError
from microcred_hub.store._redis_keys import RedisKeys
from tests.factories import make_record
from tests.store.helpers import Recorder, wait_for
from tests.support.redis_cluster import RedisCluster, drop_cluster_prefix


@pytest.fixture
async def on_cluster(redis_cluster: RedisCluster) -> AsyncIterator[RedisStore]:
    prefix = f"mch-test:{uuid.uuid4().hex}:"
    store = RedisStore(redis_cluster.url, prefix=prefix, cluster=True)
    await store.open()
    yield store
    await store.close()
    await drop_cluster_prefix(redis_cluster.url, prefix)


@pytest.fixture
def own_cluster() -> Iterator[RedisCluster]:
    """A cluster of this test's own, as it kills one of its primaries."""
    cluster = RedisCluster()
    cluster.start()
    yield cluster
    cluster.stop()


def keys_on(cluster: RedisCluster, port: int, prefix: str) -> int:
    with cluster.client(port) as node:
        return sum(1 for _ in node.scan_iter(match=prefix + "*", count=1000))


async def test_records_spread_over_every_primary(
    on_cluster: RedisStore, redis_cluster: RedisCluster
) -> None:
    records = tuple(make_record(f"MC{i}") for i in range(500))
    await on_cluster.apply(ChangeSet(source="nzqa", upserts=records))

    primaries = {redis_cluster.primary_of(on_cluster.keys.records("nzqa", n)) for n in range(64)}
    assert len(primaries) == 3
    for port in primaries:
        assert keys_on(redis_cluster, port, on_cluster.prefix) > 0
    assert len(await on_cluster.records("nzqa")) == 500


async def test_acknowledged_records_survive_a_primary_failing_over(
    own_cluster: RedisCluster,
) -> None:
    keys = RedisKeys("mch-failover:")
    writer = RedisStore(own_cluster.url, prefix=keys.prefix, cluster=True)
    reader = RedisStore(own_cluster.url, prefix=keys.prefix, cluster=True)
    heard = Recorder()
    reader.subscribe(heard)
    await writer.open()
    await reader.open()
    acknowledged: list[str] = []

    async def write(batch: int) -> None:
        """One batch of records, retried until the store acknowledges it."""
        records = tuple(make_record(f"B{batch}-{i}") for i in range(50))
        while True:
            with contextlib.suppress(StoreUnavailableError):
                await writer.apply(ChangeSet(source="nzqa", upserts=records))
                acknowledged.extend(r.id for r in records)
                return
            await asyncio.sleep(0.2)

    try:
        await wait_for(lambda: reader.connected, within=5)
        for batch in range(5):
            await write(batch)
        # the primary of the hub's own keys (version, channel) and of some record buckets
        victim = own_cluster.primary_of(keys.version)
        promoted = own_cluster.replica_of(victim)
        own_cluster.kill(victim)
        for batch in range(5, 15):
            await write(batch)
        with own_cluster.client(promoted) as node:
            assert node.execute_command("ROLE")[0] == b"master"

        # a store opened now starts from a live node (the URL's node may be the one killed)
        live = f"redis://127.0.0.1:{promoted}/0"
        fresh = RedisStore(live, prefix=keys.prefix, cluster=True)
        await fresh.open()
        try:
            stored = {r.id for r in await fresh.records("nzqa")}
        finally:
            await fresh.close()
        assert set(acknowledged) <= stored
        assert len(acknowledged) == 15 * 50
        # the reader lost its subscription with the node, subscribed again and caught up
        await wait_for(lambda: _heard_ids(heard) >= set(acknowledged), within=15)
    finally:
        await writer.close()
        await reader.close()


def _heard_ids(heard: Recorder) -> set[str]:
    ids: set[str] = set()
    for change, _ in heard.calls:
        if change.full:
            ids = set()
        ids.update(r.id for r in change.upserts)
    return ids


async def test_an_acknowledged_write_waits_for_the_replica_so_a_failover_keeps_it(
    own_cluster: RedisCluster,
) -> None:
    keys = RedisKeys("mch-wait:")
    store = RedisStore(own_cluster.url, prefix=keys.prefix, cluster=True)
    await store.open()
    record = make_record("MC1")
    victim = own_cluster.primary_of(keys.records_of(record.id))
    replica = own_cluster.replica_of(victim)
    try:
        await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC0"),)))
        # the replica is stalled: without WAIT the primary would acknowledge at once, and
        # dying right after, take the record with it
        sleeper = own_cluster.freeze(replica, 1.0)
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await store.apply(ChangeSet(source="nzqa", upserts=(record,)))
        assert time.monotonic() - started > 0.5  # acknowledged only once the replica had it
        own_cluster.kill(victim)
        sleeper.join()
    finally:
        await store.close()
    await wait_for(lambda: _is_primary(own_cluster, replica), within=15)
    own_cluster.wait_healthy()
    survivor = RedisStore(f"redis://127.0.0.1:{replica}/0", prefix=keys.prefix, cluster=True)
    await survivor.open()
    try:
        assert await survivor.get(record.id) == record
    finally:
        await survivor.close()


def _is_primary(cluster: RedisCluster, port: int) -> bool:
    with cluster.client(port) as node:
        return bool(node.execute_command("ROLE")[0] == b"master")


async def test_a_reader_follows_the_channel_to_the_new_primary_of_a_manual_failover(
    own_cluster: RedisCluster,
) -> None:
    keys = RedisKeys("mch-move:")
    writer = RedisStore(own_cluster.url, prefix=keys.prefix, cluster=True)
    reader = RedisStore(own_cluster.url, prefix=keys.prefix, cluster=True)
    heard = Recorder()
    reader.subscribe(heard)
    await writer.open()
    await reader.open()
    try:
        await wait_for(lambda: reader.connected, within=5)
        old = own_cluster.primary_of(keys.channel)
        new = own_cluster.replica_of(old)
        with own_cluster.client(new) as node:
            node.execute_command("CLUSTER", "FAILOVER")  # graceful: the old primary steps down
        await wait_for(lambda: _is_primary(own_cluster, new), within=15)
        own_cluster.wait_healthy()

        async def delivered() -> bool:
            record = make_record(f"MC{len(heard.calls)}")
            with contextlib.suppress(StoreUnavailableError):
                await writer.apply(ChangeSet(source="nzqa", upserts=(record,)))
            await asyncio.sleep(0.3)
            return record.id in _heard_ids(heard)

        for _ in range(30):
            if await delivered():
                break
        else:
            pytest.fail("the reader never heard a change after the failover")
    finally:
        await writer.close()
        await reader.close()
