from __future__ import annotations

from pathlib import Path

import pytest

from microcred_hub.normalise import framework_level, stated_eqf
from microcred_hub.normalise.levels import (
    framework_tables,
    load_framework_table,
    load_framework_tables,
)
from microcred_hub.record import Level


def test_nzqcf_level_3_maps_to_eqf_4_derived() -> None:
    warnings: list[str] = []
    assert framework_level("NZQCF", 3, warnings) == Level(
        eqf=4, framework="NZQCF", framework_level="3", derived=True
    )
    assert warnings == []


def test_nzqcf_level_8_has_no_eqf_level_and_no_warning() -> None:
    warnings: list[str] = []
    assert framework_level("NZQCF", "8", warnings) == Level(
        eqf=None, framework="NZQCF", framework_level="8", derived=True
    )
    assert warnings == []


@pytest.mark.parametrize(
    ("level", "eqf"),
    [(1, 2), (2, 3), (3, 4), (4, 4), (5, 5), (6, 5), (7, 6), (8, None), (9, 7), (10, 8)],
)
def test_nzqcf_table(level: int, eqf: int | None) -> None:
    result = framework_level("NZQCF", level, [])
    assert result is not None
    assert result.eqf == eqf


@pytest.mark.parametrize(
    ("level", "eqf"),
    [(1, 1), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 6), (9, 7), (10, 8)],
)
def test_irish_nfq_table(level: int, eqf: int) -> None:
    assert framework_level("NFQ", level, []) == Level(
        eqf=eqf, framework="NFQ", framework_level=str(level), derived=True
    )


def test_framework_level_as_padded_string_is_read() -> None:
    result = framework_level("NZQCF", " 7 ", [])
    assert result == Level(eqf=6, framework="NZQCF", framework_level="7", derived=True)


def test_framework_name_is_matched_case_insensitively() -> None:
    result = framework_level("nzqcf", 5, [])
    assert result is not None
    assert result.framework == "NZQCF"


def test_level_outside_the_table_keeps_the_original_with_a_warning() -> None:
    warnings: list[str] = []
    result = framework_level("NZQCF", 11, warnings)
    assert result == Level(eqf=None, framework="NZQCF", framework_level="11", derived=False)
    assert len(warnings) == 1


def test_framework_without_a_table_keeps_the_level_with_a_warning() -> None:
    warnings: list[str] = []
    result = framework_level("US audience level", "Beginner", warnings)
    assert result == Level(framework="US audience level", framework_level="Beginner")
    assert len(warnings) == 1


def test_absent_framework_level_is_none() -> None:
    assert framework_level("NZQCF", None, []) is None


@pytest.mark.parametrize("value", [6, "6", 6.0, "http://data.europa.eu/snb/eqf/6"])
def test_stated_eqf_is_not_derived(value: object) -> None:
    warnings: list[str] = []
    assert stated_eqf(value, warnings) == Level(  # type: ignore[arg-type]
        eqf=6, framework="EQF", framework_level="6", derived=False
    )
    assert warnings == []


def test_stated_eqf_reads_an_elm_concept() -> None:
    concept = {"id": "http://data.europa.eu/snb/eqf/6", "type": "Concept"}
    result = stated_eqf(concept, [])  # type: ignore[arg-type]
    assert result is not None
    assert result.eqf == 6


@pytest.mark.parametrize(("value", "kept"), [(3.5, "3.5"), ("3.5", "3.5"), (9, "9"), (0, "0")])
def test_eqf_that_is_not_an_integer_1_to_8_is_none_with_a_warning(value: object, kept: str) -> None:
    warnings: list[str] = []
    assert stated_eqf(value, warnings) == Level(  # type: ignore[arg-type]
        eqf=None, framework="EQF", framework_level=kept, derived=False
    )
    assert len(warnings) == 1


def test_absent_eqf_is_none() -> None:
    assert stated_eqf(None, []) is None


def test_shipped_tables_are_nzqcf_and_nfq() -> None:
    assert {table.name for table in framework_tables().values()} >= {"NZQCF", "NFQ"}


def test_adding_a_framework_needs_only_a_toml_file(tmp_path: Path) -> None:
    (tmp_path / "rqf.toml").write_text(
        'name = "RQF"\ncountry = "GB"\naliases = ["Regulated Qualifications Framework"]\n'
        '[eqf]\n"Entry 3" = 1\n"6" = 6\n',
        encoding="utf-8",
    )
    tables = load_framework_tables(tmp_path)
    assert tables["rqf"].eqf == {"Entry 3": 1, "6": 6}
    assert tables["regulated qualifications framework"].country == "GB"


def test_a_broken_framework_table_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "BAD"\n[eqf]\n"1" = 12\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml"):
        load_framework_tables(tmp_path)


AQF = """
# Australian Qualifications Framework: no official referencing to the EQF
name = "AQF"
country = "AU"
eqf_referenced = false
levels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
"""


def test_a_connectors_own_table_without_eqf_referencing_keeps_the_level_without_warning(
    tmp_path: Path,
) -> None:
    (tmp_path / "aqf.toml").write_text(AQF, encoding="utf-8")
    table = load_framework_table(tmp_path / "aqf.toml")
    warnings: list[str] = []
    assert framework_level("AQF", "Level 7", warnings, table=table) == Level(
        eqf=None, framework="AQF", framework_level="7", derived=False
    )
    assert warnings == []
    assert framework_level("AQF", 11, warnings, table=table) == Level(
        framework="AQF", framework_level="11", derived=False
    )
    assert warnings == ['AQF has no level "11"; EQF level left empty']


def test_a_table_without_eqf_referencing_that_maps_levels_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(AQF + '\n[eqf]\n"7" = 6\n', encoding="utf-8")
    with pytest.raises(ValueError, match="eqf_referenced = false but"):
        load_framework_table(tmp_path / "bad.toml")
