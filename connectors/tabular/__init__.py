"""Tabular connector: any CSV/JSON list mapped by a declarative config (see README.md)."""

from __future__ import annotations

from .connector import TabularConnector
from .options import TabularOptions

__all__ = ["TabularConnector", "TabularOptions"]
