"""A record that moves, unchanged, from one page of a paged register to another.

A page answered 304 keeps the records it gave last time, found by the page each stored record
came from. So a move must update that page even though the record's content did not change:
otherwise a later pass where the old page changes and the new one answers 304 withdraws a record
still listed, and one where the new page loses it while the old one answers 304 keeps a record
that is gone. Run over every store backend, each pass on a freshly opened store (as another
replica, or a restarted hub, would harvest).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import pytest

from microcred_hub.config import SourceConfig
from microcred_hub.harvest import harvest_source
from microcred_hub.record import Microcredential, Status
from microcred_hub.state import HarvestSummary
from microcred_hub.store import MemoryStore, RedisStore
from microcred_hub.testing import Loopback
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.store.helpers import drop_prefix, redis_reachable
from tests.support.registers import NZQA_FIXTURES, Faults, nzqa_app, nzqa_page

#: a database of its own on the shared Redis, under a prefix of its own
REDIS_URL = "redis://127.0.0.1:6379/13"
TEMPLATE = json.loads((NZQA_FIXTURES / "feed-page-1.json").read_text())["items"][0]


def listing(reference: str, title: str | None = None) -> dict[str, object]:
    item = copy.deepcopy(TEMPLATE)
    item["reference"] = reference
    item["title"] = title or f"Listing {reference}"
    item["url"] = f"https://provider.example/listings/{reference}"
    return dict(item)


def feed(page_1: list[dict[str, object]], page_2: list[dict[str, object]]) -> list[bytes]:
    return [nzqa_page(page_1, page=1, next_page=2), nzqa_page(page_2, page=2)]


class Backend(Protocol):
    def opened(self) -> AsyncIterator[MemoryStore | RedisStore]: ...


class Memory:
    """One memory store for every pass: what a single hub process keeps."""

    def __init__(self) -> None:
        self.store = MemoryStore()

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[MemoryStore | RedisStore]:
        yield self.store


class Snapshot:
    """A memory store read back from its snapshot for every pass: a restarted hub."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[MemoryStore | RedisStore]:
        store = MemoryStore(self.path)
        await store.open()
        try:
            yield store
        finally:
            await store.close()


class Redis:
    """A new RedisStore on one prefix for every pass: another replica."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[MemoryStore | RedisStore]:
        store = RedisStore(REDIS_URL, prefix=self.prefix)
        await store.open()
        try:
            yield store
        finally:
            await store.close()


@pytest.fixture(params=["memory", "snapshot", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        memory = Memory()
        await memory.store.open()
        yield memory
        await memory.store.close()
    elif request.param == "snapshot":
        yield Snapshot(tmp_path / "snapshot.json")
    else:
        if not redis_reachable(REDIS_URL):
            pytest.skip(f"Redis is not reachable at {REDIS_URL}: start redis-server to test it")
        prefix = f"mch-test-moves:{uuid.uuid4().hex}:"
        yield Redis(prefix)
        await drop_prefix(REDIS_URL, prefix)


class Register:
    """The paged register on loopback and the harvests of it."""

    def __init__(self, register: Loopback, backend: Backend) -> None:
        self.register = register
        self.backend = backend
        self.source = SourceConfig(
            key="nzqa", connector="nzqa", url=f"{register.base}/microcredentials", retries=1
        )

    @property
    def faults(self) -> Faults:
        return self.register.app["faults"]  # type: ignore[no-any-return]

    def publish(self, page_1: list[dict[str, object]], page_2: list[dict[str, object]]) -> None:
        self.register.app["pages"] = feed(page_1, page_2)

    async def harvest(
        self, options: NzqaOptions | None = None
    ) -> tuple[HarvestSummary, dict[str, Microcredential], int]:
        """One pass: its summary, the stored records by local id, and the pages answered 304."""
        before = self.faults.not_modified
        async with self.backend.opened() as store:
            summary = await harvest_source(self.source, NzqaConnector(options), store)
            assert summary.ok, summary.errors
            records = {r.id.split(":", 1)[1]: r for r in await store.records("nzqa")}
        return summary, records, self.faults.not_modified - before


def live(records: dict[str, Microcredential]) -> set[str]:
    return {ref for ref, r in records.items() if r.status is not Status.WITHDRAWN}


@pytest.fixture
async def register(backend: Backend) -> AsyncIterator[Register]:
    async with Loopback(nzqa_app(pages=[])) as loopback:
        yield Register(loopback, backend)


async def moved(register: Register) -> None:
    """X on page 1 first, then moved unchanged to page 2: both pages changed."""
    register.publish([listing("A"), listing("X")], [listing("B")])
    _, records, _ = await register.harvest()
    assert live(records) == {"A", "B", "X"}
    register.publish([listing("A")], [listing("B"), listing("X")])
    summary, records, not_modified = await register.harvest()
    assert not_modified == 0
    assert live(records) == {"A", "B", "X"}
    assert (summary.added, summary.changed, summary.removed) == (0, 0, 0)
    assert (
        records["X"].provenance.source_url
        == f"{register.register.base}/microcredentials?page=2&pageSize=100"
    )


async def test_a_moved_record_survives_its_new_page_answering_304(register: Register) -> None:
    await moved(register)
    summary, records, not_modified = await register.harvest()  # nothing changed: all 304
    assert not_modified == 2
    assert live(records) == {"A", "B", "X"} and summary.removed == 0

    register.publish([listing("A", "A, revised")], [listing("B"), listing("X")])
    summary, records, not_modified = await register.harvest()
    assert not_modified == 1  # page 2, where X now is
    assert live(records) == {"A", "B", "X"}, "X is still listed, on page 2"
    assert (summary.changed, summary.removed, summary.records) == (1, 0, 3)


async def test_a_moved_record_is_withdrawn_when_its_new_page_drops_it(register: Register) -> None:
    await moved(register)
    register.publish([listing("A")], [listing("B")])
    summary, records, not_modified = await register.harvest()
    assert not_modified == 1  # page 1, where X was before it moved
    assert live(records) == {"A", "B"}, "X is gone from the register"
    assert records["X"].status is Status.WITHDRAWN
    assert (summary.removed, summary.records) == (1, 2)

    summary, records, not_modified = await register.harvest()  # nothing changed: all 304
    assert not_modified == 2
    assert live(records) == {"A", "B"} and summary.removed == 0


async def test_a_record_an_incremental_pass_gave_is_found_by_later_304s(
    register: Register,
) -> None:
    register.publish([listing("A"), listing("X")], [listing("B")])
    await register.harvest()
    revised = listing("X", "X, revised") | {"lastModified": "2099-01-01T00:00:00+13:00"}
    register.publish([listing("A"), revised], [listing("B")])
    summary, records, _ = await register.harvest(NzqaOptions(incremental=True))
    assert summary.changed == 1 and records["X"].title == "X, revised"  # from the changes page

    summary, records, not_modified = await register.harvest()  # a full pass: page 1 changed
    assert not_modified == 1 and (summary.changed, summary.removed) == (0, 0)
    summary, records, not_modified = await register.harvest()  # nothing changed: all 304
    assert not_modified == 2
    assert live(records) == {"A", "B", "X"} and summary.removed == 0


async def test_a_move_between_pages_that_send_no_validators_writes_nothing(
    register: Register,
) -> None:
    """Such pages never answer 304: where a record was found does not matter to a harvest, and
    a search that reorders would otherwise cost a write for every record it shifts."""
    register.faults.etags = False
    register.publish([listing("A"), listing("X")], [listing("B")])
    await register.harvest()
    async with register.backend.opened() as store:
        version = await store.version()
    register.publish([listing("A")], [listing("B"), listing("X")])
    summary, records, _ = await register.harvest()
    assert live(records) == {"A", "B", "X"} and summary.unchanged == 3
    async with register.backend.opened() as store:
        assert await store.version() == version
