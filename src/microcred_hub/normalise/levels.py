"""Levels: national frameworks to EQF via tables kept as data (frameworks/*.toml).

A framework table is a TOML file with ``name``, optional ``country`` and ``aliases``, an
``[eqf]`` table of framework level -> EQF level, and ``unlevelled``: levels that exist but have
no agreed EQF equivalent (NZQCF 8). Adding a framework means adding a file, nothing else.

A framework with no official referencing to the EQF (Australia's AQF, US audience levels) says
``eqf_referenced = false`` and lists its ``levels``: its levels give ``eqf`` null with framework
and level kept and no warning. A connector package may ship tables of its own and read them
with ``load_framework_table``.
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
    referenced: bool = True  # False: no official EQF referencing exists for this framework
    levels: frozenset[str] = frozenset()  # the framework's levels, when it lists them


def _read_table(filename: str, data: dict[str, object]) -> FrameworkTable:
    name, eqf, unlevelled = data.get("name"), data.get("eqf", {}), data.get("unlevelled", [])
    referenced, levels = data.get("eqf_referenced", True), data.get("levels", [])
    if not isinstance(name, str) or not isinstance(eqf, dict) or not isinstance(unlevelled, list):
        raise ValueError(
            f"framework table {filename}: needs name (text), [eqf] and unlevelled (list)"
        )
    if not isinstance(referenced, bool) or not isinstance(levels, list):
        raise ValueError(
            f"framework table {filename}: eqf_referenced must be true or false and levels a list"
        )
    if not referenced and eqf:
        raise ValueError(
            f"framework table {filename}: eqf_referenced = false but [eqf] maps levels; "
            "drop one of them"
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
        referenced=referenced,
        levels=frozenset(_canonical_level(str(level)) for level in levels),
    )


def load_framework_table(path: Traversable) -> FrameworkTable:
    """One framework table file, e.g. a connector package's own
    (``importlib.resources.files(__package__) / "frameworks" / "aqf.toml"``), read and checked;
    pass it to ``framework_level(..., table=...)``. A malformed table raises ValueError."""
    return _read_table(path.name, tomllib.loads(path.read_text(encoding="utf-8")))


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


def framework_table(name: str) -> FrameworkTable | None:
    """The hub's table of a framework by its name or an alias, as ``framework_level`` finds
    it ("NZQF", "irish nfq"); None when the hub has none."""
    return framework_tables().get(spaced_key(name))


def framework_names() -> tuple[str, ...]:
    """The names of the frameworks the hub has tables for, sorted (EQF is stated, no table)."""
    return tuple(sorted({table.name for table in framework_tables().values()}))


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


def framework_level(
    framework: str, value: JSON, warnings: list[str], *, table: FrameworkTable | None = None
) -> Level | None:
    """A level in a national framework ("NZQCF", "NFQ", ...) -> Level with eqf from its table.

    NZQCF 3 -> Level(eqf=4, framework="NZQCF", framework_level="3", derived=True);
    NZQCF 8 -> Level(eqf=None, framework="NZQCF", framework_level="8", derived=True) (no EQF
    equivalent, not missing data). A framework without a table, or a level outside it, keeps
    framework/frameworkLevel with eqf None and a warning. ``table`` (e.g. one a connector
    ships) is used instead of the hub's own. None -> None.
    """
    if value is None:
        return None
    level = _level_text(value)
    if level is None:
        warnings.append(f"{framework} level {value!r} is not a level; left out")
        return None
    table = table or framework_table(framework)
    if table is None:
        warnings.append(f'no EQF table for framework "{framework}"; EQF level left empty')
        return Level(framework=framework.strip(), framework_level=level, derived=False)
    if not table.referenced:
        # nothing is wrong with the record: the framework has no EQF equivalent to give
        if table.levels and level not in table.levels:
            warnings.append(f'{table.name} has no level "{level}"; EQF level left empty')
        return Level(framework=table.name, framework_level=level, derived=False)
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
