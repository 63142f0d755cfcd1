"""The SDK's conformance kit over this connector's own ELM fixture documents."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.elm import ElmConnector


class TestElmConformance(ConnectorConformance):
    connector = ElmConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
