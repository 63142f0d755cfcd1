from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from microcred_hub.normalise import parse_date, parse_datetime


def test_iso_date_is_read() -> None:
    assert parse_date("2020-03-12") == date(2020, 3, 12)


def test_nz_day_first_date_is_read_with_day_first() -> None:
    assert parse_date("12/03/2020", day_first=True) == date(2020, 3, 12)


def test_slashed_date_without_day_first_is_refused_as_ambiguous() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_date("12/03/2020")


def test_elm_utc_instant_at_european_midnight_gives_the_brussels_date() -> None:
    assert parse_date("2022-12-31T23:00:00Z", european_midnight=True) == date(2023, 1, 1)


def test_european_midnight_follows_summer_time() -> None:
    assert parse_date("2023-06-30T22:00:00Z", european_midnight=True) == date(2023, 7, 1)


def test_utc_instant_that_is_not_european_midnight_keeps_its_utc_date() -> None:
    assert parse_date("2022-12-31T21:00:00Z", european_midnight=True) == date(2022, 12, 31)


def test_without_european_midnight_a_date_time_gives_its_own_date() -> None:
    assert parse_date("2022-12-31T23:00:00Z") == date(2022, 12, 31)
    assert parse_date("2021-04-05T00:30:00+12:00") == date(2021, 4, 5)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_absent_dates_are_none(value: str | None) -> None:
    assert parse_date(value) is None
    assert parse_datetime(value) is None


@pytest.mark.parametrize("value", ["soon", "2020-13-40", 20200312])
def test_unparseable_dates_raise(value: object) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_date(value)  # type: ignore[arg-type]


def test_zoned_date_time_keeps_its_instant() -> None:
    parsed = parse_datetime("2024-01-02T03:04:05+13:00")
    assert parsed == datetime(2024, 1, 1, 14, 4, 5, tzinfo=UTC)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=13)


def test_zone_less_timestamp_is_read_in_the_given_zone() -> None:
    parsed = parse_datetime("2020-03-12T10:00:00", default_tz="Pacific/Auckland")
    assert parsed == datetime(2020, 3, 12, 10, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=13)


def test_zone_less_timestamp_defaults_to_utc() -> None:
    assert parse_datetime("2020-03-12T10:00:00") == datetime(2020, 3, 12, 10, tzinfo=UTC)


def test_bare_date_is_midnight_in_the_given_zone() -> None:
    parsed = parse_datetime("2020-07-01", default_tz="Europe/Brussels")
    assert parsed == datetime(2020, 6, 30, 22, 0, tzinfo=UTC)


def test_more_than_six_fractional_digits_are_accepted() -> None:
    parsed = parse_datetime("2024-01-02T03:04:05.123456789Z")
    assert parsed == datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)  # noqa: UP017
