"""The store -> index feed: the in-memory index follows every replica's changes to the store."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterable

from microcred_hub.duplicates import Linker
from microcred_hub.index import Index
from microcred_hub.record import Microcredential
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import SourceState
from microcred_hub.store import ALL_SOURCES, ChangeSet, Store, StoreUnavailableError

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
        #: the store's data version the index holds (at least): what all replicas agree on
        self.version = 0

    async def start(self) -> None:
        """Follow the store's changes, then load what it holds (nothing is missed in between)."""
        self._store.subscribe(self._on_change)
        await self.load()

    async def load(self) -> None:
        # the version first: records read after it are at least that new, never older
        version = await self._store.version()
        records = [r for r in await self._store.records() if r.source in self._keys]
        self.version = version
        self._replace_all(records)
        # the index is long-lived: keep the cyclic GC from rescanning it on every collection
        # (which would slow every later harvest and request in proportion to the catalogue)
        gc.collect()
        gc.freeze()

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
            await self._states.read()
        else:
            # notes of other replicas may arrive after this replica's own later change
            self.version = max(self.version, version)
        if change.full and not change.upserts and self._holds(change.source):
            task = asyncio.create_task(self._reseed(change.source, served))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        if change.full and change.source == ALL_SOURCES:
            self._replace_all([r for r in change.upserts if r.source in keys])
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

    def _replace_all(self, records: list[Microcredential]) -> None:
        self._index.replace_all(records)
        if self._linker is not None:
            self._linker.replace_all(records)
            self._index.set_duplicates(self._linker.hidden(), (), self._linker.same_bodies)

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
        return scope in self._keys and any(r.source == scope for r in self._index.records())

    async def _reseed(self, scope: str, known: dict[str, SourceState]) -> None:
        sources = self._keys if scope == ALL_SOURCES else {scope}
        for key in sorted(sources):
            records = tuple(r for r in self._index.records() if r.source == key)
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
