"""The conformance kit over this connector: the one short class every connector has."""

from __future__ import annotations

from pathlib import Path

import microcred_hub_connectors._template as package
from microcred_hub.testing import ConnectorConformance


class TestTemplateConnector(ConnectorConformance):
    connector = package.TemplateConnector
    # found through the package, so this holds wherever tests/ sits and once installed
    scenario = Path(package.__file__).parent / "fixtures" / "conformance"
