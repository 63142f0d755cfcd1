"""One behavioural suite, run over every store backend (memory and Redis)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest

from microcred_hub.record import Microcredential, QuarantinedRecord
from microcred_hub.state import SourceState, SourceStatus
from microcred_hub.store import ChangeSet, MemoryStore, RedisStore
from microcred_hub.store.base import RecordDigest, digest_of
from tests.factories import make_record, sample_records
from tests.store.helpers import Recorder, wait_for

Store = MemoryStore | RedisStore
LATER = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


def refetched(record: Microcredential) -> Microcredential:
    """The same content fetched again later."""
    provenance = msgspec.structs.replace(record.provenance, fetched_at=LATER)
    return msgspec.structs.replace(record, provenance=provenance)


async def listening(store: Store) -> None:
    """A Redis store hears other replicas once its reader is subscribed; memory at once."""
    if isinstance(store, RedisStore):
        await wait_for(lambda: store.connected)


def by_id(records: list[Microcredential]) -> dict[str, Microcredential]:
    return {r.id: r for r in records}


async def test_new_store_is_empty_at_version_zero(store: Store) -> None:
    assert await store.version() == 0
    assert await store.records() == []
    assert await store.get("nzqa:MC4217") is None
    assert await store.states() == []
    assert await store.quarantined("nzqa") == []


async def test_apply_stores_every_field_and_bumps_the_version(store: Store) -> None:
    records = sample_records()
    version = await store.apply(ChangeSet(source="nzqa", upserts=tuple(records)))

    assert version == 1
    assert await store.version() == 1
    assert by_id(await store.records()) == by_id(records)
    assert await store.get(records[0].id) == records[0]


async def test_records_of_one_source_leave_the_others_out(store: Store) -> None:
    nzqa = [make_record("MC1"), make_record("MC2")]
    edubadges = [make_record("b1", source="edubadges")]
    await store.apply(ChangeSet(source="nzqa", upserts=tuple(nzqa)))
    await store.apply(ChangeSet(source="edubadges", upserts=tuple(edubadges)))

    assert by_id(await store.records("nzqa")) == by_id(nzqa)
    assert await store.records("edubadges") == edubadges
    assert await store.records("unknown") == []


async def test_reapplying_unchanged_records_keeps_the_version(store: Store) -> None:
    records = [make_record("MC1"), make_record("MC2")]
    await store.apply(ChangeSet(source="nzqa", upserts=tuple(records)))

    version = await store.apply(
        ChangeSet(source="nzqa", upserts=tuple(refetched(r) for r in records))
    )

    assert version == 1
    assert await store.version() == 1


async def test_changed_content_bumps_the_version(store: Store) -> None:
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))
    retitled = make_record("MC1", "Advanced data analysis")

    assert await store.apply(ChangeSet(source="nzqa", upserts=(retitled,))) == 2
    assert await store.get("nzqa:MC1") == retitled


async def test_withdrawal_alone_bumps_the_version(store: Store) -> None:
    record = make_record("MC1")
    await store.apply(ChangeSet(source="nzqa", upserts=(record,)))
    withdrawn = msgspec.structs.replace(record, withdrawn_at=LATER)

    assert await store.apply(ChangeSet(source="nzqa", upserts=(withdrawn,))) == 2
    stored = await store.get("nzqa:MC1")
    assert stored is not None
    assert stored.withdrawn_at == LATER
    assert await store.records("nzqa") == [withdrawn]  # withdrawn records are still listed


async def test_a_record_from_another_document_is_written_and_its_digest_follows(
    store: Store,
) -> None:
    record = make_record("MC1")
    await store.apply(ChangeSet(source="nzqa", upserts=(record,)))
    page_2 = "https://register.invalid/microcredentials?page=2"
    provenance = msgspec.structs.replace(record.provenance, source_url=page_2)
    moved = msgspec.structs.replace(record, provenance=provenance)

    assert await store.apply(ChangeSet(source="nzqa", upserts=(moved,))) == 2
    assert await store.get("nzqa:MC1") == moved
    assert (await store.digests("nzqa"))["nzqa:MC1"].source_url == page_2


async def test_deletes_drop_records_and_unknown_ids_change_nothing(store: Store) -> None:
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"), make_record("MC2"))))

    assert await store.apply(ChangeSet(source="nzqa", deletes=("nzqa:MC1",))) == 2
    assert await store.get("nzqa:MC1") is None
    assert [r.id for r in await store.records("nzqa")] == ["nzqa:MC2"]
    assert await store.apply(ChangeSet(source="nzqa", deletes=("nzqa:nope",))) == 2


async def test_upserted_and_deleted_in_one_change_means_deleted(store: Store) -> None:
    version = await store.apply(
        ChangeSet(source="nzqa", upserts=(make_record("MC1"),), deletes=("nzqa:MC1",))
    )
    assert version == 0
    assert await store.records() == []


async def test_digests_follow_every_kind_of_change(store: Store) -> None:
    first, second = make_record("MC1"), make_record("MC2")
    other = make_record("b1", source="edubadges")
    await store.apply(ChangeSet(source="nzqa", upserts=(first, second, other)))
    url = "https://register.example/nzqa/feed"
    assert await store.digests("nzqa") == {
        "nzqa:MC1": RecordDigest(first.provenance.content_hash, False, url),
        "nzqa:MC2": RecordDigest(second.provenance.content_hash, False, url),
    }
    retitled = make_record("MC1", "Advanced data analysis")
    withdrawn = msgspec.structs.replace(second, withdrawn_at=LATER)
    await store.apply(ChangeSet(source="nzqa", upserts=(retitled, withdrawn)))
    assert await store.digests("nzqa") == {
        "nzqa:MC1": RecordDigest(retitled.provenance.content_hash, False, url),
        "nzqa:MC2": RecordDigest(second.provenance.content_hash, True, url),
    }
    await store.apply(ChangeSet(source="nzqa", deletes=("nzqa:MC1",)))
    assert list(await store.digests("nzqa")) == ["nzqa:MC2"]
    assert list(await store.digests("edubadges")) == ["edubadges:b1"]
    assert await store.digests("unknown") == {}


async def test_digests_keep_any_content_hash_and_a_missing_page(store: Store) -> None:
    hashes = {
        "MC1": "sha256:" + "AB" * 32,  # uppercase hex
        "MC2": "sha256:" + "0f" * 31,  # short
        "MC3": "md5:whatever",
        "MC4": "sha256:" + "0f" * 32,
    }
    records = [
        msgspec.structs.replace(
            record,
            provenance=msgspec.structs.replace(
                record.provenance,
                content_hash=hashes[record.local_id],
                source_url=None if record.local_id == "MC3" else record.provenance.source_url,
            ),
        )
        for record in (make_record(local_id) for local_id in hashes)
    ]
    await store.apply(ChangeSet(source="nzqa", upserts=tuple(records)))
    assert await store.digests("nzqa") == {r.id: digest_of(r) for r in records}
    assert (await store.digests("nzqa"))["nzqa:MC3"].source_url is None


async def test_fetch_returns_the_records_that_exist_in_order(store: Store) -> None:
    records = [make_record("MC1"), make_record("MC2"), make_record("MC3")]
    await store.apply(ChangeSet(source="nzqa", upserts=tuple(records)))
    found = await store.fetch(["nzqa:MC3", "nzqa:nope", "nzqa:MC1"])
    assert found == [records[2], records[0]]
    assert await store.fetch([]) == []


async def test_apply_refuses_a_full_changeset(store: Store) -> None:
    with pytest.raises(ValueError, match="listeners only"):
        await store.apply(ChangeSet(source="nzqa", full=True))


async def test_states_come_from_apply_and_put_state(store: Store) -> None:
    harvesting = SourceState(
        key="nzqa", connector="nzqa", url="http://x", status=SourceStatus.HARVESTING
    )
    await store.put_state(harvesting)
    assert await store.states() == [harvesting]

    ok = msgspec.structs.replace(
        harvesting, status=SourceStatus.OK, record_count=1, last_success_at=LATER
    )
    version = await store.apply(ChangeSet(source="nzqa", state=ok))
    other = SourceState(key="elm", connector="elm", url="http://y")
    await store.put_state(other)

    assert version == 0  # a state alone is not a data change
    assert sorted(await store.states(), key=lambda s: s.key) == [other, ok]


async def test_quarantine_is_replaced_by_a_list_and_kept_by_none(store: Store) -> None:
    first = (QuarantinedRecord(source="nzqa", reason="no title", local_id="MC9"),)
    await store.apply(ChangeSet(source="nzqa", quarantine=first))
    await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),)))
    assert await store.quarantined("nzqa") == list(first)

    await store.apply(ChangeSet(source="nzqa", quarantine=()))
    assert await store.quarantined("nzqa") == []
    assert await store.quarantined("edubadges") == []


async def test_meta_keeps_bytes_by_key(store: Store) -> None:
    assert await store.get_meta("nzqa:etag") is None
    await store.put_meta("nzqa:etag", b'W/"abc"\x00\xff')
    await store.put_meta("nzqa:etag", b'W/"def"')
    assert await store.get_meta("nzqa:etag") == b'W/"def"'


async def test_listeners_hear_only_real_changes_once(store: Store) -> None:
    recorder = Recorder()
    store.subscribe(recorder)
    await listening(store)
    record, other = make_record("MC1"), make_record("MC2")
    await store.apply(ChangeSet(source="nzqa", upserts=(record, other)))
    state = SourceState(key="nzqa", connector="nzqa", url="http://x")
    await store.apply(
        ChangeSet(
            source="nzqa",
            upserts=(refetched(record), make_record("MC2", "New title")),
            deletes=("nzqa:gone",),
            state=state,
        )
    )
    await asyncio.sleep(0.2)  # a Redis store must not hear its own change again via pub/sub

    assert [(sorted(r.id for r in c.upserts), c.deletes, v) for c, v in recorder.calls] == [
        (["nzqa:MC1", "nzqa:MC2"], (), 1),
        (["nzqa:MC2"], (), 2),
    ]
    assert recorder.calls[1][0].state == state
    assert not any(c.full for c, _ in recorder.calls)


async def test_a_failing_listener_costs_neither_the_change_nor_other_listeners(
    store: Store,
) -> None:
    async def broken(change: ChangeSet, version: int) -> None:
        raise RuntimeError("listener bug")

    recorder = Recorder()
    store.subscribe(broken)
    store.subscribe(recorder)

    assert await store.apply(ChangeSet(source="nzqa", upserts=(make_record("MC1"),))) == 1
    assert len(recorder.calls) == 1


async def test_harvest_lock_is_exclusive_and_released_on_exit(store: Store) -> None:
    async with store.harvest_lock("nzqa", 5.0) as first:
        assert first is True
        async with store.harvest_lock("nzqa", 5.0) as second:
            assert second is False
        async with store.harvest_lock("edubadges", 5.0) as other_source:
            assert other_source is True
    async with store.harvest_lock("nzqa", 5.0) as again:
        assert again is True


async def test_many_records_round_trip(store: Store) -> None:
    records = [make_record(f"MC{i:05d}", f"Course {i}") for i in range(3000)]
    await store.apply(ChangeSet(source="nzqa", upserts=tuple(records)))

    assert by_id(await store.records()) == by_id(records)
    assert len(await store.records("nzqa")) == 3000
