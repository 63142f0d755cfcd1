from __future__ import annotations

import pytest

from microcred_hub.normalise import to_bool, to_float, to_int


def test_to_float_reads_numbers_and_numeric_strings() -> None:
    assert to_float(20) == 20.0
    assert to_float(20.5) == 20.5
    assert to_float("20") == 20.0
    assert to_float(" 7 ") == 7.0


def test_to_float_reads_a_decimal_comma() -> None:
    assert to_float("2,5") == 2.5


@pytest.mark.parametrize("value", [None, "", "  ", "null", "NULL"])
def test_to_float_reads_absent_values_as_none(value: str | None) -> None:
    assert to_float(value) is None


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "1_000", "7 credits", [7], {"v": 7}])
def test_to_float_raises_for_what_is_not_a_number(value: object) -> None:
    with pytest.raises(ValueError, match="number"):
        to_float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False])
def test_to_float_refuses_booleans(value: bool) -> None:
    with pytest.raises(ValueError, match="boolean"):
        to_float(value)


def test_to_int_accepts_integral_values() -> None:
    assert to_int(" 7 ") == 7
    assert to_int(7.0) == 7
    assert to_int("7.0") == 7
    assert to_int(None) is None


def test_to_int_keeps_every_digit_of_a_large_integer_string() -> None:
    assert to_int("12345678901234567890") == 12345678901234567890


@pytest.mark.parametrize("value", [7.5, "7.5", "abc", True])
def test_to_int_raises_for_fractions_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match="number"):
        to_int(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False),
        ("true", True), ("FALSE", False), ("Yes", True), ("no", False), (None, None),
        ("", None), ("null", None),
    ],
)  # fmt: skip
def test_to_bool_reads_the_forms_registers_use(value: object, expected: bool | None) -> None:
    assert to_bool(value) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [2, "maybe", [True]])
def test_to_bool_raises_for_anything_else(value: object) -> None:
    with pytest.raises(ValueError, match="boolean"):
        to_bool(value)  # type: ignore[arg-type]
