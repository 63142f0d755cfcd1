"""Index images in Redis: a replica that starts from one answers as one that built from the
records did, and an image that is not of the data the store holds is never used."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import pytest

from microcred_hub.dimensions import DIMENSIONS
from microcred_hub.generate import generate_list
from microcred_hub.index import Index, RecordFilter, SortField
from microcred_hub.record import Microcredential, content_hash
from microcred_hub.runtime.feed import IndexFeed
from microcred_hub.runtime.states import SourceStates
from microcred_hub.store import ChangeSet, RedisStore
from microcred_hub.store.images import _chunk_key, _head_key
from tests.store.helpers import REDIS_URL, drop_prefix, fill_redis, require_redis

SOURCES = ("nzqa", "edubadges", "elm", "ctdl", "openbadges")
Replica = Callable[..., Awaitable[tuple[IndexFeed, Index]]]


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    name = f"mch-test:{uuid.uuid4().hex}:"
    yield name
    await drop_prefix(REDIS_URL, name)


@pytest.fixture
async def replica(prefix: str) -> AsyncIterator[Replica]:
    """Start replicas (store, index, feed) on one Redis prefix; each loads at start.

    A replica that built its index from the records writes an image of it a moment later
    (``DEBOUNCE_SECONDS``): a test that reasons about which image the store holds stops the
    replicas it is done with first (``quiet``), so how long its steps take does not matter.
    """
    opened: list[tuple[RedisStore, IndexFeed]] = []

    async def start(sources: tuple[str, ...] = SOURCES) -> tuple[IndexFeed, Index]:
        store = RedisStore(require_redis(), prefix=prefix, reconnect_delay=(0.05, 0.3))
        await store.open()
        index = Index()
        feed = IndexFeed(store, index, SourceStates(store, ()), sources)
        opened.append((store, feed))
        await feed.start()
        return feed, index

    yield start
    for store, feed in opened:
        await feed.stop()
        await store.close()


async def quiet(feed: IndexFeed) -> IndexFeed:
    """``feed`` with its image writing stopped: no image of its own comes later."""
    await feed.stop()
    return feed


async def imaged(replica: Replica, sources: tuple[str, ...] = SOURCES) -> IndexFeed:
    """A replica whose image is the store's current one, and stays so (it writes no other)."""
    feed, _ = await replica(sources)
    await quiet(feed)
    assert feed.images is not None
    assert await feed.images.write()
    return feed


async def current_chunk(writer: RedisStore) -> str:
    """The key of the first chunk of the image the store's head names now."""
    head = msgspec.json.decode(await writer._client().get(_head_key(writer)))
    return _chunk_key(writer, head["id"], 0)


async def fill(prefix: str, records: list[Microcredential]) -> RedisStore:
    return await fill_redis(require_redis(), prefix, records)


def retitled(record: Microcredential, title: str) -> Microcredential:
    """The record as its register now says it, content hash and all."""
    record = msgspec.structs.replace(record, title=title)
    provenance = msgspec.structs.replace(record.provenance, content_hash=content_hash(record))
    return msgspec.structs.replace(record, provenance=provenance)


def answers(index: Index) -> list[object]:
    """What a client would see: pages in several orders, a search, facets, providers, a get."""
    seen: list[object] = []
    for sort in ([SortField.TITLE], [SortField.ECTS_DESC], [SortField.UPDATED]):
        page = index.search(first=50, sort=sort)
        seen.append((page.total, page.records, page.cursors, page.has_next))
    flt = RecordFilter(eqf_level_min=4, issuer_country=("NZ", "NL"))
    page = index.search(flt, text="management", first=20)
    seen.append((page.total, [r.id for r in page.records], page.cursors))
    seen.append(index.facets(flt, "data"))
    seen.append(index.providers(first=30))
    seen.append(index.statistics(flt, group_by=[next(iter(DIMENSIONS))]))
    seen.append(index.get(index.search(first=1).records[0].id))
    return seen


async def test_a_replica_started_from_the_image_answers_as_one_that_built_from_records(
    prefix: str, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    writer = await fill(prefix, generate_list(1500, seed=5))
    built_feed, built = await replica()
    await quiet(built_feed)
    assert built_feed.images is not None
    assert await built_feed.images.write()

    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        loaded_feed, loaded = await replica()
    assert "index loaded from the store's image" in caplog.text
    assert len(loaded) == len(built) == 1500
    assert loaded_feed.version == built_feed.version == await writer.version()
    assert answers(loaded) == answers(built)
    await writer.close()


async def test_a_replica_loaded_from_an_image_follows_later_changes(
    prefix: str, replica: Replica
) -> None:
    records = generate_list(600, seed=6)
    writer = await fill(prefix, records)
    await imaged(replica)
    _, loaded = await replica()

    changed = retitled(records[0], "A changed title")
    await writer.apply(ChangeSet(source=changed.source, upserts=(changed,)))
    await writer.apply(ChangeSet(source=records[1].source, deletes=(records[1].id,)))
    for _ in range(100):
        if records[1].id not in loaded and loaded.get(changed.id) == changed:
            break
        await _pause()
    assert loaded.get(changed.id) == changed
    assert records[1].id not in loaded
    await writer.close()


async def test_an_image_of_an_older_data_version_is_not_used(
    prefix: str, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    records = generate_list(400, seed=7)
    writer = await fill(prefix, records)
    await imaged(replica)
    # Change the data without the image following: the image is now stale.
    changed = retitled(records[3], "Changed after the image")
    await writer.apply(ChangeSet(source=changed.source, upserts=(changed,)))

    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        stale_feed, index = await replica()
    assert "index image not used: the index image is of data version" in caplog.text
    assert index.get(changed.id) == changed
    assert stale_feed.version == await writer.version()
    await writer.close()


async def test_an_image_missing_a_source_this_replica_serves_is_not_used(
    prefix: str, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    records = generate_list(400, seed=8)
    writer = await fill(prefix, records)
    await imaged(replica, ("nzqa", "elm"))  # the writer serves two sources only

    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        all_feed, everything = await replica()
    assert "index image not used: the index image holds 0 records of" in caplog.text
    assert len(everything) == 400
    await quiet(all_feed)  # an image of every source would do for the next replica too

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        _, fewer = await replica(sources=("nzqa",))  # a subset of the image: used, trimmed
    assert "index loaded from the store's image" in caplog.text
    assert {r.source for r in fewer.records()} == {"nzqa"}
    assert len(fewer) == sum(1 for r in records if r.source == "nzqa")
    await writer.close()


async def test_an_incomplete_or_unreadable_image_is_rebuilt_from_the_records(
    prefix: str, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    records = generate_list(300, seed=9)
    writer = await fill(prefix, records)
    await imaged(replica)

    await writer._client().set(await current_chunk(writer), b"\x00not an image")
    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        rebuilt_feed, rebuilt = await replica()
    assert "index image not used: the index image has" in caplog.text
    assert len(rebuilt) == 300
    # It writes a good image after building: that one is the current image once it is quiet.
    await quiet(rebuilt_feed)

    caplog.clear()
    await writer._client().delete(await current_chunk(writer))
    with caplog.at_level(logging.INFO, logger="microcred_hub.hub"):
        _, rebuilt = await replica()
    assert "index image not used: the index image was replaced" in caplog.text
    assert len(rebuilt) == 300
    await writer.close()


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)
