"""Built-in connector for NZQA-like micro-credential listings (NZQCF): paged JSON or CSV."""

from __future__ import annotations

from .connector import NzqaConnector, NzqaOptions

__all__ = ["NzqaConnector", "NzqaOptions"]
