"""Conformance kit for connector authors: one short test class gives one test per check.

    from pathlib import Path
    from microcred_hub.testing import ConnectorConformance
    from my_connector import MyConnector

    class TestMyConnector(ConnectorConformance):
        connector = MyConnector
        scenario = Path(__file__).parent / "conformance"   # scenario.toml + fixture files
        skip = {}   # {"check": "the reason"}: a check may be bypassed only with a stated reason
        time_limit = 30.0   # seconds per check: a connector that blocks fails instead of hanging

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
register's address. At least one fixture record must be malformed (the quarantine check).

For a connector's own fetch tests: ``TestFetcher`` runs ``fetch`` through the hub's real
fetcher and keeps validators and connector state between runs, as the store does;
``Loopback`` serves any aiohttp app as the loopback register (``ScenarioServer`` a scenario folder).
"""

from __future__ import annotations

from microcred_hub.testing.checks import ConformanceError
from microcred_hub.testing.fetcher import Fetched, TestFetcher
from microcred_hub.testing.kit import CHECKS, ConnectorConformance, build, run_all_checks, run_check
from microcred_hub.testing.server import Loopback, Scenario, ScenarioServer

__all__ = [
    "CHECKS",
    "ConformanceError",
    "ConnectorConformance",
    "Fetched",
    "Loopback",
    "Scenario",
    "ScenarioServer",
    "TestFetcher",
    "build",
    "run_all_checks",
    "run_check",
]
