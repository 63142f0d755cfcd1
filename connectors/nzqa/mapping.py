"""Pure mapping of one NZQA-like feed record (JSON item or CSV row) to the canonical record."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from microcred_hub.sdk import (
    JSON,
    CredentialType,
    FieldOfStudy,
    InvalidRecordError,
    JSONObject,
    LangString,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RecordDraft,
    Status,
    Workload,
    as_list,
    clean_text,
    clean_title,
    framework_level,
    identifiers,
    lang_strings,
    parse_date,
    parse_datetime,
    participation_forms,
    to_float,
    workload,
)

if TYPE_CHECKING:
    from datetime import date, datetime

#: key a CSV row carries so normalise reads its dates day-first and its NZSCED as damaged
CSV_MARKER = "_format"
#: CSV only: the export merges the purpose and outcome statements into one cell
COMBINED_STATEMENT = "purposeAndOutcomeStatement"

FRAMEWORK = "NZQCF"
COUNTRY = "NZ"
#: the feed has no language field; its listings are written in English (README: "Languages")
LANGUAGES = ("en",)

_STATUS = {"current": Status.ACTIVE, "expired": Status.EXPIRED, "discontinued": Status.WITHDRAWN}
_FIVE_DIGITS = re.compile(r"[0-9]{5}")
_SIX_DIGITS = re.compile(r"[0-9]{6}")

NZQA_QA = QualityAssurance(name="NZQA approval and accreditation", body="NZQA")
CUAP_QA = QualityAssurance(name="CUAP programme approval", body="Universities New Zealand – CUAP")


def normalise_record(data: JSONObject, *, timezone: str) -> RecordDraft:
    """One raw feed record -> RecordDraft; InvalidRecordError when it cannot be a record."""
    local_id = _reference(data)
    title = _title_or_quarantine(data, local_id)
    is_csv = data.get(CSV_MARKER) == "csv"
    warnings: list[str] = []

    description, outcomes = _statements(data, is_csv, warnings)
    forms, forms_original = _participation(data.get("deliveryModes"), warnings)
    return RecordDraft(
        local_id=local_id,
        title=title,
        credential_type=CredentialType.MICRO_CREDENTIAL,
        url=_text(data.get("url")),
        titles=(LangString(value=title, lang="en"),),
        description=description,
        issuer_country=(COUNTRY,),
        awarding_bodies=_awarding_bodies(data.get("developer"), data.get("providers"), warnings),
        learning_outcomes=outcomes,
        workload=_workload(data.get("credits"), warnings),
        level=framework_level(FRAMEWORK, _blank_to_none(data.get("level")), warnings),
        participation_forms=forms,
        participation_original=forms_original,
        quality_assurance=_quality_assurance(data.get("qualityAssuranceBody")),
        languages=LANGUAGES,
        fields_of_study=_fields_of_study(data.get("nzsced"), is_csv, warnings),
        framework_listed=True,
        status=_status(data.get("status"), warnings),
        valid_from=_approval_date(data.get("approvalDate"), is_csv, warnings),
        # reviewPeriodYears schedules a review, it is not an expiry: validUntil stays null.
        valid_until=None,
        updated_at=_last_modified(data.get("lastModified"), timezone, warnings),
        warnings=tuple(warnings),
        identifiers=identifiers([("url", _text(data.get("url")))]),
    )


def _reference(data: JSONObject) -> str:
    value = data.get("reference")
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise InvalidRecordError(
        f"no reference (got {value!r}); every listing needs its NZQA reference"
    )


def _title_or_quarantine(data: JSONObject, local_id: str) -> str:
    """The clean title, after the checks that quarantine a listing: no title, or credits that
    are not a number (every problem found is named in the one reason)."""
    problems: list[str] = []
    value = data.get("title")
    title = clean_title(value) if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        problems.append(f"title is not text: {value!r}")
    elif not title:
        problems.append("no title")
    credits = data.get("credits")
    try:
        to_float(credits)
    except ValueError:
        problems.append(f"credits is not a number: {credits!r}")
    if problems:
        raise InvalidRecordError("; ".join(problems), local_id=local_id)
    return title


def _text(value: JSON) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_text(value) or None


def _workload(credits: JSON, warnings: list[str]) -> Workload | None:
    try:
        return workload(warnings, nz_credits=credits)
    except ValueError as exc:  # a number, checked above, but not a usable one (negative)
        warnings.append(f"credits {credits!r}: {exc}; workload left empty")
        return None


def _blank_to_none(value: JSON) -> JSON:
    return None if isinstance(value, str) and not value.strip() else value


def _statements(
    data: JSONObject, is_csv: bool, warnings: list[str]
) -> tuple[tuple[LangString, ...], tuple[LangString, ...]]:
    """(description, learning outcomes) from the purpose and outcome statements."""
    combined = data.get(COMBINED_STATEMENT)
    if is_csv and isinstance(combined, str) and combined.strip():
        text = lang_strings(combined, default_lang="en")
        warnings.append(
            "CSV export merges the purpose and outcome statements in one cell; the cell is used "
            "as both description and learning outcomes (the JSON feed keeps them apart)"
        )
        return text, text
    description = lang_strings(_only_text(data.get("purposeStatement")), default_lang="en")
    outcome = data.get("outcomeStatement")
    outcomes = lang_strings(_only_text(outcome), default_lang="en")
    if outcome is not None and not outcomes and outcome not in ("", []):
        warnings.append(
            f"outcomeStatement {outcome!r} is neither text nor a list of texts; left out"
        )
    return description, outcomes


def _only_text(value: JSON) -> JSON:
    """A string or the strings of a list; anything else (a map, a number) is not a statement."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return None


def _organisation(entry: JSON, warnings: list[str]) -> Organisation | None:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict):
        warnings.append(f"provider {entry!r} is not an object with a name; left out")
        return None
    name = entry.get("name")
    number = entry.get("providerNumber")
    ident = str(number).strip() if isinstance(number, str | int) else None
    org = _named_organisation(name, ident or None) if isinstance(name, str) else None
    if org is None:
        warnings.append(f"provider {entry!r} has no name; left out")
    return org


@lru_cache(maxsize=4096)
def _named_organisation(name: str, ident: str | None) -> Organisation | None:
    """Providers recur on every page: build each (immutable) organisation once."""
    cleaned = clean_title(name)
    return Organisation(name=cleaned, id=ident, country=COUNTRY) if cleaned else None


def _awarding_bodies(
    developer: JSON, providers: JSON, warnings: list[str]
) -> tuple[Organisation, ...]:
    """Developer then accredited providers, one entry per name (the developer often delivers)."""
    by_name: dict[str, Organisation] = {}
    entries = ([] if developer is None else [developer]) + as_list(providers)
    for entry in entries:
        org = _organisation(entry, warnings)
        if org is None:
            continue
        key = org.name.casefold()
        known = by_name.get(key)
        if known is None:
            by_name[key] = org
        elif known.id is None and org.id is not None:
            by_name[key] = Organisation(name=known.name, id=org.id, country=COUNTRY)
    return tuple(by_name.values())


def _participation(
    value: JSON, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    if value is None or value == [] or value == "":
        return (), ()
    forms, original = participation_forms(value, warnings)
    return forms, original


def _quality_assurance(value: JSON) -> QualityAssurance | None:
    return _quality_assurance_of(value) if isinstance(value, str) else None


@lru_cache(maxsize=256)
def _quality_assurance_of(value: str) -> QualityAssurance | None:
    body = clean_title(value)
    if not body:
        return None
    folded = body.casefold()
    if folded == "nzqa":
        return NZQA_QA
    if "cuap" in folded:
        return CUAP_QA
    return QualityAssurance(body=body)


def _fields_of_study(value: JSON, is_csv: bool, warnings: list[str]) -> tuple[FieldOfStudy, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        code = str(value)
    elif isinstance(value, str):
        code = value.strip()
    else:
        if value is not None:
            warnings.append(f"NZSCED code {value!r} is not a code; left out")
        return ()
    if not code:
        return ()
    if _FIVE_DIGITS.fullmatch(code):
        # Spreadsheets drop the leading zero of codes in fields 01-09; no real code has 5 digits.
        if not is_csv:
            warnings.append(f'NZSCED code "{code}" has five digits; read as "0{code}"')
        code = "0" + code
    elif not _SIX_DIGITS.fullmatch(code):
        warnings.append(f'NZSCED code "{code}" is not six digits; kept as given')
    return (FieldOfStudy(scheme="NZSCED", code=code),)


def _status(value: JSON, warnings: list[str]) -> Status:
    text = clean_title(value) if isinstance(value, str) else ""
    status = _STATUS.get(text.casefold())
    if status is not None:
        return status
    if text:
        warnings.append(f'status "{text}" is not Current, Expired or Discontinued; status UNKNOWN')
    else:
        warnings.append("no status given; status UNKNOWN")
    return Status.UNKNOWN


def _approval_date(value: JSON, is_csv: bool, warnings: list[str]) -> date | None:
    try:
        # The CSV export writes dates the New Zealand way, DD/MM/YYYY.
        return parse_date(value, day_first=is_csv)
    except ValueError:
        warnings.append(f"approvalDate {value!r} is not a date; validFrom left empty")
        return None


def _last_modified(value: JSON, timezone: str, warnings: list[str]) -> datetime | None:
    try:
        return parse_datetime(value, default_tz=timezone)
    except ValueError:
        warnings.append(f"lastModified {value!r} is not an ISO 8601 date-time; left empty")
        return None
