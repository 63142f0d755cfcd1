"""Prometheus metrics, one registry per app so several hubs can live in one process (tests)."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from microcred_hub.cache import CacheStats
from microcred_hub.state import HarvestSummary, SourceState, SourceStatus

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "mch_http_requests", "HTTP requests", ["path", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "mch_http_request_duration_seconds",
            "HTTP request latency",
            ["path"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.cache = Counter("mch_response_cache", "Response cache lookups", ["result"], registry=r)
        self.rate_limited = Counter(
            "mch_rate_limited", "Requests refused by the rate limit", registry=r
        )
        self.harvests = Counter("mch_harvests", "Harvests run", ["source", "result"], registry=r)
        self.harvest_seconds = Histogram(
            "mch_harvest_duration_seconds",
            "Harvest duration",
            ["source"],
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
            registry=r,
        )
        self.source_records = Gauge(
            "mch_source_records", "Records served per source", ["source"], registry=r
        )
        self.source_quarantined = Gauge(
            "mch_source_quarantined",
            "Records quarantined in the last harvest",
            ["source"],
            registry=r,
        )
        self.source_up = Gauge(
            "mch_source_ok", "1 when the source's last harvest succeeded", ["source"], registry=r
        )
        self.source_failures = Gauge(
            "mch_source_consecutive_failures", "Failed harvests in a row", ["source"], registry=r
        )
        self.cache_level = Gauge(
            "mch_cache_level_lookups",
            "Response cache lookups per level (memory, redis) and outcome",
            ["level", "outcome"],
            registry=r,
        )
        self.index_records = Gauge(
            "mch_index_records", "Records in the in-memory index", registry=r
        )
        self.data_version = Gauge("mch_data_version", "Index data version", registry=r)
        # prometheus_client's labels() checks and joins its arguments on every call: each
        # request asks for the same few children, so they are looked up once
        self._served: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.cache_hit = self.cache.labels("hit")
        self.cache_miss = self.cache.labels("miss")

    def served(self, path: str, method: str, status: int, seconds: float) -> None:
        """Count a request and observe its latency (path and method from small fixed sets)."""
        key = (path, method, status)
        children = self._served.get(key)
        if children is None:
            children = (self.requests.labels(path, method, str(status)), self.latency.labels(path))
            self._served[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def harvested(self, summary: HarvestSummary) -> None:
        self.harvests.labels(summary.source, "ok" if summary.ok else "failed").inc()
        self.harvest_seconds.labels(summary.source).observe(summary.seconds)

    def render(
        self,
        states: list[SourceState],
        index_size: int,
        version: int,
        cache_stats: Sequence[CacheStats] = (),
    ) -> bytes:
        for state in states:
            self.source_records.labels(state.key).set(state.record_count)
            self.source_quarantined.labels(state.key).set(state.quarantined_count)
            self.source_up.labels(state.key).set(1 if state.status is SourceStatus.OK else 0)
            self.source_failures.labels(state.key).set(state.consecutive_failures)
        for level in cache_stats:
            self.cache_level.labels(level.level, "hit").set(level.hits)
            self.cache_level.labels(level.level, "miss").set(level.misses)
            self.cache_level.labels(level.level, "error").set(level.errors)
        self.index_records.set(index_size)
        self.data_version.set(version)
        return generate_latest(self.registry)
