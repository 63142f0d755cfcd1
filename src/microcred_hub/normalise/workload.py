"""Workload: comparable hours, ECTS for European users, the original always kept."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from microcred_hub.normalise._fold import spaced_key
from microcred_hub.normalise.values import to_float
from microcred_hub.record import Workload

if TYPE_CHECKING:
    from microcred_hub.contract import JSON

HOURS_PER_ECTS = 27.5  # midpoint of the 25-30 h range (RECORD.md)
HOURS_PER_NZ_CREDIT = 10.0
ECTS_PER_NZ_CREDIT = 0.5  # 120 NZ credits = one full-time year = 60 ECTS
HOURS_PER_DAY = 7.4  # a day of full-time training: a 37-hour week of five days (Danish AMU)

_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?",
    re.IGNORECASE,
)
# Hours per unit of each part after the year and month (which are calendar spans, not workload).
_DURATION_HOURS = (168.0, 24.0, 1.0, 1 / 60, 1 / 3600)
_ECTS_UNITS = frozenset(
    {"ects", "ec", "ects credits", "ects credit", "ects points", "studiepunten"}
)
_NZ_UNITS = frozenset({"nz credits", "nz credit", "nzqa credits", "nzqcf credits", "credits nz"})
_HOURS_UNITS = frozenset(
    {"hours", "hour", "h", "hrs", "hr", "uur", "uren", "sbu", "study hours", "study load hours"}
)


def _duration_hours(value: JSON, warnings: list[str]) -> float | None:
    """ISO 8601 duration -> hours; None + warning for a calendar span (years or months)."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 duration, got {value!r}")
    text = value.strip()
    match = _DURATION.fullmatch(text)
    if match is None or text.upper() in ("P", "PT") or text.upper().endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    years, months, *rest = (float(g.replace(",", ".")) if g else 0.0 for g in match.groups())
    if years or months:
        warnings.append(
            f'duration "{text}" is a calendar span (years or months), not a workload;'
            " hours left empty"
        )
        return None
    return round(sum(part * factor for part, factor in zip(rest, _DURATION_HOURS, strict=True)), 4)


def _number(value: JSON, what: str) -> float | None:
    number = to_float(value)
    if number is not None and number < 0:
        raise ValueError(f"{what} cannot be negative: {value!r}")
    return number


def _given(value: JSON) -> bool:
    # "" and "null" are how CSV exports and some JSON APIs say "not stated"
    return value is not None and not (
        isinstance(value, str) and value.strip().lower() in ("", "null")
    )


def _published(value: JSON) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def workload(
    warnings: list[str],
    *,
    ects: JSON = None,
    hours: JSON = None,
    nz_credits: JSON = None,
    duration: JSON = None,
    credits: JSON = None,
    credits_unit: str | None = None,
    days: JSON = None,
    hours_per_ects: float = HOURS_PER_ECTS,
    hours_per_day: float = HOURS_PER_DAY,
    ects_unit: str = "ECTS",
    hours_unit: str = "hours",
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
    - days of full-time training: hours = days * hours_per_day (derived), ects from hours
    - credits with a credits_unit that is not ECTS/NZ (US "semester hours", OB3 unit-less):
      ects and hours None, original kept, warning.
    original_value/original_unit: the first stated value in the order ects, hours, nz_credits,
    duration, credits, as published (e.g. ("15", "NZ credits"), ("2.5", "ECTS"),
    ("PT150H", "ISO 8601 duration")).
    ``ects_unit``/``hours_unit`` name the unit as the register published it ("EC", "SBU").
    A value that is not a number -> ValueError (the caller decides: quarantine or warning).
    Nothing stated -> None.
    """
    # A credits value whose unit we know is just ECTS, NZ credits or hours under another name.
    unit_key = spaced_key(credits_unit) if credits_unit else ""
    if _given(credits) and credits_unit:
        if unit_key in _ECTS_UNITS and not _given(ects):
            ects, ects_unit, credits = credits, credits_unit, None
        elif unit_key in _NZ_UNITS and not _given(nz_credits):
            nz_credits, credits = credits, None
        elif unit_key in _HOURS_UNITS and not _given(hours):
            hours, hours_unit, credits = credits, credits_unit, None
    stated = [
        (raw, unit)
        for raw, unit in (
            (ects, ects_unit),
            (hours, hours_unit),
            (nz_credits, "NZ credits"),
            (duration, "ISO 8601 duration"),
            (days, "days"),
            (credits, credits_unit or "credits"),
        )
        if _given(raw)
    ]
    if not stated:
        return None

    stated_ects = _number(ects, "ECTS")
    stated_hours = _number(hours, "hours")
    nz = _number(nz_credits, "NZ credits")
    stated_days = _number(days, "days")
    if _given(duration):
        duration_hours = _duration_hours(duration, warnings)
        if stated_hours is None:
            stated_hours = duration_hours
    derived = False
    out_hours = stated_hours
    if out_hours is None and nz is not None:
        out_hours = nz * HOURS_PER_NZ_CREDIT  # the NZQA rule is exact: not a derivation
    elif out_hours is None and stated_ects is not None:
        out_hours, derived = round(stated_ects * hours_per_ects, 2), True
    elif out_hours is None and stated_days is not None:
        out_hours, derived = round(stated_days * hours_per_day, 2), True
    out_ects = stated_ects
    if out_ects is None and nz is not None:
        out_ects, derived = nz * ECTS_PER_NZ_CREDIT, True
    elif out_ects is None and out_hours is not None:
        out_ects, derived = round(out_hours / hours_per_ects, 1), True

    if _given(credits) and out_ects is None and out_hours is None:
        _ = _number(credits, "credits")  # still a number, or the caller hears about it
        unit_said = f'"{credits_unit}"' if credits_unit else "no unit"
        warnings.append(
            f"credits {_published(credits)} with {unit_said} have no conversion to hours or ECTS;"
            " kept as published"
        )
    value, unit = stated[0]
    return Workload(
        ects=out_ects,
        hours=out_hours,
        derived=derived,
        original_value=_published(value),
        original_unit=unit,
    )
