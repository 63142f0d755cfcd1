"""Dates and date-times per RECORD.md."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from datetime import tzinfo

    from microcred_hub.contract import JSON

EUROPE = "Europe/Brussels"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](.+))?")
# Python 3.11's fromisoformat takes at most 6 fractional digits; some registers send 7 or 9.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


@cache
def _zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)


def _text(value: JSON) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date as text, got {value!r}")
    text = value.strip()
    return text or None


def _parse(text: str, day_first: bool) -> date | datetime:
    """A bare date or a (possibly zone-less) date-time, as written."""
    try:
        if len(text) == 10 and _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if day_first and (match := _DAY_FIRST.fullmatch(text)):
            day, _, month, year, clock = match.groups()
            day_part = date(int(year), int(month), int(day))
            if clock is None:
                return day_part
            return datetime.fromisoformat(f"{day_part.isoformat()}T{clock}")
        return datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", text))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r} ({exc})") from None


def parse_date(
    value: JSON, *, day_first: bool = False, european_midnight: bool = False
) -> date | None:
    """ "2020-03-12" -> date; with day_first "12/03/2020" (NZ/European style) -> 2020-03-12.

    A date-time gives its date in its own zone; with ``european_midnight`` a UTC instant that is
    local midnight in Europe/Brussels ("2022-12-31T23:00:00Z") gives the Brussels date
    (2023-01-01). None/"" -> None; unparseable -> ValueError.
    """
    text = _text(value)
    if text is None:
        return None
    parsed = _parse(text, day_first)
    if not isinstance(parsed, datetime):
        return parsed
    if european_midnight and parsed.utcoffset() == timedelta(0):
        local = parsed.astimezone(_zone(EUROPE))
        if local.time() == time(0, 0):
            return local.date()
    return parsed.date()


def parse_datetime(
    value: JSON, *, default_tz: str = "UTC", day_first: bool = False
) -> datetime | None:
    """ISO 8601 date-time -> aware datetime keeping its instant; a zone-less value is read in
    ``default_tz`` (an IANA name); a bare date is midnight in that zone. None/"" -> None;
    unparseable -> ValueError. ``day_first`` reads "12/03/2020 10:00" as in parse_date.
    """
    text = _text(value)
    if text is None:
        return None
    parsed = _parse(text, day_first)
    if not isinstance(parsed, datetime):
        return datetime.combine(parsed, time(0, 0), tzinfo=_zone(default_tz))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_zone(default_tz))
    return parsed
