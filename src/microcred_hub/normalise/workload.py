"""Workload: comparable hours, ECTS for European users, the original always kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.record import Workload
    from microcred_hub.sdk import JSON

HOURS_PER_ECTS = 27.5  # midpoint of the 25-30 h range (RECORD.md)
HOURS_PER_NZ_CREDIT = 10.0


def workload(
    warnings: list[str],
    *,
    ects: JSON = None,
    hours: JSON = None,
    nz_credits: JSON = None,
    duration: JSON = None,
    credits: JSON = None,
    credits_unit: str | None = None,
    hours_per_ects: float = HOURS_PER_ECTS,
) -> Workload | None:
    """Build the workload from whatever the source states (numbers may be numeric strings).

    Rules (RECORD.md "Workload"): stated values win over derived ones; ``derived`` is true when
    either ects or hours came from a rule.
    - ects only: hours = ects * hours_per_ects (derived)
    - nz_credits: hours = credits * 10 (exact, not derived); ects = credits * 0.5 (derived)
    - hours (SBU, study load): ects = round(hours / hours_per_ects, 1) (derived)
    - duration (ISO 8601, e.g. "PT150H", "PT90M" = 1.5 h, "P2DT4H" = 52 h, "P1W" = 168 h): the hours
      of the duration as written; a duration with Y or M (months, before the T) is a calendar
      span, not workload -> hours None + warning (the month/minute trap: "P3M" is three months,
      "PT3M" three minutes); ects derived from hours.
    - credits with a credits_unit that is not ECTS/NZ (US "semester hours", OB3 unit-less):
      ects and hours None, original kept, warning.
    original_value/original_unit: the first stated value in the order ects, hours, nz_credits,
    duration, credits, as published (e.g. ("15", "NZ credits"), ("2.5", "ECTS"), ("PT150H", "ISO 8601 duration")).
    A value that is not a number -> ValueError (the caller decides: quarantine or warning).
    Nothing stated -> None.
    """
    raise NotImplementedError
