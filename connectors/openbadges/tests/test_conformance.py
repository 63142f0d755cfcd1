"""The SDK's conformance kit over this connector's own Open Badges fixture documents."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.openbadges import OpenBadgesConnector


class TestOpenBadgesConformance(ConnectorConformance):
    connector = OpenBadgesConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
