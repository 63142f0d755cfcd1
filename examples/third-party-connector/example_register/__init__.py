"""Example Irish Register connector for microcred-hub: a third-party plugin package.

Found by the hub through the entry point ``example = "example_register:ExampleConnector"``
in this package's pyproject.toml; nothing in the hub names it.
"""

from __future__ import annotations

from .connector import ExampleConnector, ExampleOptions, normalise_course

__all__ = ["ExampleConnector", "ExampleOptions", "normalise_course"]
__version__ = "1.0.0"
