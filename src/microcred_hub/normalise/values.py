"""Scalars as registers send them: numbers as numeric strings, booleans as 0/1/"true"."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.contract import JSON

# Stricter than float(): no "nan", "inf" or "1_000", which are never a register's number.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_NULLS = frozenset({"", "null"})
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _is_null(text: str) -> bool:
    return text.lower() in _NULLS


def to_float(value: JSON) -> float | None:
    """20, 20.5, "20", " 7 ", "2,5" (decimal comma) -> float; None/""/"null" -> None.

    Raises ValueError for anything else (e.g. "abc", a list, a bool) so the caller can decide
    between a warning and quarantine.
    """
    if value is None:
        return None
    # bool is an int subclass: True must not read as 1 credit.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {value!r}")
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return value
    if isinstance(value, str):
        text = value.strip()
        if _is_null(text):
            return None
        if _NUMBER.fullmatch(text) is None:
            raise ValueError(f"expected a number, got {value!r}")
        return float(text.replace(",", "."))
    raise ValueError(f"expected a number, got a {type(value).__name__}")


def to_int(value: JSON) -> int | None:
    """Like to_float but must be integral (" 7 " -> 7, 7.0 -> 7); ValueError for 7.5 or "abc"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # Integral strings directly, so large identifiers-as-numbers keep every digit.
    if isinstance(value, str) and _INTEGER.fullmatch(text := value.strip()):
        return int(text)
    number = to_float(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


def to_bool(value: JSON) -> bool | None:
    """true/false, 1/0, "1"/"0", "true"/"false"/"yes"/"no" (any case) -> bool;
    None/"null"/"" -> None.

    Raises ValueError for anything else.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text in _NULLS:
            return None
    raise ValueError(f"expected a boolean (true/false, 1/0, yes/no), got {value!r}")
