"""Levels: national frameworks to EQF via tables kept as data (frameworks/*.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.record import Level
    from microcred_hub.sdk import JSON


def framework_level(framework: str, value: JSON, warnings: list[str]) -> Level | None:
    """A level in a national framework ("NZQCF", "NFQ", ...) -> Level with eqf from its table.

    NZQCF 3 -> Level(eqf=4, framework="NZQCF", framework_level="3", derived=True);
    NZQCF 8 -> Level(eqf=None, framework="NZQCF", framework_level="8", derived=True) (no EQF
    equivalent, not missing data). A framework without a table, or a level outside it, keeps
    framework/frameworkLevel with eqf None and a warning. None -> None.
    """
    raise NotImplementedError


def stated_eqf(value: JSON, warnings: list[str]) -> Level | None:
    """An EQF level the source states itself: 6, "6", 6.0, "http://data.europa.eu/snb/eqf/6"
    -> Level(eqf=6, framework="EQF", framework_level="6", derived=False).
    3.5 or 9 -> Level(eqf=None, framework="EQF", framework_level="3.5", derived=False) + warning.
    None -> None.
    """
    raise NotImplementedError
