from __future__ import annotations

import pytest

from microcred_hub.normalise import workload
from microcred_hub.record import Workload


def test_nz_credits_give_exact_hours_and_derived_ects() -> None:
    warnings: list[str] = []
    assert workload(warnings, nz_credits="15") == Workload(
        ects=7.5, hours=150.0, derived=True, original_value="15", original_unit="NZ credits"
    )
    assert warnings == []


def test_ects_give_derived_hours_at_27_5_per_ects() -> None:
    assert workload([], ects=2.5) == Workload(
        ects=2.5, hours=68.75, derived=True, original_value="2.5", original_unit="ECTS"
    )


def test_hours_per_ects_is_configurable() -> None:
    result = workload([], ects=2, hours_per_ects=25.0)
    assert result is not None
    assert result.hours == 50.0


def test_hours_give_derived_ects_to_one_decimal() -> None:
    assert workload([], hours=150) == Workload(
        ects=5.5, hours=150.0, derived=True, original_value="150", original_unit="hours"
    )


def test_stated_hours_and_stated_ects_are_both_kept_and_not_derived() -> None:
    assert workload([], ects="6", hours="150") == Workload(
        ects=6.0, hours=150.0, derived=False, original_value="6", original_unit="ECTS"
    )


def test_the_published_unit_name_is_kept_in_the_original() -> None:
    result = workload([], hours="84", hours_unit="SBU")
    assert result is not None
    assert (result.original_value, result.original_unit) == ("84", "SBU")


def test_duration_in_hours_is_workload() -> None:
    assert workload([], duration="PT150H") == Workload(
        ects=5.5,
        hours=150.0,
        derived=True,
        original_value="PT150H",
        original_unit="ISO 8601 duration",
    )


@pytest.mark.parametrize(
    ("duration", "hours"), [("PT90M", 1.5), ("P2DT4H", 52.0), ("P1W", 168.0), ("PT3M", 0.05)]
)
def test_duration_parts_add_up_to_hours(duration: str, hours: float) -> None:
    result = workload([], duration=duration)
    assert result is not None
    assert result.hours == hours


def test_duration_in_months_is_a_calendar_span_not_workload() -> None:
    warnings: list[str] = []
    result = workload(warnings, duration="P3M")
    assert result is not None
    assert (result.hours, result.ects) == (None, None)
    assert (result.original_value, result.original_unit) == ("P3M", "ISO 8601 duration")
    assert len(warnings) == 1
    assert "P3M" in warnings[0]


def test_stated_hours_win_over_a_duration() -> None:
    result = workload([], hours=40, duration="PT60H")
    assert result is not None
    assert result.hours == 40.0


def test_unit_less_credits_keep_the_original_and_warn() -> None:
    warnings: list[str] = []
    assert workload(warnings, credits=3) == Workload(
        ects=None, hours=None, derived=False, original_value="3", original_unit="credits"
    )
    assert len(warnings) == 1


def test_us_semester_hours_are_not_converted() -> None:
    warnings: list[str] = []
    assert workload(warnings, credits="3", credits_unit="semester hours") == Workload(
        ects=None, hours=None, derived=False, original_value="3", original_unit="semester hours"
    )
    assert len(warnings) == 1
    assert "semester hours" in warnings[0]


def test_credits_in_ects_units_are_ects() -> None:
    assert workload([], credits="6", credits_unit="EC") == Workload(
        ects=6.0, hours=165.0, derived=True, original_value="6", original_unit="EC"
    )


def test_nothing_stated_is_none() -> None:
    assert workload([]) is None
    assert workload([], ects="", hours=None) is None


@pytest.mark.parametrize("field", ["ects", "hours", "nz_credits", "credits"])
def test_a_value_that_is_not_a_number_raises(field: str) -> None:
    with pytest.raises(ValueError, match="number"):
        workload([], **{field: "abc"})  # type: ignore[arg-type]


def test_a_duration_that_is_not_iso_8601_raises() -> None:
    with pytest.raises(ValueError, match="duration"):
        workload([], duration="3 weeks")


def test_days_of_full_time_training_are_7_4_hours_each_derived() -> None:
    warnings: list[str] = []
    assert workload(warnings, days="5,0") == Workload(
        ects=1.3, hours=37.0, derived=True, original_value="5,0", original_unit="days"
    )
    assert warnings == []


def test_hours_per_day_is_configurable_and_stated_hours_win_over_days() -> None:
    result = workload([], days=2, hours_per_day=8.0)
    assert result is not None and result.hours == 16.0
    stated = workload([], hours=20, days=2)
    assert stated is not None and stated.hours == 20.0
