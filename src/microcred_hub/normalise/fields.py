"""Small field readers every connector needs: text, flags, dates, each warning the same way."""

from __future__ import annotations

from datetime import date, datetime

from microcred_hub.contract import JSON
from microcred_hub.normalise.dates import parse_date, parse_datetime
from microcred_hub.normalise.text import clean_text
from microcred_hub.normalise.values import to_bool


def text_of(value: JSON, *, numbers: bool = False) -> str | None:
    """A trimmed, NFC-normalised, non-empty string; None for blanks, non-strings and the
    literal "null" some registers write. With ``numbers``: 5 -> "5", 5.0 -> "5", 2.5 -> "2.5"."""
    if isinstance(value, str):
        cleaned = clean_text(value)
        return cleaned if cleaned and cleaned.lower() != "null" else None
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return None


def flag(value: JSON, what: str, warnings: list[str]) -> bool | None:
    """A yes/no field (true/false, 1/0, "yes"/"no"…); anything else -> None and a warning."""
    try:
        return to_bool(value)
    except ValueError:
        warnings.append(f"{what} {value!r} is not a boolean; ignored")
        return None


def date_or_none(
    value: JSON, what: str, warnings: list[str], *, day_first: bool = False
) -> date | None:
    """A date (ISO 8601; ``day_first`` for 12/03/2020); not a date -> None and a warning."""
    try:
        return parse_date(value, day_first=day_first)
    except ValueError:
        warnings.append(f"{what} {value!r} is not a date; left empty")
        return None


def datetime_or_none(
    value: JSON, what: str, warnings: list[str], *, default_tz: str = "UTC"
) -> datetime | None:
    """A date-time (zone-less read in ``default_tz``); not one -> None and a warning."""
    try:
        return parse_datetime(value, default_tz=default_tz)
    except ValueError:
        warnings.append(f"{what} {value!r} is not a date-time; left empty")
        return None
