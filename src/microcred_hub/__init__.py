"""microcred-hub: one GraphQL endpoint over the world's micro-credential registers."""

from __future__ import annotations

__version__ = "0.1.0"
