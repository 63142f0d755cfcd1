"""Open Badges 2.0 / 3.0 connector (see README.md)."""

from __future__ import annotations

from .connector import OpenBadgesConnector, OpenBadgesOptions

__all__ = ["OpenBadgesConnector", "OpenBadgesOptions"]
