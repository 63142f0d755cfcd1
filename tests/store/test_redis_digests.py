"""Record digests in Redis: what a harvest diffs against instead of reading every record back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
import redis.asyncio

from microcred_hub.store import ChangeSet, RedisStore
from microcred_hub.store.base import digest_of
from tests.factories import make_record

MakeStore = Callable[..., Awaitable[RedisStore]]


async def test_digests_missing_from_older_data_are_derived_once_and_kept(
    make_redis_store: MakeStore,
) -> None:
    writer = await make_redis_store()
    records = [make_record(f"MC{i}") for i in range(5)]
    await writer.apply(ChangeSet(source="nzqa", upserts=tuple(records)))
    client = redis.asyncio.Redis.from_url(writer.url)
    try:
        # what a hub that kept no digests left behind
        await client.delete(writer.prefix + "digest:nzqa")
        reader = await make_redis_store()
        assert await reader.digests("nzqa") == {r.id: digest_of(r) for r in records}
        assert await client.hlen(writer.prefix + "digest:nzqa") == len(records)
    finally:
        await client.aclose()


async def test_a_record_moving_to_another_source_leaves_the_old_sources_digests(
    make_redis_store: MakeStore,
) -> None:
    store = await make_redis_store()
    record = make_record("MC1")
    await store.apply(ChangeSet(source="nzqa", upserts=(record,)))
    moved = msgspec.structs.replace(record, source="edubadges", title="Moved")
    await store.apply(ChangeSet(source="edubadges", upserts=(moved,)))
    assert await store.digests("nzqa") == {}
    assert await store.digests("edubadges") == {record.id: digest_of(moved)}
