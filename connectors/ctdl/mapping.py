"""CTDL resource -> canonical record (spec/RECORD.md, "Credential Engine / CTDL"). Pure."""

from __future__ import annotations

import re
from datetime import date, datetime

from microcred_hub.sdk import (
    JSON,
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    Identifier,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Status,
    as_list,
    assessment_types,
    display_title,
    identifiers,
    lang_strings,
    language_codes,
    parse_date,
    parse_datetime,
    participation_forms,
)

from .graph import ORGANISATION_PROPERTIES, ctid_of, index_nodes, record_node, types_of
from .parts import (
    competencies,
    first_string,
    objects,
    organisations,
    read_workload,
    term,
    terms,
    text,
)

US_AUDIENCE_LEVEL = "US audience level"
_CREDENTIAL_TYPES: dict[str, CredentialType] = {
    "ceterms:MicroCredential": CredentialType.MICRO_CREDENTIAL,
    "ceterms:OpenBadge": CredentialType.BADGE,
    "ceterms:DigitalBadge": CredentialType.BADGE,
    "ceterms:Badge": CredentialType.BADGE,
    "ceterms:Certificate": CredentialType.CERTIFICATE,
    "ceterms:Certification": CredentialType.CERTIFICATE,
    "ceterms:LearningProgram": CredentialType.PROGRAMME,
    "ceterms:Course": CredentialType.COURSE,
    "ceterms:LearningOpportunityProfile": CredentialType.COURSE,
}
# lifeCycle:* (learning opportunities) and credentialStat:* (credentials), by the term's name.
_STATUS: dict[str, Status] = {
    "active": Status.ACTIVE,
    "ceased": Status.WITHDRAWN,
    "deprecated": Status.WITHDRAWN,
    "inactive": Status.WITHDRAWN,
}
_QUALITY_ASSURANCE: tuple[tuple[str, str], ...] = (
    ("ceterms:accreditedBy", "Accreditation"),
    ("ceterms:approvedBy", "Approval"),
    ("ceterms:recognizedBy", "Recognition"),
    ("ceterms:regulatedBy", "Regulation"),
)
_CIP_IN_URL = re.compile(r"[?&]cip=(\d{2}(?:\.\d{2,4})?)")
_CIP_CODE = re.compile(r"\d{2}(?:\.\d{2,4})?")


def normalise_resource(raw: RawRecord) -> RecordDraft:
    """Map one raw record (a CTDL graph whose first record node is the record)."""
    try:
        node, nodes = record_node(raw.data, raw.local_id)
    except ValueError as exc:
        raise InvalidRecordError(str(exc), local_id=raw.local_id) from None
    local_id = ctid_of(node)
    if local_id is None:
        raise InvalidRecordError(
            "no ceterms:ctid and no CTID at the end of @id; the register must publish one",
            local_id=raw.local_id,
        )
    titles = lang_strings(node.get("ceterms:name"), title=True)
    if not titles:
        raise InvalidRecordError("no ceterms:name (the record has no title)", local_id=local_id)
    warnings: list[str] = []
    index = index_nodes(nodes)
    bodies = _awarding_bodies(node, index, warnings)
    skills, outcomes = competencies(_competency_alignments(node), index)
    forms, forms_original = _participation(node, warnings)
    assessments, assessments_original = _assessment(node, warnings)
    return RecordDraft(
        local_id=local_id,
        title=display_title(titles),
        credential_type=_credential_type(node, warnings),
        url=first_string(node.get("ceterms:subjectWebpage")),
        titles=titles,
        description=lang_strings(node.get("ceterms:description")),
        issuer_country=tuple(dict.fromkeys(b.country for b in bodies if b.country)),
        awarding_bodies=tuple(bodies),
        learning_outcomes=tuple(dict.fromkeys(outcomes)),
        workload=read_workload(node, warnings),
        level=_level(node),
        assessment_types=assessments,
        assessment_original=assessments_original,
        participation_forms=forms,
        participation_original=forms_original,
        quality_assurance=_quality_assurance(node, index, warnings),
        prerequisites=_prerequisites(node),
        languages=_languages(node.get("ceterms:inLanguage"), warnings),
        fields_of_study=_fields_of_study(node, warnings),
        skills=tuple(skills),
        framework_listed=None,
        status=_status(node, warnings),
        valid_from=_date(node, "ceterms:dateEffective", warnings),
        valid_until=_date(node, "ceterms:expirationDate", warnings),
        updated_at=_updated_at(raw.data, warnings),
        warnings=tuple(dict.fromkeys(warnings)),
        identifiers=_identifiers(node, local_id),
    )


def _identifiers(node: JSONObject, ctid: str) -> tuple[Identifier, ...]:
    """The CTID, the resource IRI, ceterms:sameAs, ceterms:identifier values, the webpage."""
    pairs: list[tuple[str, object]] = [("ctid", ctid), ("uri", node.get("@id"))]
    pairs += [("uri", item) for item in as_list(node.get("ceterms:sameAs"))]
    for item in objects(node.get("ceterms:identifier")):
        scheme = first_string(item.get("ceterms:identifierType")) or text(
            item.get("ceterms:identifierTypeName")
        )
        if scheme:
            pairs.append((scheme, first_string(item.get("ceterms:identifierValueCode"))))
    pairs += [("url", item) for item in as_list(node.get("ceterms:subjectWebpage"))]
    return identifiers(pairs)


def _credential_type(node: JSONObject, warnings: list[str]) -> CredentialType:
    types = types_of(node)
    for name in types:
        if name in _CREDENTIAL_TYPES:
            return _CREDENTIAL_TYPES[name]
    said = ", ".join(types) or "no @type"
    warnings.append(f'CTDL type "{said}" has no canonical credential type; OTHER')
    return CredentialType.OTHER


def _awarding_bodies(
    node: JSONObject, index: dict[str, JSONObject], warnings: list[str]
) -> list[Organisation]:
    """ownedBy then offeredBy, each organisation once (by reference, then by id or name)."""
    references: list[JSON] = []
    for prop in ORGANISATION_PROPERTIES[:2]:
        for reference in as_list(node.get(prop)):
            if reference not in references:
                references.append(reference)
    found: dict[str, Organisation] = {}
    for org in organisations(references, index, "awarding body", warnings):
        found.setdefault(org.id or org.name, org)
    return list(found.values())


def _quality_assurance(
    node: JSONObject, index: dict[str, JSONObject], warnings: list[str]
) -> QualityAssurance | None:
    for prop, kind in _QUALITY_ASSURANCE:
        for org in organisations(node.get(prop), index, prop.removeprefix("ceterms:"), warnings):
            return QualityAssurance(name=kind, body=org.name, url=org.url)
    return None


def _competency_alignments(node: JSONObject) -> list[JSONObject]:
    """teaches / assesses / targetCompetency, and the competencies its requirements name."""
    found = [
        *objects(node.get("ceterms:teaches")),
        *objects(node.get("ceterms:assesses")),
        *objects(node.get("ceterms:targetCompetency")),
    ]
    for condition in objects(node.get("ceterms:requires")):
        found.extend(objects(condition.get("ceterms:targetCompetency")))
    return found


def _level(node: JSONObject) -> Level | None:
    """US audience levels have no EQF equivalent: kept as the framework level, eqf null."""
    found = list(dict.fromkeys(terms(node.get("ceterms:audienceLevelType"))))
    if not found:
        return None
    return Level(
        eqf=None, framework=US_AUDIENCE_LEVEL, framework_level=", ".join(found), derived=False
    )


def _participation(
    node: JSONObject, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    # How the learning is delivered; assessmentDeliveryType is about the exam, never read here.
    said = terms(node.get("ceterms:deliveryType")) + terms(node.get("ceterms:learningDeliveryType"))
    if not said:
        return (), ()
    return participation_forms(list(dict.fromkeys(said)), warnings)


def _assessment(
    node: JSONObject, warnings: list[str]
) -> tuple[tuple[AssessmentType, ...], tuple[str, ...]]:
    said = terms(node.get("ceterms:assessmentMethodType"))
    if not said:
        return (), ()
    return assessment_types(list(dict.fromkeys(said)), warnings)


def _status(node: JSONObject, warnings: list[str]) -> Status:
    for prop in ("ceterms:lifeCycleStatusType", "ceterms:credentialStatusType"):
        for alignment in objects(node.get(prop)):
            said = term(alignment)
            if said is None:
                continue
            status = _STATUS.get(said.rsplit(":", 1)[-1].strip().lower())
            if status is None:
                warnings.append(f'status "{said}" has no canonical equivalent; UNKNOWN')
                return Status.UNKNOWN
            return status
    return Status.UNKNOWN


def _prerequisites(node: JSONObject) -> tuple[LangString, ...]:
    found: list[LangString] = []
    for condition in objects(node.get("ceterms:entryCondition")):
        found.extend(lang_strings(condition.get("ceterms:condition")))
        found.extend(lang_strings(condition.get("ceterms:description")))
    return tuple(dict.fromkeys(found))


def _languages(value: JSON, warnings: list[str]) -> tuple[str, ...]:
    said = (item if isinstance(item, str) else text(item) for item in as_list(value))
    return language_codes(said, warnings)


def _cip_code(alignment: JSONObject) -> str | None:
    coded = first_string(alignment.get("ceterms:codedNotation"))
    if coded:
        return coded
    target = alignment.get("ceterms:targetNode")
    if isinstance(target, str):
        match = _CIP_IN_URL.search(target)
        if match is not None:
            return match.group(1)
        if _CIP_CODE.fullmatch(target.strip()):
            return target.strip()
    return None


def _fields_of_study(node: JSONObject, warnings: list[str]) -> tuple[FieldOfStudy, ...]:
    found: list[FieldOfStudy] = []
    for alignment in objects(node.get("ceterms:instructionalProgramType")):
        label = text(alignment.get("ceterms:targetNodeName"))
        code = _cip_code(alignment)
        if code is None:
            warnings.append(f"instructional program {label!r} has no code; left out")
            continue
        framework = " ".join(
            filter(
                None,
                [
                    text(alignment.get("ceterms:frameworkName")),
                    first_string(alignment.get("ceterms:framework")),
                ],
            )
        )
        is_cip = (
            not framework
            or "cip" in framework.lower()
            or "instructional program" in framework.lower()
        )
        scheme = "CIP" if is_cip else (text(alignment.get("ceterms:frameworkName")) or framework)
        field = FieldOfStudy(scheme=scheme, code=code, label=label)
        if field not in found:
            found.append(field)
    return tuple(found)


def _date(node: JSONObject, prop: str, warnings: list[str]) -> date | None:
    value = node.get(prop)
    try:
        return parse_date(value)
    except ValueError as exc:
        warnings.append(f"{prop} not read: {exc}")
        return None


def _updated_at(data: JSONObject, warnings: list[str]) -> datetime | None:
    envelope = data.get("envelope")
    if not isinstance(envelope, dict):
        return None
    try:
        return parse_datetime(envelope.get("updated_at"))
    except ValueError as exc:
        warnings.append(f"envelope updated_at not read: {exc}")
        return None
