"""The wiring: one validated config in, the running parts out (each handed only what it uses)."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.cache import ResponseCache, open_cache
from microcred_hub.config import HubConfig, SourceConfig, load_overrides
from microcred_hub.contract import Connector
from microcred_hub.duplicates import Linker, Overrides
from microcred_hub.index import Index
from microcred_hub.plugins import Plugin, discover, plugin_for
from microcred_hub.runtime import heap
from microcred_hub.runtime.feed import IndexFeed
from microcred_hub.runtime.scheduler import Scheduler
from microcred_hub.runtime.states import SourceStates
from microcred_hub.state import HarvestSummary
from microcred_hub.store import Store, open_store


class Hub:
    """Everything a serving or harvesting process needs, built from one validated config.

    ``store``, ``cache`` and ``index`` are the data; ``states`` what the sources' states read
    as; ``feed`` keeps the index in step with the store; ``scheduler`` runs the harvests.
    """

    def __init__(self, config: HubConfig, *, plugins: dict[str, Plugin] | None = None) -> None:
        self.config = config
        self.connectors = _connectors(config, plugins)
        self.store: Store = open_store(
            config.store.url,
            snapshot=_snapshot(config),
            prefix=config.store.prefix,
            cluster=config.store.cluster,
        )
        self.cache: ResponseCache = open_cache(
            config.cache.url,
            ttl_seconds=config.cache.ttl_seconds,
            max_entries=config.cache.max_entries,
            prefix=config.store.prefix + "cache:",
            cluster=config.cache.cluster,
        )
        self.index = Index()
        self.linker = _linker(config)
        self.states = SourceStates(self.store, self.sources)
        self.feed = IndexFeed(
            self.store, self.index, self.states, (s.key for s in config.sources), self.linker
        )
        self.scheduler = Scheduler(config, self.connectors, self.store, self.states)
        self.scheduler.listeners.append(self._harvested)
        self.ready = False

    @property
    def sources(self) -> tuple[SourceConfig, ...]:
        return tuple(s for s in self.config.sources if s.enabled)

    def cache_epoch(self) -> str | None:
        """What every answer depends on, the same in every replica holding the same data: the
        store's data version the index reflects and the sources' states as stored.

        None while the store is unreachable: answers then say STALE and are this replica's own,
        and each must look at the store again (a cached one would outlive the outage).
        """
        if self.states.store_error:
            return None
        # groups still being linked or re-read make this replica's answers its own
        linking = "" if self.feed.linking is None else self.feed.linking.epoch()
        return f"{self.feed.version}.{self.states.digest}{linking}"

    async def start(self, *, schedule: bool) -> None:
        """Open the store, build the index from it, and optionally start the harvest schedule."""
        await self.store.open()
        await self.feed.start()
        await self.states.read()  # remember them, for when the store becomes unreachable
        self.ready = True
        if schedule:
            self.scheduler.start()

    def _harvested(self, summary: HarvestSummary) -> None:
        changed = summary.added + summary.changed + summary.removed
        if changed >= heap.LARGE_CHANGE:
            heap.trim()  # what the harvest held is free now
        # This replica changed the data: it writes the image the next replica starts from.
        if self.feed.images is not None and changed:
            self.feed.images.schedule()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.feed.stop()
        await self.store.close()
        await self.cache.close()


def _connectors(config: HubConfig, plugins: dict[str, Plugin] | None) -> dict[str, Connector]:
    """One connector per source, built from its options; ConfigError names a bad one."""
    if plugins is None:
        plugins, _broken = discover()
    built: dict[str, Connector] = {}
    for i, source in enumerate(config.sources):
        plugin = plugin_for(
            source.connector, plugins, file=config.path, key=f"sources[{i}].connector"
        )
        built[source.key] = plugin.build(source.options, file=config.path, key=f"sources[{i}]")
    return built


def _linker(config: HubConfig) -> Linker | None:
    """The duplicate linker ``[duplicates]`` asks for; None when it is turned off."""
    settings = config.duplicates
    if not settings.enabled:
        return None
    pairs = load_overrides(config)
    overrides = Overrides(
        always={frozenset(pair) for pair in pairs.always},
        never={frozenset(pair) for pair in pairs.never},
    )
    return Linker(threshold=settings.threshold, overrides=overrides)


def _snapshot(config: HubConfig) -> Path | None:
    """The memory store's snapshot file; a relative path is relative to the config file."""
    snapshot = Path(config.store.snapshot) if config.store.snapshot else None
    if snapshot is not None and not snapshot.is_absolute():
        snapshot = Path(config.path).resolve().parent / snapshot
    return snapshot
