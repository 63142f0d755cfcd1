"""Run the conformance checks: each on its own, in a worker thread, within a time limit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import ClassVar

import msgspec
import pytest

from microcred_hub.contract import Connector
from microcred_hub.testing.checks import (
    ConformanceError,
    check_expected,
    check_fetch_only_through_fetcher,
    check_ids_unique,
    check_metadata,
    check_pure,
    check_quarantine,
    check_records_valid,
    check_retryable_not_swallowed,
    check_stable,
    harvest,
)
from microcred_hub.testing.server import Scenario, ScenarioServer

CHECKS = (
    "metadata",
    "fetcher",
    "quarantine",
    "record",
    "ids",
    "pure",
    "expected",
    "stable",
    "empty",
    "retryable",
)
#: seconds one check may take before the kit calls the connector stuck
TIME_LIMIT = 30.0


def build(cls: type[Connector], options: Mapping[str, object]) -> Connector:
    decoded = msgspec.convert(dict(options), cls.options_type, strict=False)
    return cls(decoded)  # type: ignore[call-arg]


def skips(scenario: Scenario, extra: Mapping[str, str] | None) -> dict[str, str]:
    """The scenario's and the test class's skips; a skip must name a check and give a reason."""
    merged = {**scenario.skip, **(extra or {})}
    for check, reason in merged.items():
        if check not in CHECKS:
            raise ConformanceError(check, f"unknown check; the checks are {', '.join(CHECKS)}")
        if not reason or not reason.strip():
            raise ConformanceError(check, "a check may be skipped only with a stated reason")
    return merged


async def _run(cls: type[Connector], scenario: Scenario, name: str) -> None:
    if name == "metadata":
        check_metadata(cls)
        return
    async with ScenarioServer(scenario) as server:
        url = server.url(scenario.url)
        if name in ("empty", "retryable"):
            await _against_failing_or_empty(cls, scenario, server, url, name)
            return
        first = await harvest(build(cls, scenario.options), server, url)
        if name != "quarantine" and not first.drafts:
            raise ConformanceError("record", "the scenario produced no records: give it some")
        steps: dict[str, Callable[[], None]] = {
            "fetcher": lambda: check_fetch_only_through_fetcher(first, server),
            "quarantine": lambda: check_quarantine(first),
            "record": lambda: check_records_valid(first),
            "ids": lambda: check_ids_unique(first),
            "pure": lambda: check_pure(build(cls, scenario.options), first),
            "expected": lambda: check_expected(first, scenario.expected),
        }
        if name == "stable":
            check_stable(first, await harvest(build(cls, scenario.options), server, url))
        else:
            steps[name]()


async def _against_failing_or_empty(
    cls: type[Connector], scenario: Scenario, server: ScenarioServer, url: str, name: str
) -> None:
    if name == "retryable":
        await check_retryable_not_swallowed(build(cls, scenario.options), server, url)
        return
    if not scenario.empty_routes:
        raise ConformanceError(
            "empty", "scenario.toml has no [empty_routes]; add them or skip with a reason"
        )
    server.use_empty()
    empty = await harvest(build(cls, scenario.options), server, url)
    if empty.drafts:
        raise ConformanceError("empty", f"an empty register gave {len(empty.drafts)} records")


def within(limit: float, name: str, work: Callable[[], Awaitable[None]]) -> None:
    """Run ``work`` on an event loop of its own in a worker thread, waiting ``limit`` seconds.

    A connector that blocks (``time.sleep``, a blocking HTTP client, a lock never released)
    would freeze a loop shared with the kit forever; in a thread it can only run out of time.
    """
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(work())  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=target, name=f"conformance-{name}", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        raise ConformanceError(
            name,
            f"the check did not finish within {limit:g} s: fetch or normalise blocks or waits "
            "forever (time.sleep, a blocking HTTP client or file read, a lock); do all I/O "
            "through ctx.fetcher and keep normalise pure. A scenario that is really this slow "
            "may raise time_limit on the test class",
        )
    if failure:
        raise failure[0]


def run_check(
    cls: type[Connector],
    scenario_dir: Path,
    name: str,
    skip: Mapping[str, str] | None = None,
    time_limit: float = TIME_LIMIT,
) -> str | None:
    """Run one check; None when it passed, the stated reason when it is skipped."""
    scenario = Scenario.load(scenario_dir)
    reasons = skips(scenario, skip)
    if name not in CHECKS:
        raise ConformanceError(name, f"unknown check; the checks are {', '.join(CHECKS)}")
    if name in reasons:
        return reasons[name]
    within(time_limit, name, lambda: _run(cls, scenario, name))
    return None


async def run_all_checks(
    cls: type[Connector],
    scenario_dir: Path,
    skip: Mapping[str, str] | None = None,
    time_limit: float = TIME_LIMIT,
) -> list[str]:
    """Every check bar the skipped ones; the names passed. Raises the first ConformanceError."""

    def all_checks() -> list[str]:
        return [
            name for name in CHECKS if run_check(cls, scenario_dir, name, skip, time_limit) is None
        ]

    return await asyncio.to_thread(all_checks)


class ConnectorConformance:
    """Subclass with ``connector`` and ``scenario`` (and ``skip`` with reasons) in a test module:
    pytest then shows one test per check, each failure naming its check and each skip its
    reason."""

    connector: ClassVar[type[Connector]]
    scenario: ClassVar[Path]
    skip: ClassVar[Mapping[str, str]] = {}
    time_limit: ClassVar[float] = TIME_LIMIT

    def _check(self, name: str) -> None:
        reason = run_check(self.connector, self.scenario, name, self.skip, self.time_limit)
        if reason is not None:
            pytest.skip(f"{name}: {reason}")

    def test_metadata(self) -> None:
        """info is complete, options are typed, the entry point names this class."""
        self._check("metadata")

    def test_fetcher(self) -> None:
        """every request the register saw came through ctx.fetcher."""
        self._check("fetcher")

    def test_quarantine(self) -> None:
        """a malformed fixture record is refused with InvalidRecordError and a reason."""
        self._check("quarantine")

    def test_record(self) -> None:
        """every draft is a valid canonical record."""
        self._check("record")

    def test_ids(self) -> None:
        """local ids are unique within one harvest."""
        self._check("ids")

    def test_stable(self) -> None:
        """two harvests of the same register give the same ids and content."""
        self._check("stable")

    def test_pure(self) -> None:
        """normalise gives equal output twice and leaves its input alone."""
        self._check("pure")

    def test_empty(self) -> None:
        """an empty register gives no records."""
        self._check("empty")

    def test_retryable(self) -> None:
        """a register answering 503 fails the harvest with RetryableFetchError."""
        self._check("retryable")

    def test_expected(self) -> None:
        """records match the expected-output fixtures."""
        self._check("expected")
