"""Record digests in Redis: what a harvest diffs against instead of reading every record back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
import pytest

from microcred_hub.store import ChangeSet, RedisStore
from microcred_hub.store.base import digest_of
from tests.factories import make_record

MakeStore = Callable[..., Awaitable[RedisStore]]


async def test_digests_are_kept_beside_the_records_of_every_bucket(
    make_redis_store: MakeStore,
) -> None:
    writer = await make_redis_store()
    records = [make_record(f"MC{i}") for i in range(200)]  # over most of the 64 buckets
    await writer.apply(ChangeSet(source="nzqa", upserts=tuple(records)))
    reader = await make_redis_store()
    assert await reader.digests("nzqa") == {r.id: digest_of(r) for r in records}
    await writer.apply(ChangeSet(source="nzqa", deletes=(records[0].id,)))
    assert records[0].id not in await reader.digests("nzqa")


async def test_a_record_whose_id_names_another_source_is_refused(
    make_redis_store: MakeStore,
) -> None:
    # the id picks where a record lives: a harvest always writes "<source>:<local id>"
    store = await make_redis_store()
    record = msgspec.structs.replace(make_record("MC1"), source="edubadges")
    with pytest.raises(ValueError, match="does not start with edubadges:"):
        await store.apply(ChangeSet(source="edubadges", upserts=(record,)))
    assert await store.records() == []
