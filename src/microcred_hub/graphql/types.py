"""GraphQL object types. Resolvers hand over the record structs themselves: the Python
attribute names here match the structs', so most fields use the default attribute resolver
and a 500-record page costs no per-field Python conversion."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from microcred_hub.index import SortField
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    Microcredential,
    ParticipationForm,
    Stackability,
    Status,
    Supervision,
)
from microcred_hub.state import SourceStatus

# The canonical vocabularies are the GraphQL enums (same names, same values).
strawberry.enum(CredentialType, description="What kind of credential a record describes.")
strawberry.enum(AssessmentType, description="Type of assessment (EU Annex I element 9).")
strawberry.enum(ParticipationForm, description="Form of participation (EU Annex I element 10).")
strawberry.enum(Supervision, description="Supervision and identity verification of assessment.")
strawberry.enum(Stackability, description="Whether it can be combined into a larger credential.")
strawberry.enum(Status, description="Whether the record is currently offered.")
strawberry.enum(
    SourceStatus, description="STALE: serving the last good data after a failed harvest."
)
strawberry.enum(SortField, description="Sort order; nulls come last either way, id breaks ties.")


@strawberry.type(name="LangString")
class LangStringType:
    lang: str | None
    value: str


@strawberry.type(name="Organisation")
class OrganisationType:
    name: str
    id: str | None
    url: str | None
    country: str | None


@strawberry.type(name="Workload")
class WorkloadType:
    ects: float | None
    hours: float | None = strawberry.field(description="The comparable measure.")
    derived: bool = strawberry.field(description="True when a value came from a rule of ours.")
    original_value: str | None
    original_unit: str | None


@strawberry.type(name="Level")
class LevelType:
    eqf: int | None
    framework: str | None
    framework_level: str | None
    derived: bool


@strawberry.type(name="QualityAssurance")
class QualityAssuranceType:
    name: str | None
    body: str | None
    url: str | None
    description: str | None


@strawberry.type(name="FieldOfStudy")
class FieldOfStudyType:
    scheme: str
    code: str
    label: str | None


@strawberry.type(name="Skill")
class SkillType:
    label: str
    uri: str | None
    framework: str | None


@strawberry.type(name="Identifier")
class IdentifierType:
    scheme: str = strawberry.field(
        description='"url" (landing page, canonical form), "uri" (a global IRI), "ctid", '
        "or the scheme the register names."
    )
    value: str


@strawberry.type(name="Completeness")
class CompletenessType:
    score: float
    missing: list[str]


@strawberry.type(name="Provenance")
class ProvenanceType:
    source: str
    connector: str
    connector_version: str
    fetched_at: datetime
    source_url: str | None
    content_hash: str


def _lang_key(lang: str) -> str:
    return lang.lower().replace("_", "-").split("-")[0]


def resolve_title(
    root: strawberry.Parent[Microcredential], lang: str | None = strawberry.UNSET
) -> str:
    if lang and lang is not strawberry.UNSET:
        wanted = _lang_key(lang)
        for text in root.titles:
            if text.lang and _lang_key(text.lang) == wanted:
                return text.value
    return root.title


@strawberry.type(name="SameAs")
class SameAsType:
    record: MicrocredentialType = strawberry.field(description="Another record of the group.")
    confidence: float = strawberry.field(description="0-1: how sure the link is.")
    evidence: list[str] = strawberry.field(
        description='Why: "identifier", "url", "title", "awardingBody", "workload", "level", '
        '"country", "override", or "transitive" (linked through other members).'
    )


def resolve_same_as(
    root: strawberry.Parent[Microcredential], info: strawberry.Info
) -> list[SameAsType]:
    linker = info.context.duplicates
    if linker is None:
        return []
    index = info.context.index
    found = []
    for link in linker.same_as(root.id):
        record = index.get(link.id)
        if record is not None:
            found.append(
                SameAsType(record=record, confidence=link.confidence, evidence=list(link.evidence))
            )
    return found


def resolve_group_id(
    root: strawberry.Parent[Microcredential], info: strawberry.Info
) -> strawberry.ID:
    linker = info.context.duplicates
    return strawberry.ID(root.id if linker is None else linker.group_id(root.id))


@strawberry.federation.type(name="Microcredential", keys=["id"])
class MicrocredentialType:
    """Resolvers hand over the record structs themselves (see the module docstring)."""

    id: strawberry.ID = strawberry.field(description="<source key>:<id in that source>")
    source: str
    local_id: str
    url: str | None
    credential_type: CredentialType
    title: str = strawberry.field(
        resolver=resolve_title,
        description="That language if present, else the display title.",
    )
    titles: list[LangStringType]
    description: list[LangStringType]
    issuer_country: list[str]
    awarding_bodies: list[OrganisationType]
    learning_outcomes: list[LangStringType]
    workload: WorkloadType | None
    level: LevelType | None
    assessment_types: list[AssessmentType]
    assessment_original: list[str] = strawberry.field(
        name="assessmentTypesOriginal", description="Assessment types as the register said."
    )
    participation_forms: list[ParticipationForm]
    participation_original: list[str] = strawberry.field(
        name="participationFormsOriginal", description="Participation as the register said."
    )
    quality_assurance: QualityAssuranceType | None
    prerequisites: list[LangStringType]
    supervision: Supervision | None
    stackability: Stackability | None
    languages: list[str]
    fields_of_study: list[FieldOfStudyType]
    skills: list[SkillType]
    framework_listed: bool | None
    status: Status
    valid_from: date | None
    valid_until: date | None
    updated_at: datetime | None
    withdrawn_at: datetime | None = strawberry.field(
        description="When the record vanished from its register (it is kept, not dropped)."
    )
    completeness: CompletenessType
    provenance: ProvenanceType
    warnings: list[str]
    identifiers: list[IdentifierType] = strawberry.field(
        description="What the register says names this specification (ids, sameAs, pages)."
    )
    same_as: list[SameAsType] = strawberry.field(
        resolver=resolve_same_as,
        description="The other records of its duplicate group, strongest first; empty when none.",
    )
    group_id: strawberry.ID = strawberry.field(
        resolver=resolve_group_id,
        description="Equal for all records of a duplicate group; the record's own id when alone.",
    )

    @classmethod
    def is_type_of(cls, obj: object, _info: object) -> bool:
        # records are not instances of this class: _entities needs telling which type they are
        return isinstance(obj, Microcredential | cls)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class MicrocredentialEdge:
    cursor: str
    node: MicrocredentialType


@strawberry.type
class MicrocredentialConnection:
    total_count: int = strawberry.field(description="Every match, not just this page.")
    edges: list[MicrocredentialEdge]
    page_info: PageInfo


@strawberry.type(name="SourceCount")
class SourceCountType:
    source: str
    count: int


@strawberry.type(name="Provider")
class ProviderType:
    """An awarding body, as the index aggregates it (``index.Provider``), served as is."""

    id: strawberry.ID = strawberry.field(
        description="Stable while the body's name family and country are: <country>:<name key>."
    )
    name: str = strawberry.field(description="The spelling most records use.")
    aliases: list[str] = strawberry.field(
        description="Other spellings of the same body in the records (other names, languages, "
        "registers), most used first."
    )
    country: str | None
    microcredential_count: int
    sources: list[str]
    source_counts: list[SourceCountType] = strawberry.field(description="Its records per source.")


@strawberry.type
class ProviderEdge:
    cursor: str
    node: ProviderType


@strawberry.type
class ProviderConnection:
    total_count: int
    edges: list[ProviderEdge]
    page_info: PageInfo


@strawberry.type
class FacetCount:
    value: str
    count: int


@strawberry.type
class Facets:
    issuer_country: list[FacetCount]
    eqf_level: list[FacetCount]
    source: list[FacetCount]
    participation_form: list[FacetCount]
    assessment_type: list[FacetCount]
    credential_type: list[FacetCount]
    language: list[FacetCount]
    status: list[FacetCount]


@strawberry.input
class MicrocredentialFilter:
    """OR within a field, AND across fields; an empty list does not constrain."""

    source: list[str] | None = strawberry.UNSET
    issuer_country: list[str] | None = strawberry.UNSET
    eqf_level: list[int] | None = strawberry.UNSET
    eqf_level_min: int | None = strawberry.UNSET
    eqf_level_max: int | None = strawberry.UNSET
    ects_min: float | None = strawberry.UNSET
    ects_max: float | None = strawberry.UNSET
    hours_min: float | None = strawberry.UNSET
    hours_max: float | None = strawberry.UNSET
    participation_form: list[ParticipationForm] | None = strawberry.UNSET
    assessment_type: list[AssessmentType] | None = strawberry.UNSET
    language: list[str] | None = strawberry.UNSET
    credential_type: list[CredentialType] | None = strawberry.UNSET
    status: list[Status] | None = strawberry.UNSET
    stackable: bool | None = strawberry.UNSET
    framework_listed: bool | None = strawberry.UNSET
    skill: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Skill labels or URIs, case and accents ignored."
    )
    awarding_body: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Awarding body names or ids, case and accents ignored.",
    )
    updated_since: datetime | None = strawberry.UNSET
    # hub extensions (docs/HUB_EXTENSIONS.md): the dashboards' "none" groups and year bars
    issuer_country_missing: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: only records without an issuer country (statistics' null "
        "ISSUER_COUNTRY group); false: only records with one. Hub extension.",
    )
    eqf_level_missing: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: only records without an EQF level (statistics' null EQF_LEVEL "
        "group); false: only records with one. Hub extension.",
    )
    valid_from_missing: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: only records without a validFrom date (statistics' null "
        "VALID_FROM_YEAR group); false: only records with one. Hub extension.",
    )
    valid_from_year: list[int] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Years validFrom falls in (statistics' VALID_FROM_YEAR keys). Hub extension.",
    )
    valid_from_min: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="validFrom on or after this date; records without one do not match. "
        "Hub extension.",
    )
    valid_from_max: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="validFrom on or before this date; records without one do not match. "
        "Hub extension.",
    )
    duplicated_in: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Source keys: only records of an offer listed in every one of them (a "
        "duplicate group with a record matching the rest of the filter in each); the records "
        "behind a sourceOverlap figure. Hub extension.",
    )
