"""Dates and date-times per RECORD.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime

    from microcred_hub.sdk import JSON


def parse_date(value: JSON, *, day_first: bool = False, european_midnight: bool = False) -> date | None:
    """"2020-03-12" -> date; with day_first "12/03/2020" (NZ/European style) -> 2020-03-12.

    A date-time gives its date in its own zone; with ``european_midnight`` a UTC instant that is
    local midnight in Europe/Brussels ("2022-12-31T23:00:00Z") gives the Brussels date
    (2023-01-01). None/"" -> None; unparseable -> ValueError.
    """
    raise NotImplementedError


def parse_datetime(value: JSON, *, default_tz: str = "UTC") -> datetime | None:
    """ISO 8601 date-time -> aware datetime keeping its instant; a zone-less value is read in
    ``default_tz`` (an IANA name); a bare date is midnight in that zone. None/"" -> None;
    unparseable -> ValueError.
    """
    raise NotImplementedError
