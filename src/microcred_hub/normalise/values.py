"""Scalars as registers send them: numbers as numeric strings, booleans as 0/1/"true"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.sdk import JSON


def to_float(value: JSON) -> float | None:
    """20, 20.5, "20", " 7 ", "2,5" (decimal comma) -> float; None/""/"null" -> None.

    Raises ValueError for anything else (e.g. "abc", a list, a bool) so the caller can decide
    between a warning and quarantine.
    """
    raise NotImplementedError


def to_int(value: JSON) -> int | None:
    """Like to_float but must be integral (" 7 " -> 7, 7.0 -> 7); ValueError for 7.5 or "abc"."""
    raise NotImplementedError


def to_bool(value: JSON) -> bool | None:
    """true/false, 1/0, "1"/"0", "true"/"false"/"yes"/"no" (any case) -> bool; None/"null"/"" -> None.

    Raises ValueError for anything else.
    """
    raise NotImplementedError
