"""TEMPLATE: a copyable connector for a register that publishes a JSON list (CONTRIBUTING.md).

Not registered as an entry point of the hub: a copy declares its own in its pyproject.toml.
"""

from __future__ import annotations

from .connector import TemplateConnector, TemplateOptions, normalise_item

__all__ = ["TemplateConnector", "TemplateOptions", "normalise_item"]
