"""The running hub: store, in-memory index, response cache, connectors and the harvest schedule."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from microcred_hub.cache import ResponseCache, open_cache
from microcred_hub.config import HubConfig, SourceConfig
from microcred_hub.errors import ConfigError, redact_url, redact_urls
from microcred_hub.harvest import Progress, harvest_source
from microcred_hub.index import Index
from microcred_hub.plugins import Plugin, discover, plugin_for
from microcred_hub.record import QuarantinedRecord
from microcred_hub.sdk import Connector
from microcred_hub.store import ChangeSet, HarvestSummary, SourceState, Store
from microcred_hub.store.base import ALL_SOURCES, SourceStatus, StoreUnavailableError
from microcred_hub.store.factory import open_store

log = logging.getLogger("microcred_hub.hub")

#: first retry after a failed harvest; doubles per consecutive failure up to the interval
RETRY_BASE_SECONDS = 30.0


class Hub:
    """Everything a serving or harvesting process needs, built from one validated config."""

    def __init__(self, config: HubConfig, *, plugins: dict[str, Plugin] | None = None) -> None:
        self.config = config
        if plugins is None:
            plugins, _broken = discover()
        self.connectors: dict[str, Connector] = {}
        for i, source in enumerate(config.sources):
            plugin = plugin_for(
                source.connector, plugins, file=config.path, key=f"sources[{i}].connector"
            )
            self.connectors[source.key] = plugin.build(
                source.options, file=config.path, key=f"sources[{i}]"
            )
        snapshot = Path(config.store.snapshot) if config.store.snapshot else None
        if snapshot is not None and not snapshot.is_absolute():
            snapshot = Path(config.path).resolve().parent / snapshot
        self.store: Store = open_store(
            config.store.url, snapshot=snapshot, prefix=config.store.prefix
        )
        self.cache: ResponseCache = open_cache(
            config.cache.url,
            ttl_seconds=config.cache.ttl_seconds,
            max_entries=config.cache.max_entries,
            prefix=config.store.prefix + "cache:",
        )
        self.index = Index()
        self.ready = False
        self.store_error: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[HarvestSummary]] = {}
        self._background: set[asyncio.Task[HarvestSummary]] = set()
        self.progress: Progress | None = None
        self.harvest_listeners: list[Callable[[HarvestSummary], None]] = []
        self._last_states: list[SourceState] = []
        self._background_misc: set[asyncio.Task[None]] = set()
        self._states_epoch = 0

    def cache_epoch(self) -> str:
        """Changes whenever an answer could change: new data, or a source's status."""
        return f"{self.index.version}.{self._states_epoch}"

    @property
    def sources(self) -> tuple[SourceConfig, ...]:
        return tuple(s for s in self.config.sources if s.enabled)

    async def start(self, *, schedule: bool) -> None:
        """Open the store, build the index from it, and optionally start the harvest schedule."""
        await self.store.open()
        self.store.subscribe(self._on_change)
        await self.reload_index()
        await self.source_states()  # remember them, for when the store becomes unreachable
        self.ready = True
        if schedule:
            for source in self.sources:
                self._tasks.append(
                    asyncio.create_task(self._schedule(source), name=f"harvest:{source.key}")
                )

    async def stop(self) -> None:
        for task in [*self._tasks, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._running.values(), return_exceptions=True)
        self._tasks.clear()
        await self.store.close()

    async def reload_index(self) -> None:
        keys = {s.key for s in self.config.sources}
        records = [r for r in await self.store.records() if r.source in keys]
        self.index.replace_all(records)
        # the index is long-lived: keep the cyclic GC from rescanning it on every collection
        # (which would slow every later harvest and request in proportion to the catalogue)
        gc.collect()
        gc.freeze()

    async def _on_change(self, change: ChangeSet, version: int) -> None:
        """Keep the index current with every replica's harvests (and resyncs after outages)."""
        keys = {s.key for s in self.config.sources}
        if change.full and not change.upserts and self._holds(change.source, keys):
            # The store came back empty (a Redis restarted without persistence): never let that
            # wipe what we serve; write our copy back so the other replicas recover too.
            task = asyncio.create_task(self._reseed(change.source, keys))
            self._background_misc.add(task)
            task.add_done_callback(self._background_misc.discard)
            return
        if change.full and change.source == ALL_SOURCES:
            self.index.replace_all(r for r in change.upserts if r.source in keys)
        elif change.source not in keys:
            return
        elif change.full:
            self.index.replace_source(change.source, change.upserts)
        else:
            self.index.apply(change.upserts, change.deletes)
        self._states_epoch += 1  # another replica's harvest may have changed a status too

    def _holds(self, scope: str, keys: set[str]) -> bool:
        if scope == ALL_SOURCES:
            return len(self.index) > 0
        return scope in keys and any(r.source == scope for r in self.index.records())

    async def _reseed(self, scope: str, keys: set[str]) -> None:
        sources = keys if scope == ALL_SOURCES else {scope}
        known = {s.key: s for s in self._last_states}
        for key in sorted(sources):
            records = tuple(r for r in self.index.records() if r.source == key)
            if not records:
                continue
            log.warning(
                "store lost source %s; writing back the %d records served", key, len(records)
            )
            try:
                await self.store.apply(ChangeSet(source=key, upserts=records, state=known.get(key)))
            except StoreUnavailableError as exc:
                log.warning("could not write source %s back: %s", key, exc)

    async def source_states(self) -> list[SourceState]:
        """The configured sources' states, PENDING for those never harvested.

        While the store is unreachable, the last states seen, marked STALE with the reason:
        answers still come from the in-memory index.
        """
        try:
            stored = await self.store.states()
        except StoreUnavailableError as exc:
            self.store_error = redact_urls(
                f"record store unreachable ({exc}); serving the in-memory copy"
            )
            return [
                msgspec.structs.replace(s, status=SourceStatus.STALE, last_error=self.store_error)
                for s in self._last_states
            ]
        self.store_error = None
        known = {s.key: s for s in stored}
        out = []
        for source in self.sources:
            state = known.get(source.key) or SourceState(
                key=source.key, connector=source.connector, url=redact_url(source.url)
            )
            out.append(state)
        self._last_states = out
        return out

    async def quarantined(self, source: str) -> list[QuarantinedRecord]:
        return await self.store.quarantined(source)

    async def harvest(self, keys: Sequence[str] | None = None) -> list[HarvestSummary]:
        """Harvest the sources (all when None) concurrently; one failing does not stop others."""
        chosen = self._chosen(keys)
        return list(await asyncio.gather(*(self.harvest_one(s) for s in chosen)))

    def _chosen(self, keys: Sequence[str] | None) -> list[SourceConfig]:
        """The named sources (ConfigError for an unknown key), or every enabled one."""
        return [self.config.source(k) for k in keys] if keys else list(self.sources)

    def trigger(self, keys: Sequence[str] | None = None) -> list[str]:
        """Start harvests in the background (admin endpoint); returns the keys started."""
        chosen = self._chosen(keys)
        for source in chosen:
            if source.key not in self._running:
                task = asyncio.create_task(self.harvest_one(source))
                self._background.add(task)  # keep a reference until it ends
                task.add_done_callback(self._background.discard)
        return [s.key for s in chosen]

    async def harvest_one(self, source: SourceConfig) -> HarvestSummary:
        """One harvest of one source; concurrent calls for the same source share the run."""
        running = self._running.get(source.key)
        if running is None:
            running = asyncio.create_task(self._harvest_locked(source))
            self._running[source.key] = running
            running.add_done_callback(functools.partial(self._finished, source.key))
        return await asyncio.shield(running)

    def _finished(self, key: str, _task: asyncio.Task[HarvestSummary]) -> None:
        self._running.pop(key, None)

    async def _harvest_locked(self, source: SourceConfig) -> HarvestSummary:
        ttl = self.config.store.lock_ttl_seconds  # renewed while the harvest runs
        async with self.store.harvest_lock(source.key, ttl) as acquired:
            if not acquired:
                log.info("source %s: another replica is harvesting it; skipping", source.key)
                return HarvestSummary(source=source.key, ok=True, skipped=True)
            summary = await harvest_source(
                source, self.connectors[source.key], self.store, progress=self.progress
            )
        self._states_epoch += 1
        for listener in self.harvest_listeners:
            listener(summary)
        if summary.ok:
            log.info(
                "source %s harvested: %d records (%d added, %d changed, %d removed, %d quarantined)"
                " in %.2f s",
                source.key,
                summary.records,
                summary.added,
                summary.changed,
                summary.removed,
                summary.quarantined,
                summary.seconds,
            )
        else:
            log.warning("source %s harvest failed: %s", source.key, "; ".join(summary.errors))
        return summary

    async def _schedule(self, source: SourceConfig) -> None:
        """Harvest when due; after a failure retry sooner, backing off up to the interval."""
        while True:
            state = next((s for s in await self.source_states() if s.key == source.key), None)
            delay = 0.0
            if state is not None and state.last_success_at is not None:
                age = (datetime.now(UTC) - state.last_success_at).total_seconds()
                delay = max(0.0, source.interval_seconds - age)
            if state is not None and state.consecutive_failures:
                backoff = RETRY_BASE_SECONDS * 2 ** (state.consecutive_failures - 1)
                delay = min(delay or source.interval_seconds, backoff)
            if delay:
                await asyncio.sleep(delay * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not crypto
            try:
                summary = await self.harvest_one(source)
                if summary.skipped:
                    # another replica holds the lock: look again once it would have lapsed
                    await asyncio.sleep(self.config.store.lock_ttl_seconds)
            except asyncio.CancelledError:
                raise
            except ConfigError:
                raise
            except Exception:  # the schedule must outlive any one bad harvest
                log.exception("source %s: harvest crashed", source.key)
                await asyncio.sleep(RETRY_BASE_SECONDS)
