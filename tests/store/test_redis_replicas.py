"""Several hub replicas on one Redis: change notes, harvest locks, and Redis going away."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

import pytest

from microcred_hub.errors import ConfigError
from microcred_hub.record import QuarantinedRecord
from microcred_hub.state import SourceState
from microcred_hub.store import (
    ALL_SOURCES,
    ChangeSet,
    RedisStore,
    StoreUnavailableError,
)
from tests.factories import make_record
from tests.store.helpers import (
    Recorder,
    RedisServer,
    free_port,
    subprocess_env,
    wait_for,
)

MakeStore = Callable[..., Awaitable[RedisStore]]


async def test_a_state_written_alone_reaches_every_replicas_listener(
    make_redis_store: MakeStore,
) -> None:
    writer, reader = await make_redis_store(), await make_redis_store()
    heard_by_writer, heard_by_reader = Recorder(), Recorder()
    writer.subscribe(heard_by_writer)
    reader.subscribe(heard_by_reader)
    await wait_for(lambda: writer.connected and reader.connected)

    state = SourceState(key="nzqa", connector="nzqa", url="http://x", last_error="timed out")
    await writer.put_state(state)

    await wait_for(lambda: len(heard_by_reader.calls) == 1, within=2)
    for heard in (heard_by_writer, heard_by_reader):
        [(change, version)] = heard.calls
        assert (change.source, change.state, change.upserts, version) == ("nzqa", state, (), 0)


async def test_a_change_on_one_replica_reaches_the_others_listener(
    make_redis_store: MakeStore,
) -> None:
    writer, reader = await make_redis_store(), await make_redis_store()
    heard_by_writer, heard_by_reader = Recorder(), Recorder()
    writer.subscribe(heard_by_writer)
    reader.subscribe(heard_by_reader)
    await wait_for(lambda: writer.connected and reader.connected)

    await writer.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"), make_record("MC2"))))
    # a reader fetches what a note names when it reads the note: let it, before MC2 goes
    await wait_for(lambda: len(heard_by_reader.calls) == 1, within=2)
    state = SourceState(key="nzqa", connector="nzqa", url="http://x")
    quarantine = (QuarantinedRecord(source="nzqa", reason="no title"),)
    await writer.apply(
        ChangeSet(
            source="nzqa",
            upserts=(make_record("MC1", "Retitled"),),
            deletes=("nzqa:MC2",),
            quarantine=quarantine,
            state=state,
        )
    )

    await wait_for(lambda: len(heard_by_reader.calls) == 2, within=2)
    (first, v1), (second, v2) = heard_by_reader.calls
    assert (sorted(r.id for r in first.upserts), v1) == (["nzqa:MC1", "nzqa:MC2"], 1)
    assert [r.title for r in second.upserts] == ["Retitled"]
    assert (second.deletes, second.state, second.quarantine, v2) == (
        ("nzqa:MC2",),
        state,
        quarantine,
        2,
    )
    await asyncio.sleep(0.1)
    assert len(heard_by_writer.calls) == 2  # its own notes are not delivered a second time


async def test_a_large_change_reaches_other_replicas_as_a_source_reload(
    make_redis_store: MakeStore,
) -> None:
    writer, reader = await make_redis_store(note_limit=5), await make_redis_store()
    heard = Recorder()
    reader.subscribe(heard)
    await wait_for(lambda: reader.connected)
    await writer.apply(
        ChangeSet(source="edubadges", upserts=(make_record("b1", source="edubadges"),))
    )

    records = tuple(make_record(f"MC{i}") for i in range(10))
    await writer.apply(ChangeSet(source="nzqa", upserts=records))

    await wait_for(lambda: len(heard.calls) == 2, within=2)
    change, version = heard.calls[1]
    assert (change.source, change.full, version) == ("nzqa", True, 2)
    assert sorted(r.id for r in change.upserts) == sorted(r.id for r in records)


async def test_harvest_lock_is_exclusive_across_replicas(make_redis_store: MakeStore) -> None:
    one, other = await make_redis_store(), await make_redis_store()
    async with one.harvest_lock("nzqa", 5.0) as held:
        assert held is True
        async with other.harvest_lock("nzqa", 5.0) as refused:
            assert refused is False
    async with other.harvest_lock("nzqa", 5.0) as now_free:
        assert now_free is True


_HOLDER = """
import asyncio, sys
from microcred_hub.store import RedisStore

async def main() -> None:
    store = RedisStore(sys.argv[1], prefix=sys.argv[2], cluster=sys.argv[4] == "cluster")
    await store.open()
    async with store.harvest_lock("nzqa", float(sys.argv[3])) as held:
        print("held" if held else "refused", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_dead_replicas_lock_lapses_after_its_ttl(
    make_redis_store: MakeStore, redis_cleanup: str
) -> None:
    store = await make_redis_store()
    ttl = 0.6
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLDER, store.url, redis_cleanup, str(ttl),
        "cluster" if store.cluster else "standalone",
        env=subprocess_env(),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 10)
        assert line.strip() == b"held"
        await asyncio.sleep(ttl * 2)  # longer than the TTL: renewal keeps it held
        async with store.harvest_lock("nzqa", ttl) as while_alive:
            assert while_alive is False
    finally:
        holder.kill()  # the replica dies without releasing
        await holder.wait()

    started = time.monotonic()
    while True:
        async with store.harvest_lock("nzqa", ttl) as acquired:
            if acquired:
                break
        assert time.monotonic() - started < ttl + 1, "the dead holder's lock never lapsed"
        await asyncio.sleep(0.05)


async def test_unreachable_redis_at_open_is_a_config_error() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ConfigError, match=r"store\.url"):
        await store.open()


async def test_a_redis_restart_raises_store_unavailable_then_resyncs_listeners(
    own_redis: RedisServer, redis_prefix: str
) -> None:
    writer = RedisStore(own_redis.url, prefix=redis_prefix, reconnect_delay=(0.05, 0.2))
    reader = RedisStore(own_redis.url, prefix=redis_prefix, reconnect_delay=(0.05, 0.2))
    await writer.open()
    await reader.open()
    heard = Recorder()
    reader.subscribe(heard)
    try:
        await wait_for(lambda: reader.connected)
        await writer.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))
        await wait_for(lambda: len(heard.calls) == 1)

        own_redis.kill()
        for call in (
            writer.records(),
            writer.get("nzqa:MC1"),
            writer.version(),
            writer.apply(ChangeSet(source="nzqa", upserts=(make_record("MC2"),))),
        ):
            with pytest.raises(StoreUnavailableError, match="unreachable"):
                await call
        await wait_for(lambda: not reader.connected)

        own_redis.start()  # empty: started with --save "" so the data is gone
        await writer.apply(ChangeSet(source="nzqa", upserts=(make_record("MC3"),)))
        await wait_for(lambda: any(c.full for c, _ in heard.calls), within=3)
        resync = next(c for c, _ in heard.calls if c.full)
        assert resync.source == ALL_SOURCES
        assert [r.id for r in resync.upserts] in ([], ["nzqa:MC3"])

        await wait_for(lambda: reader.connected)
        await writer.apply(ChangeSet(source="nzqa", upserts=(make_record("MC4"),)))
        await wait_for(lambda: [r.id for r in heard.calls[-1][0].upserts] == ["nzqa:MC4"])
    finally:
        await writer.close()
        await reader.close()
