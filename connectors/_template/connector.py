"""TEMPLATE connector: a register that publishes its micro-credentials as a JSON list.

Copy this folder to start a connector (CONTRIBUTING.md, "Write a connector"). Every
``TEMPLATE:`` comment marks a place to adapt to your register; delete the comment once done.

The register this template reads answers each page with either a bare JSON array of records,
or an object ``{"items": [...], "next": "<url of the next page>"}``. Change ``records_of`` and
``next_page`` (the paging hook) for other shapes, and ``normalise_item`` for other fields.
Import only from ``microcred_hub.sdk``: it is the connector API the hub keeps stable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import Enum
from typing import ClassVar, TypeVar

from microcred_hub.sdk import (
    JSON,
    ConnectorInfo,
    ConnectorOptions,
    CredentialType,
    FatalFetchError,
    FetchResponse,
    HarvestContext,
    InvalidRecordError,
    JSONObject,
    Organisation,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Status,
    Unchanged,
    Workload,
    as_list,
    assessment_types,
    country_code,
    date_or_none,
    datetime_or_none,
    display_title,
    follow_pages,
    json_kind,
    lang_strings,
    language_code,
    next_in_body,
    participation_forms,
    reject,
    stated_eqf,
    text_of,
    workload,
)

# TEMPLATE: your register's own words for these, lower-cased.
_Term = TypeVar("_Term", bound=Enum)
_STATUS = {"active": Status.ACTIVE, "expired": Status.EXPIRED, "withdrawn": Status.WITHDRAWN}
_TYPE = {
    "micro-credential": CredentialType.MICRO_CREDENTIAL,
    "course": CredentialType.COURSE,
    "badge": CredentialType.BADGE,
}


class TemplateOptions(ConnectorOptions, frozen=True, kw_only=True):
    """This connector's own ``[[sources]]`` keys (the hub owns key, connector, url, timeouts...)."""

    # TEMPLATE: one typed field per option, with a safe default; document each in README.md.
    items_key: str = "items"  # where the records are when a page is an object
    max_pages: int = 1000  # a register whose `next` links loop must not keep the harvest busy

    def __post_init__(self) -> None:
        # a ValueError here becomes a config error that names the file and the key
        self.require_at_least(1, "max_pages")


class TemplateConnector:
    """TEMPLATE: one line saying which register this reads."""

    # TEMPLATE: `name` must equal the entry-point name you declare in pyproject.toml.
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="template",
        version="0.1.0",
        description="TEMPLATE: a JSON list of micro-credentials, optionally paged",
        register="Example Register (template)",
        country=None,  # ISO 3166-1 alpha-2 when the register is national
        formats=("json",),
        homepage=None,
    )
    options_type: ClassVar[type[ConnectorOptions]] = TemplateOptions

    def __init__(self, options: TemplateOptions | None = None) -> None:
        self.options = options or TemplateOptions()

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        """Every page of every source URL, through ``ctx.fetcher`` only (never your own client).

        Fetch errors are not caught: the hub keeps the last good data when a harvest fails,
        which a half-read register passed off as complete would defeat.
        """
        for start in ctx.urls:
            # follow_pages reads each page through ctx.fetcher and stops a loop or a register
            # longer than max_pages with a FatalFetchError naming the page
            pages = follow_pages(
                ctx, start, max_pages=self.options.max_pages, next_url=self.next_page
            )
            async for response, body in pages:
                for entry in self.records_of(body, response.url):
                    yield raw_record(entry, response.url)

    def records_of(self, body: JSON, url: str) -> list[JSON]:
        """The records on one page: a bare array, or the array under ``items_key``."""
        if isinstance(body, list):
            return body
        if isinstance(body, dict) and isinstance(body.get(self.options.items_key), list):
            items = body[self.options.items_key]
            assert isinstance(items, list)  # for mypy: checked just above
            return items
        raise FatalFetchError(
            f"{url} answered a JSON {type(body).__name__} without a list under "
            f'"{self.options.items_key}"; check the source url and items_key',
            url=url,
        )

    def next_page(self, response: FetchResponse, body: JSON) -> str | None:
        """The paging hook: the URL of the page after this one, or None on the last page.

        TEMPLATE: ``next_link(response)`` reads a ``Link: <...>; rel="next"`` header; for page
        numbers or offset/limit use ``numbered_pages`` with ``page_query`` / ``offset_query``
        in ``fetch`` instead. A relative link is read against the page URL.
        """
        return next_in_body(body, response.url)

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_item(raw.data)


def raw_record(entry: JSON, url: str) -> RawRecord:
    """One entry as published; a non-object is refused with its reason (quarantined, not lost)."""
    if not isinstance(entry, dict):
        return reject(entry, f"entry is a JSON {json_kind(entry)}, not an object", source_url=url)
    return RawRecord(data=entry, local_id=local_id_of(entry.get("id")), source_url=url)


def normalise_item(data: JSONObject) -> RecordDraft:
    """One register entry -> the canonical record. Pure: no clock, no I/O, input untouched.

    Raise InvalidRecordError only when there is no record to speak of (no id, no title, not
    an object); a value that cannot be mapped is kept as original, left null, and warned about.
    """
    local_id = local_id_of(data.get("id"))
    if local_id is None:
        raise InvalidRecordError("entry has no id (string or number)")
    warnings: list[str] = []
    languages = _languages(data.get("language"), warnings)
    default_lang = languages[0] if len(languages) == 1 else None
    titles = lang_strings(data.get("title"), default_lang=default_lang, title=True)
    title = display_title(titles)
    if not title:
        raise InvalidRecordError("entry has no title", local_id=local_id)
    provider = _provider(data.get("provider"), warnings)
    assessments, assessment_original = assessment_types(data.get("assessment"), warnings)
    forms, form_original = participation_forms(data.get("mode"), warnings)
    return RecordDraft(
        local_id=local_id,
        title=title,
        titles=titles,
        credential_type=_credential_type(data.get("type"), warnings),
        url=text_of(data.get("url")),
        description=lang_strings(data.get("description"), default_lang=default_lang),
        learning_outcomes=lang_strings(data.get("learning_outcomes"), default_lang=default_lang),
        languages=languages,
        awarding_bodies=(provider,) if provider else (),
        issuer_country=(provider.country,) if provider and provider.country else (),
        workload=_workload(data, warnings),
        level=stated_eqf(data.get("eqf"), warnings),
        assessment_types=assessments,
        assessment_original=assessment_original,
        participation_forms=forms,
        participation_original=form_original,
        quality_assurance=_quality_assurance(data.get("quality_assurance")),
        status=_status(data.get("status"), warnings),
        valid_from=date_or_none(data.get("valid_from"), "valid_from", warnings),
        valid_until=date_or_none(data.get("valid_until"), "valid_until", warnings),
        # TEMPLATE: the register's own time zone for zone-less timestamps (default_tz=...)
        updated_at=datetime_or_none(data.get("updated_at"), "updated_at", warnings),
        warnings=tuple(warnings),
    )


def local_id_of(value: JSON) -> str | None:
    """The register's id: a non-empty string or an integer (a bool is neither)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _languages(value: JSON, warnings: list[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for item in as_list(value):
        code = language_code(item) if isinstance(item, str) else None
        if code is None:
            warnings.append(f"language {item!r} is not a known language; left out")
        elif code not in codes:
            codes.append(code)
    return tuple(codes)


def _provider(value: JSON, warnings: list[str]) -> Organisation | None:
    if not isinstance(value, dict):
        name = text_of(value)
        return Organisation(name=name) if name else None
    name = text_of(value.get("name"))
    if name is None:
        return None
    raw_country = text_of(value.get("country"))
    return Organisation(
        name=name,
        id=text_of(value.get("id")),
        url=text_of(value.get("url")),
        country=country_code(raw_country, warnings) if raw_country else None,
    )


def _workload(data: JSONObject, warnings: list[str]) -> Workload | None:
    try:
        return workload(warnings, ects=data.get("ects"), hours=data.get("hours"))
    except ValueError as exc:
        # never guess: keep what was published, leave the numbers empty, say why
        original = data.get("ects") if data.get("ects") is not None else data.get("hours")
        unit = "ECTS" if data.get("ects") is not None else "hours"
        warnings.append(f"workload left empty: {exc}")
        return Workload(original_value=str(original), original_unit=unit)


def _quality_assurance(value: JSON) -> QualityAssurance | None:
    name = text_of(value)
    return QualityAssurance(name=name) if name else None


def _credential_type(value: JSON, warnings: list[str]) -> CredentialType:
    # TEMPLATE: a register that lists only micro-credentials returns MICRO_CREDENTIAL here.
    absent, unknown = CredentialType.MICRO_CREDENTIAL, CredentialType.OTHER
    return _in_table(value, _TYPE, "credential type", absent, unknown, warnings)


def _status(value: JSON, warnings: list[str]) -> Status:
    return _in_table(value, _STATUS, "status", Status.UNKNOWN, Status.UNKNOWN, warnings)


def _in_table(
    value: JSON,
    table: dict[str, _Term],
    what: str,
    absent: _Term,
    unknown: _Term,
    warnings: list[str],
) -> _Term:
    """The register's word looked up (case and spaces ignored); a word not in ``table`` is kept
    as ``unknown`` with a warning, since RECORD.md never drops a record for a vocabulary value."""
    if value is None:
        return absent
    term = table.get(str(value).strip().lower())
    if term is None:
        warnings.append(f"{what} {value!r} is not known; recorded as {unknown.name}")
        return unknown
    return term
