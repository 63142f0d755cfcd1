"""edubadges (SURF, NL): public badge-class catalog + Open Badges 2 details with micro fields."""

from __future__ import annotations

from .connector import EdubadgesConnector, EdubadgesOptions
from .mapping import normalise_badge

__all__ = ["EdubadgesConnector", "EdubadgesOptions", "normalise_badge"]
