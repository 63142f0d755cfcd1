"""The SDK's conformance kit over this connector's own catalogue and badge fixtures."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.edubadges import EdubadgesConnector


class TestEdubadgesConformance(ConnectorConformance):
    connector = EdubadgesConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
