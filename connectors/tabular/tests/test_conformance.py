"""The SDK's conformance kit over this connector's NZ CSV fixture and its mapping."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.tabular import TabularConnector


class TestTabularConformance(ConnectorConformance):
    connector = TabularConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
