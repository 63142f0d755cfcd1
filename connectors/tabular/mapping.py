"""One row -> canonical record, by the declarative mapping in TabularOptions (pure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from microcred_hub.sdk import (
    JSON,
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Skill,
    Stackability,
    Status,
    Workload,
    assessment_types,
    clean_title,
    country_code,
    display_title,
    framework_level,
    identifiers,
    lang_strings,
    language_code,
    language_codes,
    parse_datetime,
    participation_forms,
    stated_eqf,
    supervision,
    to_bool,
    to_float,
    workload,
)

from .options import TabularOptions, credential_type_of, lang_field
from .reading import LINE, ROW, lookup

_E = TypeVar("_E", ParticipationForm, AssessmentType)
_STATUS_WORDS = {"active": Status.ACTIVE, "expired": Status.EXPIRED, "withdrawn": Status.WITHDRAWN}


class _Row:
    """One row seen through the mapping: values by canonical field, errors naming row and column."""

    def __init__(self, data: JSONObject, options: TabularOptions) -> None:
        self.data = data
        self.options = options
        self.number = data.get(ROW)
        self.line = data.get(LINE)
        self.local_id: str | None = None
        self.warnings: list[str] = []

    def where(self, field: str) -> str:
        column = self.options.id_column if field == "id" else self.options.columns[field]
        line = f" (line {self.line})" if isinstance(self.line, int) else ""
        return f"row {self.number}{line}, column {column!r}"

    def fail(self, field: str, message: str) -> InvalidRecordError:
        return InvalidRecordError(f"{self.where(field)}: {message}", local_id=self.local_id)

    def raw(self, field: str) -> JSON:
        column = self.options.id_column if field == "id" else self.options.columns.get(field)
        return None if column is None else lookup(self.data, column)

    def mapped(self, field: str, value: str) -> str:
        table = self.options.value_maps.get(field)
        if not table:
            return value
        if value in table:
            return table[value]
        folded = value.casefold()
        return next((v for k, v in table.items() if k.strip().casefold() == folded), value)

    def value(self, field: str) -> JSON:
        """The field's value, trimmed, blank -> None, with the field's value map applied."""
        value = self.raw(field)
        if isinstance(value, str):
            value = value.strip()
            return self.mapped(field, value) if value else None
        return value

    def text(self, field: str) -> str | None:
        value = self.value(field)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.fail(field, f"expected text, got {value!r}")

    def items(self, field: str, *, mapped: bool = True) -> list[str]:
        """A list column: a JSON list, or text split on list_separator; each item value-mapped."""
        value = self.raw(field)
        parts = value if isinstance(value, list) else [value]
        out: list[str] = []
        for part in parts:
            if part is None:
                continue
            if isinstance(part, dict | list):
                raise self.fail(field, f"expected text or a list of texts, got {part!r}")
            pieces = part.split(self.options.list_separator) if isinstance(part, str) else [part]
            for piece in pieces:
                item = str(piece).strip()
                if item:
                    out.append(self.mapped(field, item) if mapped else item)
        return out

    def flag(self, field: str) -> bool | None:
        value = self.value(field)
        try:
            return to_bool(value)
        except ValueError:
            raise self.fail(
                field, f"{value!r} is not a boolean (true/false, 1/0, yes/no)"
            ) from None


def normalise_row(raw: RawRecord, options: TabularOptions) -> RecordDraft:
    """The pure mapping behind ``TabularConnector.normalise``."""
    row = _Row(raw.data, options)
    row.local_id = row.text("id")
    if row.local_id is None:
        raise row.fail("id", "no id; every record needs one to be tracked")
    titles = _texts(row, "title", title=True)
    if not titles:
        first = next(f for f in options.columns if f == "title" or f.startswith("title_"))
        raise row.fail(first, "no title")
    bodies = _awarding_bodies(row)
    forms = _vocabulary(row, "participation", participation_forms)
    kinds = _vocabulary(row, "assessment", assessment_types)
    qa_name = row.text("quality_assurance")
    stackable = row.flag("stackable")
    supervised, verified = row.flag("supervised"), row.flag("id_verified")
    return RecordDraft(
        local_id=row.local_id,
        title=display_title(titles),
        credential_type=_credential_type(row),
        url=row.text("url"),
        titles=titles,
        description=_texts(row, "description"),
        issuer_country=_issuer_country(row, bodies),
        awarding_bodies=bodies,
        learning_outcomes=_texts(row, "learning_outcomes", split=True),
        workload=_workload(row),
        level=_level(row),
        assessment_types=kinds[0],
        assessment_original=kinds[1],
        participation_forms=forms[0],
        participation_original=forms[1],
        quality_assurance=QualityAssurance(name=clean_title(qa_name)) if qa_name else None,
        prerequisites=_texts(row, "prerequisites", split=True),
        supervision=supervision(supervised, verified),
        stackability=None
        if stackable is None
        else Stackability("STACKABLE" if stackable else "STANDALONE"),
        languages=_languages(row),
        fields_of_study=_fields_of_study(row),
        skills=_skills(row),
        framework_listed=row.flag("framework_listed"),
        status=_status(row),
        valid_from=_date(row, "valid_from"),
        valid_until=_date(row, "valid_until"),
        updated_at=_updated_at(row),
        warnings=tuple(row.warnings),
        identifiers=identifiers([("url", row.text("url"))]),
    )


def _vocabulary(
    row: _Row, field: str, read: Callable[[JSON, list[str]], tuple[tuple[_E, ...], tuple[str, ...]]]
) -> tuple[tuple[_E, ...], tuple[str, ...]]:
    """Canonical values of the value-mapped items; the originals as the file has them."""
    found: dict[_E, None] = {}
    for item in row.items(field, mapped=False):
        values, _ = read(row.mapped(field, item), row.warnings)
        found.update(dict.fromkeys(values))
    return tuple(found), tuple(dict.fromkeys(row.items(field, mapped=False)))


def _texts(
    row: _Row, base: str, *, title: bool = False, split: bool = False
) -> tuple[LangString, ...]:
    """``base`` in default_language, then every ``base_<lang>`` column, in mapping order."""
    default = (
        language_code(row.options.default_language or "") if row.options.default_language else None
    )
    out: list[LangString] = []
    for field in row.options.columns:
        if field == base:
            lang = default
        elif (parsed := lang_field(field)) is not None and parsed[0] == base:
            lang = parsed[1]
        else:
            continue
        value: JSON = list[JSON](row.items(field)) if split else row.value(field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        out.extend(lang_strings(value, default_lang=lang, title=title))
    return tuple(out)


def _credential_type(row: _Row) -> CredentialType:
    stated = row.text("credential_type")
    default = credential_type_of(row.options.credential_type) or CredentialType.OTHER
    if stated is None:
        return default
    mapped = credential_type_of(stated)
    if mapped is None:
        row.warnings.append(f'credential type "{stated}" is not a canonical type; OTHER')
        return CredentialType.OTHER
    return mapped


def _country(row: _Row, value: str | None) -> str | None:
    return country_code(value, row.warnings) if value else None


def _awarding_bodies(row: _Row) -> tuple[Organisation, ...]:
    country = _country(row, row.text("awarding_body_country"))
    if country is None and row.options.country:
        country = country_code(row.options.country, [])
    names = [clean_title(name) for name in row.items("awarding_body")]
    return tuple(Organisation(name=n, country=country) for n in dict.fromkeys(names) if n)


def _issuer_country(row: _Row, bodies: tuple[Organisation, ...]) -> tuple[str, ...]:
    stated = [c for c in (_country(row, item) for item in row.items("issuer_country")) if c]
    if not stated:
        stated = [b.country for b in bodies if b.country]
    if not stated and row.options.country:
        stated = [c for c in (country_code(row.options.country, []),) if c]
    return tuple(dict.fromkeys(stated))


def _workload(row: _Row) -> Workload | None:
    value = row.value("workload")
    unit = row.options.workload_unit
    if value is None or unit is None:
        return None
    if unit != "iso_duration":
        try:
            number = to_float(value)
        except ValueError:
            raise row.fail("workload", f"{value!r} is not a number") from None
        if number is not None and number < 0:
            raise row.fail("workload", f"{value!r} cannot be negative")
    try:
        if unit == "ects":
            return workload(row.warnings, ects=value)
        if unit == "hours":
            return workload(row.warnings, hours=value)
        if unit == "nz_credits":
            return workload(row.warnings, nz_credits=value)
        if unit == "credits":
            return workload(row.warnings, credits=value)
        if unit == "days":
            return workload(row.warnings, days=value, hours_per_day=row.options.hours_per_day)
        return workload(row.warnings, duration=value)
    except ValueError:
        raise row.fail("workload", f"{value!r} is not an ISO 8601 duration") from None


def _level(row: _Row) -> Level | None:
    value = row.value("level")
    framework = (row.options.level_framework or "").strip()
    if value is None or not framework:
        return None
    if framework.upper() == "EQF":
        return stated_eqf(value, row.warnings)
    return framework_level(framework, value, row.warnings)


def _languages(row: _Row) -> tuple[str, ...]:
    return language_codes(row.items("languages"), row.warnings)


def _fields_of_study(row: _Row) -> tuple[FieldOfStudy, ...]:
    scheme = (row.options.field_of_study_scheme or "").strip()
    codes = dict.fromkeys(row.items("field_of_study"))
    return tuple(FieldOfStudy(scheme=scheme, code=code) for code in codes)


def _skills(row: _Row) -> tuple[Skill, ...]:
    skills: list[Skill] = []
    for item in dict.fromkeys(row.items("skills")):
        if item.startswith(("http://", "https://")):
            framework = "ESCO" if "data.europa.eu/esco/" in item else None
            skills.append(Skill(label=item, uri=item, framework=framework))
        else:
            skills.append(Skill(label=clean_title(item)))
    return tuple(skills)


def _status(row: _Row) -> Status:
    stated = row.text("status")
    if stated is None:
        return Status.UNKNOWN
    key = stated.strip().lower()
    found = _STATUS_WORDS.get(key) or Status.__members__.get(key.upper())
    if found is None:
        row.warnings.append(f'status "{stated}" is not ACTIVE, EXPIRED or WITHDRAWN; UNKNOWN')
        return Status.UNKNOWN
    return found


def _date(row: _Row, field: str) -> date | None:
    value = row.text(field)
    if value is None:
        return None
    try:
        return datetime.strptime(value, row.options.date_format).date()
    except ValueError:
        raise row.fail(
            field, f"{value!r} does not match the date format {row.options.date_format!r}"
        ) from None


def _updated_at(row: _Row) -> datetime | None:
    value = row.text("updated_at")
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        pass
    try:  # a plain date in the source's own format: midnight UTC
        return datetime.strptime(value, row.options.date_format).replace(tzinfo=UTC)
    except ValueError:
        raise row.fail(
            "updated_at", f"{value!r} is neither ISO 8601 nor {row.options.date_format!r}"
        ) from None
