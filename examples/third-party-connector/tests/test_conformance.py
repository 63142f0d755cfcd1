"""The hub's conformance kit over this connector: one short class."""

from __future__ import annotations

from pathlib import Path

import example_register
from example_register import ExampleConnector

from microcred_hub.testing import ConnectorConformance


class TestExampleConnector(ConnectorConformance):
    connector = ExampleConnector
    # inside the package, so the installed copy carries it (the hub's suite looks there too)
    scenario = Path(example_register.__file__).parent / "fixtures" / "conformance"
