"""Conformance kit for connector authors: one short test class gives the standard checks.

    from pathlib import Path
    from microcred_hub.testing import ConnectorConformance
    from my_connector import MyConnector

    class TestMyConnector(ConnectorConformance):
        connector = MyConnector
        scenario = Path(__file__).parent / "conformance"   # scenario.toml + fixture files
        skip = {}   # {"check": "the reason"}: a check may be bypassed only with a stated reason

The scenario folder holds ``scenario.toml``::

    url = "/microcredentials"          # the source url, relative to the loopback register
    [options]                          # the connector's options, as in a [[sources]] table
    page_size = 5
    [routes]                           # "/path?query" (exact) or "/path" -> fixture file
    "/microcredentials" = "page-1.json"
    [empty_routes]                     # the same register with no records
    "/microcredentials" = "empty.json"
    [skip]                             # checks bypassed, each with its stated reason

and optionally ``expected/<anything>.toml`` files, each with ``localId`` and the record fields
(camelCase, as JSON) the normalised record must have. ``{base}`` in a fixture is replaced by the
register's address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ClassVar

from microcred_hub.contract import Connector
from microcred_hub.testing.checks import (
    ConformanceError,
    Harvested,
    check_expected,
    check_fetch_only_through_fetcher,
    check_ids_unique,
    check_metadata,
    check_pure,
    check_records_valid,
    check_retryable_not_swallowed,
    check_stable,
    harvest,
)
from microcred_hub.testing.server import Scenario, ScenarioServer

__all__ = [
    "ConformanceError",
    "ConnectorConformance",
    "Scenario",
    "ScenarioServer",
    "run_all_checks",
]

CHECKS = (
    "metadata",
    "fetcher",
    "quarantine",
    "record",
    "ids",
    "stable",
    "pure",
    "empty",
    "retryable",
    "expected",
)


def build(cls: type[Connector], options: Mapping[str, object]) -> Connector:
    import msgspec

    decoded = msgspec.convert(dict(options), cls.options_type, strict=False)
    return cls(decoded)  # type: ignore[call-arg]


async def run_all_checks(
    cls: type[Connector], scenario_dir: Path, skip: Mapping[str, str] | None = None
) -> list[str]:
    """Run every check (bar the skipped ones); returns the names passed. Raises ConformanceError."""
    scenario = Scenario.load(scenario_dir)
    skip = {**scenario.skip, **(skip or {})}
    for check, reason in skip.items():
        if check not in CHECKS:
            raise ConformanceError(check, f"unknown check; the checks are {', '.join(CHECKS)}")
        if not reason or not reason.strip():
            raise ConformanceError(check, "a check may be skipped only with a stated reason")
    passed: list[str] = []
    if "metadata" not in skip:
        check_metadata(cls)
        passed.append("metadata")
    connector = build(cls, scenario.options)
    async with ScenarioServer(scenario) as server:
        url = server.url(scenario.url)
        first: Harvested = await harvest(connector, server, url)  # "quarantine" is checked inside
        passed.append("quarantine")
        steps: dict[str, Callable[[], None]] = {
            "fetcher": lambda: check_fetch_only_through_fetcher(first, server),
            "record": lambda: check_records_valid(first),
            "ids": lambda: check_ids_unique(first),
            "pure": lambda: check_pure(connector, first),
            "expected": lambda: check_expected(first, scenario.expected),
        }
        for name, step in steps.items():
            if name not in skip:
                step()
                passed.append(name)
        if not first.drafts:
            raise ConformanceError("record", "the scenario produced no records: give it some")
        if "stable" not in skip:
            again = await harvest(build(cls, scenario.options), server, url)
            check_stable(first, again)
            passed.append("stable")
        if "empty" not in skip:
            if not scenario.empty_routes:
                raise ConformanceError(
                    "empty", "scenario.toml has no [empty_routes]; add them or skip with a reason"
                )
            server.use_empty()
            empty = await harvest(build(cls, scenario.options), server, url)
            server.use_full()
            if empty.drafts:
                raise ConformanceError(
                    "empty", f"an empty register gave {len(empty.drafts)} records"
                )
            passed.append("empty")
        if "retryable" not in skip:
            await check_retryable_not_swallowed(build(cls, scenario.options), server, url)
            passed.append("retryable")
    return passed


class ConnectorConformance:
    """Subclass with ``connector`` and ``scenario`` (and ``skip`` with reasons) in a test module."""

    connector: ClassVar[type[Connector]]
    scenario: ClassVar[Path]
    skip: ClassVar[Mapping[str, str]] = {}

    def test_connector_passes_the_conformance_checks(self) -> None:
        passed = asyncio.run(run_all_checks(self.connector, self.scenario, self.skip))
        assert passed, "no check ran"
