"""ELM parts that need more than a lookup: organisations, quality assurance, supervision,
stackability, credential type and status."""

from __future__ import annotations

import re

from microcred_hub.sdk import (
    JSON,
    CredentialType,
    JSONObject,
    Organisation,
    QualityAssurance,
    Stackability,
    Status,
    Supervision,
    as_list,
    country_code,
    supervision,
    to_bool,
)

from .nodes import (
    concept_label,
    concept_labels,
    first,
    node_id,
    nodes,
    note_texts,
    tail,
    text,
    web_url,
)
from .nodes import types as node_types

# The EU vocabulary spells "eIDASIdentifier"; an EC sample ships it with a Greek capital Iota.
_COUNTRY_HOLDERS = (
    "eIDASIdentifier", "eIDASΙdentifier", "registration", "vatIdentifier", "taxIdentifier",
)  # fmt: skip
# supervision-verification concepts seen without a prefLabel: (supervised, identity verified)
_SUPERVISION_CODES = {"c598449d64": (False, False), "df2880c5cb": (False, True)}
_MICRO = re.compile(r"micro[\s_-]?credential", re.IGNORECASE)
_COURSE = frozenset({"course", "mooc", "class", "programme module", "module"})
_PROGRAMME = frozenset({"educational programme", "short learning programme", "programme"})
_STATUS = {
    **dict.fromkeys(("active", "released", "published", "current", "valid"), Status.ACTIVE),
    **dict.fromkeys(
        ("withdrawn", "deprecated", "retired", "archived", "inactive"), Status.WITHDRAWN
    ),
    "expired": Status.EXPIRED,
}


def _country(org: JSONObject, warnings: list[str]) -> str | None:
    holders = [
        address.get("countryCode")
        for location in nodes(org.get("location"))
        for address in nodes(location.get("address"))
    ]
    holders += [ident.get("spatial") for key in _COUNTRY_HOLDERS for ident in nodes(org.get(key))]
    for holder in holders:
        concept = first(holder)
        value = node_id(concept) or concept_label(concept)
        if value:
            return country_code(value, warnings)
    return None


def organisation(value: JSON, warnings: list[str]) -> Organisation | None:
    """An ELM Organisation: legalName (else altLabel/prefLabel), id, homepage, address country."""
    if not isinstance(value, dict):
        return None
    name = text(value.get("legalName")) or text(value.get("altLabel")) or concept_label(value)
    if name is None:
        return None
    return Organisation(
        name=name,
        id=node_id(value),
        url=web_url(value.get("homepage")),
        country=_country(value, warnings),
    )


def organisations(values: list[JSON], warnings: list[str]) -> tuple[Organisation, ...]:
    """Organisations without duplicates (same id, else same name), in first-seen order."""
    seen: dict[str, Organisation] = {}
    for value in values:
        org = organisation(value, warnings)
        if org is not None:
            seen.setdefault(org.id or org.name, org)
    return tuple(seen.values())


def _subject_notes(spec: JSONObject, *words: str) -> list[str]:
    """Texts of the spec's ``additionalNote``s whose subject concept mentions one of ``words``."""
    found: list[str] = []
    for note in nodes(spec.get("additionalNote")):
        subject = " ".join(
            label for s in as_list(note.get("subject")) for label in concept_labels(s)
        )
        body = " ".join(item.value for item in note_texts(note))
        if any(word in subject.lower() for word in words) and body:
            found.append(body)
    return found


def quality_assurance(spec: JSONObject, warnings: list[str]) -> QualityAssurance | None:
    """From the first accreditation (type/title, accrediting agent, decision, report), else
    from an Annex I ``additionalNote`` about quality assurance."""
    for accreditation in nodes(spec.get("accreditation")) + nodes(spec.get("hasAccreditation")):
        agent = first(accreditation.get("accreditingAgent"))
        body = organisation(agent, warnings)
        qa = QualityAssurance(
            name=text(accreditation.get("title"))
            or concept_label(first(accreditation.get("dcType"))),
            body=body.name if body else None,
            url=web_url(accreditation.get("homepage"))
            or web_url(accreditation.get("landingPage"))
            or web_url(accreditation.get("report")),
            description=text(accreditation.get("description"))
            or concept_label(first(accreditation.get("decision"))),
        )
        if qa != QualityAssurance():
            return qa
    notes = _subject_notes(spec, "quality")
    return QualityAssurance(description=notes[0]) if notes else None


def _supervision_flags(concept: JSON) -> tuple[bool | None, bool | None]:
    label = (concept_label(concept) or "").lower()
    ident = node_id(concept)
    if not label and ident and tail(ident) in _SUPERVISION_CODES:
        return _SUPERVISION_CODES[tail(ident)]
    supervised = False if "unsupervised" in label else True if "supervised" in label else None
    verified = (
        False if re.search(r"\b(?:without|no)\b.*\bid", label)
        else True if re.search(r"\bwith\b.*\bid", label) else None
    )  # fmt: skip
    return supervised, verified


def supervision_of(concepts: list[JSON], warnings: list[str]) -> Supervision | None:
    """The first ``idVerification`` concept ("Supervised with ID verification") as Supervision."""
    for concept in concepts:
        supervised, verified = _supervision_flags(concept)
        if supervised is None and verified is None:
            said = concept_label(concept) or node_id(concept) or repr(concept)
            warnings.append(f'supervision "{said}" is not in the vocabulary; recorded as OTHER')
            return Supervision.OTHER
        return supervision(supervised, verified)
    return None


def stackability(spec: JSONObject) -> Stackability | None:
    """STACKABLE for a partial qualification or a note that says it stacks; STANDALONE when a
    note says so; else None (a full qualification may still stack: not explicit)."""
    for note in _subject_notes(spec, "stack", "integration"):
        lowered = note.lower()
        if re.search(r"stand[\s-]?alone|not stackable|cannot be stacked", lowered):
            return Stackability.STANDALONE
        if "stack" in lowered or "integrat" in lowered:
            return Stackability.STACKABLE
    try:
        partial = to_bool(first(spec.get("isPartialQualification")))
    except ValueError:
        partial = None
    if partial:
        return Stackability.STACKABLE
    return None


def credential_type(spec: JSONObject, credential: JSONObject | None) -> CredentialType:
    """MICRO_CREDENTIAL when the credential profile, the display title, the specification's
    type concept or its type names a micro-credential; else by the learning-opportunity type
    (Course, MOOC -> COURSE; programmes -> PROGRAMME), "certificate" or a Qualification ->
    CERTIFICATE; else OTHER."""
    kinds = [label for c in as_list(spec.get("dcType")) for label in concept_labels(c)]
    said = [*kinds, *node_types(spec)]
    if credential is not None:
        said += [
            label
            for c in as_list(credential.get("credentialProfiles"))
            for label in concept_labels(c)
        ]
        said += [
            label
            for display in nodes(credential.get("displayParameter"))
            for label in (text(display.get("title")) or "",)
        ]
        said += list(node_types(credential))
    if any(_MICRO.search(item) for item in said):
        return CredentialType.MICRO_CREDENTIAL
    lowered = {kind.strip().lower() for kind in kinds}
    if lowered & _COURSE:
        return CredentialType.COURSE
    if lowered & _PROGRAMME:
        return CredentialType.PROGRAMME
    if any("certificate" in item.lower() for item in said) or "Qualification" in node_types(spec):
        return CredentialType.CERTIFICATE
    return CredentialType.OTHER


def status(spec: JSONObject, warnings: list[str]) -> Status:
    """The specification's publication ``status`` (text or concept) -> Status; UNKNOWN if absent."""
    value = first(spec.get("status"))
    said = concept_label(value) if isinstance(value, dict) else value
    if not isinstance(said, str) or not said.strip():
        return Status.UNKNOWN
    found = _STATUS.get(said.strip().lower())
    if found is None:
        warnings.append(f'status "{said}" is not in the vocabulary; recorded as UNKNOWN')
        return Status.UNKNOWN
    return found
