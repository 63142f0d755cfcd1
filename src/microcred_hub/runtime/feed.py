"""The store -> index feed: the in-memory index follows every replica's changes to the store."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterable

from microcred_hub.contract import collector_paused
from microcred_hub.duplicates import Linker
from microcred_hub.index import Index
from microcred_hub.packing import PackedRecords
from microcred_hub.runtime import heap
from microcred_hub.runtime.images import ImageWriter, load_image
from microcred_hub.runtime.linking import Linking
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import SourceState
from microcred_hub.store import ALL_SOURCES, ChangeSet, RedisStore, Store, StoreUnavailableError

log = logging.getLogger("microcred_hub.hub")


class IndexFeed:
    """Loads the index from the store, then applies each change the store announces.

    One exception: a full resync that comes back empty for a scope the index holds means the
    store lost its data (a Redis restarted without persistence). The index is kept and its
    records are written back, so the other replicas recover too.

    The duplicate linker, when there is one, follows the same changes (``linking``: in the
    same step, or queued while it links every record in the background after a load), and
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
        self._states = states
        self._keys = frozenset(keys)
        self._background: set[asyncio.Task[None]] = set()
        #: the duplicate groups beside the index; None when duplicates are off
        self.linking = None if linker is None else Linking(linker, index, self._linked)
        #: writes index images for replicas to start from (Redis only)
        self.images = (
            ImageWriter(
                store, index, self.held, None if self.linking is None else self.linking.snapshot
            )
            if isinstance(store, RedisStore)
            else None
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
            with collector_paused():
                loaded = await load_image(store, self._index, self._keys)
                if loaded is not None:
                    self.version = loaded.version
                    self._seen(loaded.version, full=True)
                    if self.linking is not None and not self.linking.restore(loaded.duplicates):
                        self.linking.relink()
            if loaded is not None:
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
        if self.linking is not None:
            self.linking.relink()
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
        linking = self.linking
        if change.full and change.source == ALL_SOURCES:
            self._index.replace_all(change.upserts, only=keys)
            if linking is not None:
                linking.relink()
        elif change.source not in keys:
            return
        elif change.full:
            self._index.replace_source(change.source, change.upserts)
            if linking is not None:
                linking.replace_source(change.source, change.upserts)
        else:
            self._index.update(change.upserts, change.deletes)
            if linking is not None:
                linking.apply(change.upserts, change.deletes)
        if len(change.upserts) + len(change.deletes) >= heap.LARGE_CHANGE:
            heap.trim()

    def _linked(self, relinked: bool) -> None:
        """Linking caught up: an image for the next replica when this one made the groups, or
        wrote its last image while it had none to put in."""
        if self.images is not None and (relinked or self.images.lacks_groups):
            self.images.schedule()

    async def stop(self) -> None:
        """Stop linking and image writing: promptly, at any point."""
        if self.linking is not None:
            await self.linking.stop()
        if self.images is not None:
            await self.images.stop()

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
