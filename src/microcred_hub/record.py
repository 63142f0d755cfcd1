"""The canonical micro-credential record (spec/RECORD.md) and its vocabularies.

Records are frozen msgspec Structs rather than dataclasses: the same immutability, but they
encode and decode to JSON (snapshot, Redis, GraphQL fast path) an order of magnitude faster
and take less memory per instance, which matters at a million records.
JSON field names are camelCase, the same names the GraphQL API uses.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

import msgspec


class CredentialType(enum.StrEnum):
    MICRO_CREDENTIAL = "MICRO_CREDENTIAL"
    COURSE = "COURSE"
    BADGE = "BADGE"
    CERTIFICATE = "CERTIFICATE"
    PROGRAMME = "PROGRAMME"
    OTHER = "OTHER"


class AssessmentType(enum.StrEnum):
    TESTING = "TESTING"
    APPLICATION_OF_SKILL = "APPLICATION_OF_SKILL"
    PORTFOLIO = "PORTFOLIO"
    RECOGNITION_OF_PRIOR_LEARNING = "RECOGNITION_OF_PRIOR_LEARNING"
    OTHER = "OTHER"


class ParticipationForm(enum.StrEnum):
    ONLINE = "ONLINE"
    ONSITE = "ONSITE"
    BLENDED = "BLENDED"
    WORK_BASED = "WORK_BASED"
    VOLUNTEERING = "VOLUNTEERING"
    OTHER = "OTHER"


class Supervision(enum.StrEnum):
    UNSUPERVISED_NO_ID_CHECK = "UNSUPERVISED_NO_ID_CHECK"
    SUPERVISED_NO_ID_CHECK = "SUPERVISED_NO_ID_CHECK"
    SUPERVISED_WITH_ID_CHECK = "SUPERVISED_WITH_ID_CHECK"
    OTHER = "OTHER"


class Stackability(enum.StrEnum):
    STANDALONE = "STANDALONE"
    STACKABLE = "STACKABLE"


class Status(enum.StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"
    UNKNOWN = "UNKNOWN"


#: The nine spec-level elements that completeness is scored on, by field name (RECORD.md).
COMPLETENESS_ELEMENTS: tuple[str, ...] = (
    "title",
    "issuerCountry",
    "awardingBodies",
    "learningOutcomes",
    "workload",
    "level",
    "assessmentTypes",
    "participationForms",
    "qualityAssurance",
)


class _Struct(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """Base for record parts: immutable, keyword-only, camelCase on the wire."""


class LangString(_Struct, frozen=True):
    value: str
    lang: str | None = None


class Organisation(_Struct, frozen=True):
    name: str
    id: str | None = None
    url: str | None = None
    country: str | None = None


class Workload(_Struct, frozen=True):
    ects: float | None = None
    hours: float | None = None
    derived: bool = False
    original_value: str | None = None
    original_unit: str | None = None


class Level(_Struct, frozen=True):
    eqf: int | None = None
    framework: str | None = None
    framework_level: str | None = None
    derived: bool = False


class QualityAssurance(_Struct, frozen=True):
    name: str | None = None
    body: str | None = None
    url: str | None = None
    description: str | None = None


class FieldOfStudy(_Struct, frozen=True):
    scheme: str
    code: str
    label: str | None = None


class Skill(_Struct, frozen=True):
    label: str
    uri: str | None = None
    framework: str | None = None


class Identifier(_Struct, frozen=True):
    """What a register says names the specification (see ``normalise.identity``).

    ``scheme`` is ``url`` (a landing page, canonical form), ``uri`` (a global IRI: JSON-LD
    ``@id``, ``sameAs``, Open Badges ``id``/``related``), ``ctid`` (Credential Engine), or the
    scheme a register names for its own identifier (ELM ``Identifier.schemeName``, folded).
    """

    scheme: str
    value: str


class Completeness(_Struct, frozen=True):
    score: float
    missing: tuple[str, ...] = ()


class Provenance(_Struct, frozen=True):
    source: str
    connector: str
    connector_version: str
    fetched_at: datetime
    content_hash: str
    source_url: str | None = None


class RecordDraft(_Struct, frozen=True):
    """What a connector's pure ``normalise(raw)`` returns: the record minus hub-owned parts.

    The hub adds ``id``, ``source``, ``completeness`` and ``provenance`` (which needs the
    clock and the source key, so a connector cannot know it).
    """

    local_id: str
    title: str
    credential_type: CredentialType = CredentialType.OTHER
    url: str | None = None
    titles: tuple[LangString, ...] = ()
    description: tuple[LangString, ...] = ()
    issuer_country: tuple[str, ...] = ()
    awarding_bodies: tuple[Organisation, ...] = ()
    learning_outcomes: tuple[LangString, ...] = ()
    workload: Workload | None = None
    level: Level | None = None
    assessment_types: tuple[AssessmentType, ...] = ()
    assessment_original: tuple[str, ...] = ()
    participation_forms: tuple[ParticipationForm, ...] = ()
    participation_original: tuple[str, ...] = ()
    quality_assurance: QualityAssurance | None = None
    prerequisites: tuple[LangString, ...] = ()
    supervision: Supervision | None = None
    stackability: Stackability | None = None
    languages: tuple[str, ...] = ()
    fields_of_study: tuple[FieldOfStudy, ...] = ()
    skills: tuple[Skill, ...] = ()
    framework_listed: bool | None = None
    status: Status = Status.UNKNOWN
    valid_from: date | None = None
    valid_until: date | None = None
    updated_at: datetime | None = None
    warnings: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()


class Microcredential(RecordDraft, frozen=True, kw_only=True):
    """The canonical record as stored and served."""

    id: str
    source: str
    completeness: Completeness
    provenance: Provenance
    #: set by the harvest when the record vanished from its register (never silently dropped)
    withdrawn_at: datetime | None = None


class QuarantinedRecord(_Struct, frozen=True):
    """A raw record that could not be normalised, kept with its reason for `sources`."""

    source: str
    reason: str
    local_id: str | None = None
    source_url: str | None = None
    seen_at: datetime | None = None
    raw_excerpt: str | None = None


def completeness_of(draft: RecordDraft) -> Completeness:
    """Share of the nine Annex I elements present; absent ones listed by field name."""
    present = {
        "title": bool(draft.title),
        "issuerCountry": bool(draft.issuer_country),
        "awardingBodies": bool(draft.awarding_bodies),
        "learningOutcomes": bool(draft.learning_outcomes),
        "workload": draft.workload is not None,
        "level": draft.level is not None,
        "assessmentTypes": bool(draft.assessment_types),
        "participationForms": bool(draft.participation_forms),
        "qualityAssurance": draft.quality_assurance is not None,
    }
    missing = tuple(name for name in COMPLETENESS_ELEMENTS if not present[name])
    score = round((len(COMPLETENESS_ELEMENTS) - len(missing)) / len(COMPLETENESS_ELEMENTS), 4)
    return Completeness(score=score, missing=missing)


_draft_encoder = msgspec.json.Encoder(order="sorted")


def content_hash(draft: RecordDraft) -> str:
    """Stable hash of what the register said, as normalised (not when we fetched it)."""
    # Only the draft's own fields: a Microcredential's provenance/withdrawal must not count.
    fields = {f: getattr(draft, f) for f in RecordDraft.__struct_fields__}
    if not fields["identifiers"]:
        del fields["identifiers"]  # records without identifiers keep the hashes they had
    return "sha256:" + hashlib.sha256(_draft_encoder.encode(fields)).hexdigest()


record_encoder = msgspec.json.Encoder()
record_decoder = msgspec.json.Decoder(Microcredential)
