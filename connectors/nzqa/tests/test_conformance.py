"""The SDK's conformance kit over this connector's own fixture feed."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.testing import ConnectorConformance
from microcred_hub_connectors.nzqa import NzqaConnector


class TestNzqaConformance(ConnectorConformance):
    connector = NzqaConnector
    scenario = Path(__file__).parents[1] / "fixtures" / "conformance"
    skip = {}  # noqa: RUF012 - the kit's own class attribute
