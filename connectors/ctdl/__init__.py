"""Credential Engine Registry (CTDL JSON-LD) connector."""

from __future__ import annotations

from .connector import CtdlConnector, CtdlOptions

__all__ = ["CtdlConnector", "CtdlOptions"]
