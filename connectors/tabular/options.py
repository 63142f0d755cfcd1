"""The declarative mapping of a tabular source: its ``[[sources]]`` keys, checked at start-up."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from microcred_hub.sdk import (
    ConnectorOptions,
    CredentialType,
    country_code,
    framework_names,
    framework_table,
    language_code,
)

#: canonical fields a column can feed (README.md "Fields"), besides ``<field>_<lang>`` texts
FIELDS: frozenset[str] = frozenset(
    {
        "title",
        "description",
        "learning_outcomes",
        "prerequisites",
        "url",
        "issuer_country",
        "awarding_body",
        "awarding_body_country",
        "workload",
        "level",
        "participation",
        "assessment",
        "quality_assurance",
        "languages",
        "status",
        "valid_from",
        "valid_until",
        "updated_at",
        "credential_type",
        "skills",
        "field_of_study",
        "stackable",
        "supervised",
        "id_verified",
        "framework_listed",
    }
)
#: texts that may come in one column per language: title_mi, description_nl ...
LANG_FIELDS: tuple[str, ...] = ("title", "description", "learning_outcomes", "prerequisites")
_LANG_FIELD = re.compile(rf"({'|'.join(LANG_FIELDS)})_([A-Za-z]{{2,3}}(?:-[A-Za-z0-9]{{2,8}})?)")

WorkloadUnit = Literal["ects", "hours", "nz_credits", "iso_duration", "credits", "days"]


def lang_field(field: str) -> tuple[str, str] | None:
    """ "title_mi" -> ("title", "mi"); None when ``field`` is not a per-language text field."""
    match = _LANG_FIELD.fullmatch(field)
    if match is None:
        return None
    code = language_code(match.group(2))
    return (match.group(1), code) if code else None


def _check_field(field: str, where: str) -> None:
    if field in FIELDS or lang_field(field) is not None:
        return
    known = ", ".join(sorted(FIELDS))
    raise ValueError(
        f"{where}: unknown field {field!r}; use one of {known}, or title_<lang> / "
        "description_<lang> / learning_outcomes_<lang> / prerequisites_<lang> with an ISO 639 code"
    )


class TabularOptions(ConnectorOptions, frozen=True, kw_only=True):
    """How to read one CSV/JSON list and map its columns to the record; no code needed."""

    format: Literal["csv", "json"]
    id_column: str
    columns: dict[str, str]  # canonical field -> column name (JSON: a key or dotted path)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    records_path: str | None = None  # JSON: dotted path to the list, e.g. "data.items"
    workload_unit: WorkloadUnit | None = None
    # workload_unit = "days": hours of one training day (RECORD.md: a 37-hour week of five days)
    hours_per_day: float = 7.4
    level_framework: str | None = None  # "EQF", "NZQCF", "NFQ", ...
    field_of_study_scheme: str | None = None  # "ISCED-F", "NZSCED", "CIP", ...
    value_maps: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)
    list_separator: str = ";"
    date_format: str = "%Y-%m-%d"  # strptime format of valid_from / valid_until
    default_language: str | None = None  # language of the plain text columns
    credential_type: str = "OTHER"
    country: str | None = None  # issuer country when no column says

    def __post_init__(self) -> None:
        if not self.id_column.strip():
            raise ValueError("id_column: name the column that holds each record's own id")
        for field in self.columns:
            _check_field(field, "columns")
        if "title" not in self.columns and not any(
            (lang_field(f) or ("", ""))[0] == "title" for f in self.columns
        ):
            raise ValueError('columns: map a title column (title = "<column>" or title_<lang>)')
        for field in self.value_maps:
            _check_field(field, "value_maps")
        self._check_units()
        self._check_defaults()

    def _check_units(self) -> None:
        if "workload" in self.columns and self.workload_unit is None:
            raise ValueError(
                "workload_unit: the workload column needs its unit "
                "(ects, hours, nz_credits, iso_duration, credits or days)"
            )
        if not 0 < self.hours_per_day <= 24:
            raise ValueError(
                f"hours_per_day: {self.hours_per_day} is not a length of day in hours "
                "(RECORD.md: 7.4, a 37-hour week of five days)"
            )
        if "level" in self.columns and not (self.level_framework or "").strip():
            raise ValueError('level_framework: the level column needs its framework ("EQF", ...)')
        self._check_level_framework()
        if "field_of_study" in self.columns and not (self.field_of_study_scheme or "").strip():
            raise ValueError(
                'field_of_study_scheme: name the scheme of the codes ("ISCED-F", "NZSCED", ...)'
            )
        if self.format == "csv" and self.records_path is not None:
            raise ValueError("records_path: only JSON sources have one; remove it for CSV")
        if len(self.delimiter) != 1:
            raise ValueError(f"delimiter: must be one character, got {self.delimiter!r}")
        if not self.list_separator:
            raise ValueError("list_separator: must not be empty")
        if "%" not in self.date_format:
            raise ValueError(
                f"date_format: {self.date_format!r} has no strptime directive (%Y ...)"
            )

    def _check_level_framework(self) -> None:
        # A framework without a table would give every level eqf null and a warning per record.
        framework = (self.level_framework or "").strip()
        if not framework or framework.upper() == "EQF" or framework_table(framework):
            return
        raise ValueError(
            f"level_framework: unknown framework {framework!r}; use EQF (a stated level) or one "
            f"with a level table: {', '.join(framework_names())} (or one of their aliases)"
        )

    def _check_defaults(self) -> None:
        if credential_type_of(self.credential_type) is None:
            names = ", ".join(t.value for t in CredentialType)
            raise ValueError(f"credential_type: {self.credential_type!r} is not one of {names}")
        if self.country is not None and country_code(self.country, []) is None:
            raise ValueError(f"country: {self.country!r} is not an ISO 3166 country")
        if self.default_language is not None and language_code(self.default_language) is None:
            raise ValueError(f"default_language: {self.default_language!r} is not a language code")
        try:
            "".encode(self.encoding)
        except LookupError:
            raise ValueError(f"encoding: unknown encoding {self.encoding!r}") from None


def credential_type_of(value: str) -> CredentialType | None:
    """ "micro-credential", "Micro credential", "MICRO_CREDENTIAL" -> MICRO_CREDENTIAL."""
    key = re.sub(r"[\s-]+", "_", value.strip()).upper()
    if key == "MICROCREDENTIAL":
        key = "MICRO_CREDENTIAL"
    return CredentialType.__members__.get(key)
