"""The harvest schedule: each source harvested when due, by one replica at a time."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from microcred_hub.config import HubConfig, SourceConfig
from microcred_hub.contract import Connector
from microcred_hub.errors import ConfigError
from microcred_hub.harvest import Progress, harvest_source
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import HarvestSummary, SourceState
from microcred_hub.store import Store

log = logging.getLogger("microcred_hub.hub")

#: first retry after a failed harvest; doubles per consecutive failure up to the interval
RETRY_BASE_SECONDS = 30.0


class Scheduler:
    """Runs harvests: on a schedule, on demand (CLI, admin endpoint), never two of one source."""

    def __init__(
        self,
        config: HubConfig,
        connectors: Mapping[str, Connector],
        store: Store,
        states: SourceStates,
    ) -> None:
        self._config = config
        self._connectors = connectors
        self._store = store
        self._states = states
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[HarvestSummary]] = {}
        self._background: set[asyncio.Task[HarvestSummary]] = set()
        self.progress: Progress | None = None
        #: called with every harvest's summary (metrics)
        self.listeners: list[Callable[[HarvestSummary], None]] = []

    @property
    def sources(self) -> tuple[SourceConfig, ...]:
        return tuple(s for s in self._config.sources if s.enabled)

    def start(self) -> None:
        """Harvest every enabled source when due, until stopped."""
        for source in self.sources:
            self._tasks.append(
                asyncio.create_task(self._schedule(source), name=f"harvest:{source.key}")
            )

    async def stop(self) -> None:
        for task in [*self._tasks, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._running.values(), return_exceptions=True)
        self._tasks.clear()

    async def harvest(self, keys: Sequence[str] | None = None) -> list[HarvestSummary]:
        """Harvest the sources (all when None) concurrently; one failing does not stop others."""
        chosen = self._chosen(keys)
        return list(await asyncio.gather(*(self.harvest_one(s) for s in chosen)))

    def _chosen(self, keys: Sequence[str] | None) -> list[SourceConfig]:
        """The named sources (ConfigError for an unknown key), or every enabled one."""
        return [self._config.source(k) for k in keys] if keys else list(self.sources)

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
        ttl = self._config.store.lock_ttl_seconds  # renewed while the harvest runs
        async with self._store.harvest_lock(source.key, ttl) as acquired:
            if not acquired:
                log.info("source %s: another replica is harvesting it; skipping", source.key)
                return HarvestSummary(source=source.key, ok=True, skipped=True)
            summary = await harvest_source(
                source, self._connectors[source.key], self._store, progress=self.progress
            )
        for listener in self.listeners:
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
            state = next((s for s in await self._states.read() if s.key == source.key), None)
            delay = due_in(state, source, datetime.now(UTC))
            if delay:
                await asyncio.sleep(delay * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not crypto
            try:
                summary = await self.harvest_one(source)
                if summary.skipped:
                    # another replica holds the lock: look again once it would have lapsed
                    await asyncio.sleep(self._config.store.lock_ttl_seconds)
            except asyncio.CancelledError:
                raise
            except ConfigError:
                raise
            except Exception:  # the schedule must outlive any one bad harvest
                log.exception("source %s: harvest crashed", source.key)
                await asyncio.sleep(RETRY_BASE_SECONDS)


def due_in(state: SourceState | None, source: SourceConfig, now: datetime) -> float:
    """Seconds until ``source`` is due: its interval after the last success, or sooner after
    failures (RETRY_BASE_SECONDS, doubling per consecutive failure, never beyond the interval).
    """
    delay = 0.0
    if state is not None and state.last_success_at is not None:
        age = (now - state.last_success_at).total_seconds()
        delay = max(0.0, source.interval_seconds - age)
    if state is not None and state.consecutive_failures:
        backoff = RETRY_BASE_SECONDS * 2 ** (state.consecutive_failures - 1)
        delay = min(delay or source.interval_seconds, backoff)
    return delay
