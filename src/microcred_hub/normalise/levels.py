"""Levels: national frameworks to EQF via tables kept as data (frameworks/*.toml).

A framework table is a TOML file with ``name``, optional ``country`` and ``aliases``, an
``[eqf]`` table of framework level -> EQF level, and ``unlevelled``: levels that exist but have
no agreed EQF equivalent (NZQCF 8). Adding a framework means adding a file, nothing else.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from microcred_hub.normalise._fold import spaced_key
from microcred_hub.record import Level

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from microcred_hub.contract import JSON

EQF = "EQF"
_LEVEL_PREFIX = re.compile(r"(?:eqf|level|niveau)[\s:_-]*", re.IGNORECASE)
_INTEGRAL = re.compile(r"[+-]?\d+(?:\.0*)?")


@dataclass(frozen=True, slots=True)
class FrameworkTable:
    name: str
    eqf: dict[str, int]
    unlevelled: frozenset[str]
    country: str | None = None


def _read_table(filename: str, data: dict[str, object]) -> FrameworkTable:
    name, eqf, unlevelled = data.get("name"), data.get("eqf", {}), data.get("unlevelled", [])
    if not isinstance(name, str) or not isinstance(eqf, dict) or not isinstance(unlevelled, list):
        raise ValueError(
            f"framework table {filename}: needs name (text), [eqf] and unlevelled (list)"
        )
    for level, target in eqf.items():
        if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 8:
            raise ValueError(f"framework table {filename}: EQF for level {level} must be 1-8")
    country = data.get("country")
    return FrameworkTable(
        name=name,
        eqf={_canonical_level(k): v for k, v in eqf.items()},
        unlevelled=frozenset(_canonical_level(str(level)) for level in unlevelled),
        country=country if isinstance(country, str) else None,
    )


def load_framework_tables(folder: Traversable) -> dict[str, FrameworkTable]:
    """Every *.toml in ``folder``, keyed by the spaced_key of its name and of each alias."""
    tables: dict[str, FrameworkTable] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        table = _read_table(entry.name, data)
        aliases = data.get("aliases", [])
        for key in [table.name, *(a for a in aliases if isinstance(a, str))]:
            tables[spaced_key(key)] = table
    return tables


@cache
def framework_tables() -> dict[str, FrameworkTable]:
    """The tables shipped in frameworks/, read once."""
    return load_framework_tables(resources.files("microcred_hub.normalise") / "frameworks")


def _canonical_level(text: str) -> str:
    """ " 7 ", "Level 7", "07", "7.0" -> "7"; anything else trimmed as is ("3.5", "8+")."""
    text = _LEVEL_PREFIX.sub("", text.strip(), count=1) if text[:1].isalpha() else text.strip()
    if _INTEGRAL.fullmatch(text):
        return str(int(float(text)))
    return text


def _level_text(value: JSON) -> str | None:
    if value is None or isinstance(value, bool | list | dict):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = _canonical_level(str(value))
    return text or None


def framework_level(framework: str, value: JSON, warnings: list[str]) -> Level | None:
    """A level in a national framework ("NZQCF", "NFQ", ...) -> Level with eqf from its table.

    NZQCF 3 -> Level(eqf=4, framework="NZQCF", framework_level="3", derived=True);
    NZQCF 8 -> Level(eqf=None, framework="NZQCF", framework_level="8", derived=True) (no EQF
    equivalent, not missing data). A framework without a table, or a level outside it, keeps
    framework/frameworkLevel with eqf None and a warning. None -> None.
    """
    if value is None:
        return None
    level = _level_text(value)
    if level is None:
        warnings.append(f"{framework} level {value!r} is not a level; left out")
        return None
    table = framework_tables().get(spaced_key(framework))
    if table is None:
        warnings.append(f'no EQF table for framework "{framework}"; EQF level left empty')
        return Level(framework=framework.strip(), framework_level=level, derived=False)
    if level in table.eqf:
        return Level(
            eqf=table.eqf[level], framework=table.name, framework_level=level, derived=True
        )
    known = level in table.unlevelled  # a level with no EQF equivalent by the table's own rule
    if not known:
        warnings.append(f'{table.name} has no level "{level}"; EQF level left empty')
    return Level(framework=table.name, framework_level=level, derived=known)


def _eqf_text(value: JSON) -> str | None:
    if isinstance(value, dict):  # an ELM Concept: {"id": "http://data.europa.eu/snb/eqf/6", ...}
        value = value.get("id", value.get("@id"))
    if isinstance(value, str) and "/" in value:
        value = value.rstrip("/").rsplit("/", 1)[-1]
    return _level_text(value)


def stated_eqf(value: JSON, warnings: list[str]) -> Level | None:
    """An EQF level the source states itself: 6, "6", 6.0, "http://data.europa.eu/snb/eqf/6"
    -> Level(eqf=6, framework="EQF", framework_level="6", derived=False).
    3.5 or 9 -> Level(eqf=None, framework="EQF", framework_level="3.5", derived=False) + warning.
    None -> None.
    """
    if value is None:
        return None
    level = _eqf_text(value)
    if level is None:
        warnings.append(f"EQF level {value!r} is not a level; left out")
        return None
    if level.isdigit() and 1 <= int(level) <= 8:
        return Level(eqf=int(level), framework=EQF, framework_level=level, derived=False)
    warnings.append(f'EQF level "{level}" is not a whole number from 1 to 8; EQF level left empty')
    return Level(framework=EQF, framework_level=level, derived=False)
