"""The store -> index feed: the in-memory index follows every replica's changes to the store."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterable

from microcred_hub.duplicates import Linker
from microcred_hub.index import Index
from microcred_hub.packing import PackedRecords
from microcred_hub.runtime import heap
from microcred_hub.runtime.images import ImageWriter, load_image
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import SourceState
from microcred_hub.store import ALL_SOURCES, ChangeSet, RedisStore, Store, StoreUnavailableError

log = logging.getLogger("microcred_hub.hub")


class IndexFeed:
    """Loads the index from the store, then applies each change the store announces.

    One exception: a full resync that comes back empty for a scope the index holds means the
    store lost its data (a Redis restarted without persistence). The index is kept and its
    records are written back, so the other replicas recover too.

    The duplicate linker, when there is one, follows the same changes in the same step, and
    the index learns which records are not their group's representative (``distinct``).
    """

    def __init__(
        self,
        store: Store,
        index: Index,
        states: SourceStates,
        keys: Iterable[str],
        linker: Linker | None = None,
    ) -> None:
        self._store = store
        self._index = index
        self._linker = linker
        self._states = states
        self._keys = frozenset(keys)
        self._background: set[asyncio.Task[None]] = set()
        #: writes index images for replicas to start from (Redis only)
        self.images = (
            ImageWriter(store, index, self.held) if isinstance(store, RedisStore) else None
        )
        #: the store's data version the index holds (at least): what all replicas agree on
        self.version = 0
        # Versions seen since the last full load, to know when no older change is missing.
        self._contiguous = 0
        self._ahead: set[int] = set()

    async def start(self) -> None:
        """Follow the store's changes, then load what it holds (nothing is missed in between)."""
        self._store.subscribe(self._on_change)
        await self.load()

    def held(self) -> int | None:
        """The data version the index holds exactly, or None while an older change may still
        be on its way (another replica's note can arrive after this replica's later change)."""
        return self.version if self._contiguous == self.version else None

    def _seen(self, version: int, *, full: bool = False) -> None:
        if full:
            self._contiguous, self._ahead = version, set()
        elif version == self._contiguous + 1:
            self._contiguous = version
            while self._contiguous + 1 in self._ahead:
                self._contiguous += 1
                self._ahead.discard(self._contiguous)
        elif version > self._contiguous:
            self._ahead.add(version)

    async def load(self) -> None:
        store = self._store
        if isinstance(store, RedisStore):
            loaded = await load_image(store, self._index, self._keys)
            if loaded is not None:
                self.version = loaded
                self._seen(loaded, full=True)
                self._link_all()
                self._freeze()
                return
        started = time.perf_counter()
        # the version first: records read after it are at least that new, never older
        version = await store.version()
        # Source by source: the store's packed records go to the index without a filter
        # decoding each of them first.
        packed: list[bytes] = []
        for key in sorted(self._keys):
            packed += PackedRecords.of(await store.records(key)).packed
            log.info("index build: %d records read from the store (%s done)", len(packed), key)
        self.version = version
        self._seen(version, full=True)
        self._index.replace_all(PackedRecords(packed))
        if packed:
            log.info(
                "index built from %d records in %.1f s", len(packed), time.perf_counter() - started
            )
        if self.images is not None and packed:
            self.images.schedule()  # the next replica to start loads it instead
        self._link_all()
        self._freeze()

    @staticmethod
    def _freeze() -> None:
        # the index is long-lived: keep the cyclic GC from rescanning it on every collection
        # (which would slow every later harvest and request in proportion to the catalogue)
        gc.collect()
        gc.freeze()
        heap.trim()

    async def _on_change(self, change: ChangeSet, version: int) -> None:
        keys = self._keys
        # the states served before this change: what a reseed writes back if the store lost them
        # (reading the states of an emptied store would replace them with PENDING ones)
        served = self._states.last()
        if change.state is not None:
            self._states.remember(change.state)
        if change.full and change.source == ALL_SOURCES:
            # a resync after a reconnect: the store may have restarted with a lower version
            self.version = version
            self._seen(version, full=True)
            await self._states.read()
        else:
            # notes of other replicas may arrive after this replica's own later change
            self.version = max(self.version, version)
            self._seen(version)
        if change.full and not change.upserts and self._holds(change.source):
            task = asyncio.create_task(self._reseed(change.source, served))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        if change.full and change.source == ALL_SOURCES:
            self._index.replace_all(change.upserts, only=keys)
            self._link_all()
        elif change.source not in keys:
            return
        elif change.full:
            self._index.replace_source(change.source, change.upserts)
            if self._linker is not None:
                self._mark(self._linker.replace_source(change.source, change.upserts))
        else:
            self._index.update(change.upserts, change.deletes)
            if self._linker is not None:
                self._mark(self._linker.apply(change.upserts, change.deletes))
        if len(change.upserts) + len(change.deletes) >= heap.LARGE_CHANGE:
            heap.trim()

    def _link_all(self) -> None:
        """Link every record the index holds (after a full load or resync)."""
        linker = self._linker
        if linker is None:
            return
        started = time.perf_counter()
        linker.replace_all(self._index.records())
        self._index.set_duplicates(linker.hidden(), (), linker.same_bodies)
        if len(linker):
            log.info(
                "duplicates linked over %d records in %.1f s",
                len(linker),
                time.perf_counter() - started,
            )

    def _mark(self, changed: set[str]) -> None:
        """Tell the index which of the records whose group changed are representatives."""
        linker = self._linker
        assert linker is not None
        shown = {i for i in changed if linker.is_representative(i)}
        # handing same_bodies again tells the index its providers may have changed
        self._index.set_duplicates(changed - shown, shown, linker.same_bodies if changed else None)

    def _holds(self, scope: str) -> bool:
        if scope == ALL_SOURCES:
            return len(self._index) > 0
        return scope in self._keys and self._index.count_of(scope) > 0

    async def _reseed(self, scope: str, known: dict[str, SourceState]) -> None:
        sources = self._keys if scope == ALL_SOURCES else {scope}
        for key in sorted(sources):
            records = self._index.packed(key)
            if not records:
                continue
            log.warning(
                "store lost source %s; writing back the %d records served", key, len(records)
            )
            try:
                await self._store.apply(
                    ChangeSet(source=key, upserts=records, state=known.get(key))
                )
            except StoreUnavailableError as exc:
                log.warning("could not write source %s back: %s", key, exc)
