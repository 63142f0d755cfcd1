"""The Example Irish Register: micro-credentials of Irish providers, paged by page number.

Built from the hub's connector template (connectors/_template); imports only the SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import ClassVar

from microcred_hub.sdk import (
    JSON,
    ConnectorInfo,
    ConnectorOptions,
    CredentialType,
    FatalFetchError,
    HarvestContext,
    InvalidRecordError,
    JSONObject,
    LangString,
    Organisation,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Status,
    Unchanged,
    Workload,
    as_list,
    assessment_types,
    clean_title,
    display_title,
    framework_level,
    language_code,
    numbered_pages,
    page_query,
    parse_datetime,
    participation_forms,
    reject,
    text_of,
    to_bool,
    to_int,
    workload,
)

COUNTRY = "IE"  # the register lists Irish providers only
QQI = QualityAssurance(
    name="Validated by QQI",
    body="Quality and Qualifications Ireland (QQI)",
    url="https://www.qqi.ie",
)
_STATUS = {"open": Status.ACTIVE, "closed": Status.EXPIRED, "discontinued": Status.WITHDRAWN}


class ExampleOptions(ConnectorOptions, frozen=True, kw_only=True):
    """The ``[[sources]]`` keys of an Example Irish Register source besides key/connector/url."""

    page_size: int = 50  # the register allows 1-100
    max_pages: int = 500  # a register whose page count keeps growing must not hold the harvest

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= 100:
            raise ValueError("page_size must be from 1 to 100")
        self.require_at_least(1, "max_pages")


class ExampleConnector:
    """Example Irish Register (fictional): NFQ levels, ECTS, English and Irish titles."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="example",
        version="1.0.0",
        description="Example Irish Register (fictional): micro-credentials, NFQ levels, ECTS",
        register="Example Irish Register",
        country=COUNTRY,
        formats=("json",),
        homepage="https://register.example.ie",
    )
    options_type: ClassVar[type[ConnectorOptions]] = ExampleOptions

    def __init__(self, options: ExampleOptions | None = None) -> None:
        self.options = options or ExampleOptions()

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        """``GET {url}?page=N&pageSize=M`` for N = 1 .. the ``pages`` each answer gives."""
        for url in ctx.urls:
            pages = numbered_pages(
                ctx,
                url,
                query=page_query(self.options.page_size),
                more=_more_pages(url),
                max_pages=self.options.max_pages,
            )
            async for response, body in pages:
                courses = body.get("courses") if isinstance(body, dict) else None
                if not isinstance(body, dict) or not isinstance(courses, list):
                    raise FatalFetchError(
                        f"{response.url} answered no `courses` list; check the source url",
                        url=response.url,
                    )
                for entry in courses:
                    yield raw_record(entry, response.url)

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_course(raw.data)


def _more_pages(url: str) -> Callable[[int, JSON], bool]:
    """Page n (from 0) is not the last while the register's ``pages`` count says so."""
    return lambda n, body: n + 1 < _page_count(body, url)


def _page_count(body: JSON, url: str) -> int:
    value = body.get("pages") if isinstance(body, dict) else None
    try:
        pages = to_int(value)
    except ValueError:
        pages = None
    if pages is None or pages < 0:
        raise FatalFetchError(f"{url} answered no page count (`pages`): {value!r}", url=url)
    return pages


def raw_record(entry: JSON, url: str) -> RawRecord:
    """One course as published; a non-object is kept too, so that it is quarantined."""
    if not isinstance(entry, dict):
        return reject(entry, "course entry is not a JSON object", source_url=url)
    code = entry.get("courseCode")
    local_id = code.strip() if isinstance(code, str) else None
    return RawRecord(data=entry, local_id=local_id or None, source_url=url)


def normalise_course(data: JSONObject) -> RecordDraft:
    """One course -> the canonical record. Pure: no clock, no I/O, the input left as it was."""
    code = data.get("courseCode")
    local_id = code.strip() if isinstance(code, str) else ""
    if not local_id:
        raise InvalidRecordError("course has no courseCode")
    titles = _titles(data)
    if not titles:
        raise InvalidRecordError("course has no courseTitle", local_id=local_id)
    warnings: list[str] = []
    provider = text_of(data.get("provider"))
    forms, form_original = participation_forms(data.get("deliveryMode"), warnings)
    assessments, assessment_original = assessment_types(data.get("assessment"), warnings)
    return RecordDraft(
        local_id=local_id,
        title=display_title(titles),
        titles=titles,
        credential_type=CredentialType.MICRO_CREDENTIAL,
        url=text_of(data.get("link")),
        description=_english(data.get("summary")),
        learning_outcomes=tuple(
            LangString(value=text, lang="en")
            for text in (text_of(item) for item in as_list(data.get("outcomes")))
            if text
        ),
        issuer_country=(COUNTRY,),
        awarding_bodies=(
            (Organisation(name=provider, id=text_of(data.get("providerId")), country=COUNTRY),)
            if provider
            else ()
        ),
        level=framework_level("NFQ", data.get("nfqLevel"), warnings),
        workload=_workload(data.get("ectsCredits"), warnings),
        participation_forms=forms,
        participation_original=form_original,
        assessment_types=assessments,
        assessment_original=assessment_original,
        languages=_languages(data.get("languages"), warnings),
        quality_assurance=_quality_assurance(data.get("qqiValidated"), warnings),
        status=_status(data.get("status"), warnings),
        updated_at=_updated(data.get("lastUpdated"), warnings),
        warnings=tuple(warnings),
    )


def _english(value: JSON) -> tuple[LangString, ...]:
    text = text_of(value)
    return (LangString(value=text, lang="en"),) if text else ()


def _titles(data: JSONObject) -> tuple[LangString, ...]:
    titles = []
    for key, lang in (("courseTitle", "en"), ("titleGa", "ga")):
        value = data.get(key)
        text = clean_title(value) if isinstance(value, str) else ""
        if text:
            titles.append(LangString(value=text, lang=lang))
    # an Irish title alone is not a course title: the register requires courseTitle
    return tuple(titles) if titles and titles[0].lang == "en" else ()


def _workload(value: JSON, warnings: list[str]) -> Workload | None:
    try:
        return workload(warnings, ects=value)
    except ValueError as exc:
        warnings.append(f"ectsCredits left empty: {exc}")
        return Workload(original_value=str(value), original_unit="ECTS")


def _languages(value: JSON, warnings: list[str]) -> tuple[str, ...]:
    # "English; Irish" in one string, or a list
    names = [
        part.strip()
        for item in as_list(value)
        if isinstance(item, str)
        for part in item.replace(";", ",").split(",")
    ]
    codes: list[str] = []
    for name in filter(None, names):
        code = language_code(name)
        if code is None:
            warnings.append(f"language {name!r} is not a known language; left out")
        elif code not in codes:
            codes.append(code)
    return tuple(codes)


def _quality_assurance(value: JSON, warnings: list[str]) -> QualityAssurance | None:
    try:
        validated = to_bool(value)
    except ValueError:
        warnings.append(f"qqiValidated {value!r} is not true or false; quality assurance unknown")
        return None
    # false only says QQI did not validate it (a university validates its own): not known
    return QQI if validated else None


def _status(value: JSON, warnings: list[str]) -> Status:
    if value is None:
        return Status.UNKNOWN
    status = _STATUS.get(str(value).strip().lower())
    if status is None:
        warnings.append(f"status {value!r} is not known; recorded as UNKNOWN")
        return Status.UNKNOWN
    return status


def _updated(value: JSON, warnings: list[str]) -> datetime | None:
    try:
        # the register writes local Irish time without a zone
        return parse_datetime(value, default_tz="Europe/Dublin")
    except ValueError:
        warnings.append(f"lastUpdated {value!r} is not a date-time; left empty")
        return None
