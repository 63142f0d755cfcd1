"""The SDK's conformance kit over this connector's own fixture documents."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.ctdl import CtdlConnector


class TestCtdlConformance(ConnectorConformance):
    connector = CtdlConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
