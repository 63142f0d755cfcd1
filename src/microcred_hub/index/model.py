"""What the index is asked (filters, sort) and what it answers (pages, providers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from microcred_hub.errors import HubError
from microcred_hub.packing import unpack
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    Microcredential,
    ParticipationForm,
    Status,
)


class QueryError(HubError):
    """The query asks for something impossible (bad cursor, bad range); the message says why."""


class SortField(enum.StrEnum):
    TITLE = "TITLE"
    TITLE_DESC = "TITLE_DESC"
    ECTS = "ECTS"
    ECTS_DESC = "ECTS_DESC"
    HOURS = "HOURS"
    HOURS_DESC = "HOURS_DESC"
    EQF = "EQF"
    EQF_DESC = "EQF_DESC"
    UPDATED = "UPDATED"
    UPDATED_DESC = "UPDATED_DESC"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordFilter:
    """Constraints on records: OR within one field, AND across fields; None = no constraint.

    An empty list also means no constraint, so a UI can pass its unticked checkboxes as is.
    ``*_missing``: True keeps only the records without that value (statistics' null group),
    False only those with one.
    """

    source: tuple[str, ...] | None = None
    issuer_country: tuple[str, ...] | None = None
    eqf_level: tuple[int, ...] | None = None
    eqf_level_min: int | None = None
    eqf_level_max: int | None = None
    ects_min: float | None = None
    ects_max: float | None = None
    hours_min: float | None = None
    hours_max: float | None = None
    participation_form: tuple[ParticipationForm, ...] | None = None
    assessment_type: tuple[AssessmentType, ...] | None = None
    language: tuple[str, ...] | None = None
    credential_type: tuple[CredentialType, ...] | None = None
    status: tuple[Status, ...] | None = None
    stackable: bool | None = None
    framework_listed: bool | None = None
    skill: tuple[str, ...] | None = None
    awarding_body: tuple[str, ...] | None = None
    updated_since: datetime | None = None
    # hub extensions: what the dashboards' "none" groups and year bars list
    issuer_country_missing: bool | None = None
    eqf_level_missing: bool | None = None
    valid_from_missing: bool | None = None
    valid_from_year: tuple[int, ...] | None = None
    valid_from_min: date | None = None
    valid_from_max: date | None = None
    #: only these records (unknown ids are ignored; an empty tuple matches nothing): what
    #: the GraphQL layer resolves ``duplicatedIn`` to, from the duplicate groups
    ids: tuple[str, ...] | None = None


NO_FILTER = RecordFilter()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of matching records in order, with a cursor per record.

    The index holds records packed; ``records`` decodes them (each time it is read), and
    ``packed`` is there for a caller that decodes only the fields it serves.
    """

    total: int
    packed: list[bytes]
    cursors: list[str]
    has_next: bool

    @property
    def records(self) -> list[Microcredential]:
        return [unpack(packed) for packed in self.packed]

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True, slots=True)
class SourceCount:
    source: str
    count: int


@dataclass(frozen=True, slots=True)
class Provider:
    """An awarding body aggregated over every record that names it, whatever the spelling.

    ``id`` is stable while the body's name family and country are; ``aliases`` are the other
    spellings registers use; ``source_counts`` its records per source.
    """

    name: str
    country: str | None
    microcredential_count: int
    sources: list[str] = field(default_factory=list)
    id: str = ""
    aliases: list[str] = field(default_factory=list)
    source_counts: list[SourceCount] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProviderPage:
    total: int
    providers: list[Provider]
    cursors: list[str]
    has_next: bool

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None
