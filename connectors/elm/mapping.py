"""ELM v3 specification envelope (see documents.py) -> RecordDraft, per spec/RECORD.md."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeAlias

from microcred_hub.sdk import (
    JSON,
    AssessmentType,
    FieldOfStudy,
    Identifier,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    RecordDraft,
    Skill,
    Workload,
    as_list,
    assessment_types,
    display_title,
    framework_level,
    identifiers,
    language_code,
    parse_date,
    parse_datetime,
    participation_forms,
    stated_eqf,
    workload,
)

from . import parts
from .nodes import (
    concept_label,
    first,
    node_id,
    nodes,
    note_texts,
    tail,
    text,
    texts,
    types,
    unique,
    web_url,
)

ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
# "mode of learning and assessment" concepts by code, for documents that omit the prefLabel
_MODE_LABELS = {
    "920fbb3cbe": "Online", "e92d221e4d": "Blended", "c_3a90b26d": "Hybrid",
    "9191af2ed9": "Presential", "729f3bed4b": "Workbased",
}  # fmt: skip
_NQF_LABEL = re.compile(r"(.+?)[\s:-]*(?:level|niveau|nivel|stufe|livello)\s*(\S+)\s*", re.I)


_Envelope: TypeAlias = (
    "tuple[str | None, JSONObject, JSONObject | None, JSONObject | None, JSONObject | None]"
)


def _envelope(data: JSONObject) -> _Envelope:
    """(local id, specification, claim, credential, opportunity) of a raw record's data."""
    spec = data.get("specification")
    if isinstance(spec, dict) and "type" not in data:
        local_id = data.get("localId")
        claim, credential, opportunity = (
            data.get(k) for k in ("claim", "credential", "opportunity")
        )
        return (
            local_id if isinstance(local_id, str) and local_id.strip() else None,  # blank: no id
            spec,
            claim if isinstance(claim, dict) else None,
            credential if isinstance(credential, dict) else None,
            opportunity if isinstance(opportunity, dict) else None,
        )
    return node_id(data), data, None, None, None  # a bare specification node


def _workload(spec: JSONObject, warnings: list[str], hours_per_ects: float) -> Workload | None:
    ects: JSON = None
    credits: JSON = None
    unit: str | None = None
    for point in nodes(spec.get("creditPoint")):
        framework = first(point.get("framework"))
        label = concept_label(framework)
        is_ects = node_id(framework) == ECTS_FRAMEWORK or bool(
            label and ("ects" in label.lower() or "european credit transfer" in label.lower())
        )
        if is_ects and ects is None:
            ects = first(point.get("point"))
        elif not is_ects and credits is None:
            credits, unit = first(point.get("point")), label or node_id(framework)
    duration = first(spec.get("volumeOfLearning"))
    try:
        return workload(
            warnings,
            ects=ects,
            duration=duration,
            credits=credits,
            credits_unit=unit,
            hours_per_ects=hours_per_ects,
        )
    except ValueError as exc:
        warnings.append(f"workload left empty: {exc}")
        return None


EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
_EQF_CONCEPT = "http://data.europa.eu/snb/eqf/"


def _is_eqf(concept: JSON) -> bool:
    """An EQF concept: its id is under the EQF vocabulary or it sits in the EQF scheme."""
    if (node_id(concept) or "").startswith(_EQF_CONCEPT):
        return True
    schemes = nodes(concept.get("inScheme")) if isinstance(concept, dict) else []
    return any(node_id(scheme) == EQF_SCHEME for scheme in schemes)


def _level(spec: JSONObject, warnings: list[str]) -> Level | None:
    """EQF and national level from ``eqfLevel``/``nqfLevel`` and ``educationLevel`` concepts.

    ``educationLevel`` may hold both kinds of concept; which is which follows the concept's
    vocabulary, never its position. A stated EQF level wins over the national table's.
    """
    education = as_list(spec.get("educationLevel"))
    eqf = first(spec.get("eqfLevel")) or next((c for c in education if _is_eqf(c)), None)
    nqf = first(spec.get("nqfLevel")) or next((c for c in education if not _is_eqf(c)), None)
    stated = None
    if eqf is not None:
        stated = stated_eqf(node_id(eqf) or concept_label(eqf) or eqf, warnings)
    # with a stated EQF level the national one is kept as information: a framework we have no
    # table for is then nothing to warn about
    national_warnings: list[str] = []
    national = _national_level(nqf, national_warnings) if nqf is not None else None
    if stated is None or national is None:
        warnings.extend(national_warnings if stated is None else ())
        return stated or national
    if national.eqf is not None and national.eqf != stated.eqf:
        warnings.append(
            f"stated EQF level {stated.eqf} differs from {national.framework} level "
            f"{national.framework_level} (EQF {national.eqf} by its table); stated EQF kept"
        )
    return Level(
        eqf=stated.eqf,
        framework=national.framework,
        framework_level=national.framework_level,
        derived=False,
    )


def _national_level(nqf: JSON, warnings: list[str]) -> Level | None:
    label = concept_label(nqf) or (nqf if isinstance(nqf, str) else None)
    match = _NQF_LABEL.fullmatch(label or "")
    if match is None:
        warnings.append(
            f"national level {label or node_id(nqf)!r} has no framework and level; left out"
        )
        return None
    return framework_level(match.group(1).strip(), match.group(2), warnings)


def _fields_of_study(spec: JSONObject) -> tuple[FieldOfStudy, ...]:
    found: dict[tuple[str, str], FieldOfStudy] = {}
    for concept in as_list(spec.get("thematicArea")) + as_list(spec.get("educationSubject")):
        uri = node_id(concept)
        if uri is None:
            continue
        in_scheme = node_id(first(concept.get("inScheme"))) if isinstance(concept, dict) else None
        # ISCED-F codes as published; other schemes named by their ConceptScheme URI
        scheme = "ISCED-F" if "/isced-f/" in uri else in_scheme or uri.rstrip("/").rsplit("/", 1)[0]
        field = FieldOfStudy(scheme=scheme, code=tail(uri), label=concept_label(concept))
        found.setdefault((field.scheme, field.code), field)
    return tuple(found.values())


def _outcomes_and_skills(spec: JSONObject) -> tuple[tuple[LangString, ...], tuple[Skill, ...]]:
    outcomes: list[LangString] = []
    skills: dict[str, Skill] = {}
    for outcome in as_list(spec.get("learningOutcome")):
        if not isinstance(outcome, dict) or not ({"id", "type", "title"} & set(outcome)):
            outcomes.extend(texts(outcome))  # a bare language map
            continue
        for key in ("title", "description", "definition"):
            outcomes.extend(texts(outcome.get(key)))
        for key in ("relatedESCOSkill", "relatedSkill"):
            for concept in as_list(outcome.get(key)):
                uri = node_id(concept)
                label = concept_label(concept) or uri
                if label is None:
                    continue
                framework = "ESCO" if uri and "/esco/" in uri else None
                if framework is None and uri and "/snb/dcf/" in uri:
                    framework = "DigComp"
                skills.setdefault(uri or label, Skill(label=label, uri=uri, framework=framework))
    outcomes.extend(note_texts(spec.get("learningOutcomeSummary")))
    return tuple(dict.fromkeys(outcomes)), tuple(skills.values())


def _languages(spec: JSONObject, warnings: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for concept in as_list(spec.get("language")):
        said = [s for s in (node_id(concept), concept_label(concept)) if s]
        code = next((c for s in said if (c := language_code(s))), None)
        if code is None:
            shown = said[0] if said else repr(concept)
            warnings.append(f'language "{shown}" is not an ISO 639-1 language; left out')
        else:
            found.append(code)
    return unique(found)


def _activities(spec: JSONObject, claim: JSONObject | None) -> list[JSONObject]:
    """Learning activity specifications this achievement is influenced by (spec and claim)."""
    found: list[JSONObject] = []
    for holder in (spec, claim):
        for activity in nodes(holder.get("influencedBy") if holder else None):
            specs = nodes(activity.get("specifiedBy"))
            found.extend(specs if specs else [activity])
    return found


def _assessments(spec: JSONObject, claim: JSONObject | None) -> tuple[list[JSONObject], list[JSON]]:
    """(assessment specifications, idVerification concepts) of the spec and the claim."""
    specs: list[JSONObject] = []
    checks: list[JSON] = []
    for holder in (spec, claim):
        for assessment in nodes(holder.get("provenBy") if holder else None):
            checks.extend(as_list(assessment.get("idVerification")))
            specs.extend(nodes(assessment.get("specifiedBy")) or [assessment])
    return specs, checks


def _participation(
    spec: JSONObject, claim: JSONObject | None, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    """From the specification's and its learning activities' mode, never the assessment's."""
    modes: list[JSON] = []
    for holder in [spec, *_activities(spec, claim)]:
        for concept in as_list(holder.get("mode")):
            if isinstance(concept, dict) and concept_label(concept) is None:
                code = tail(node_id(concept) or "")
                if code in _MODE_LABELS:
                    concept = {**concept, "prefLabel": {"en": _MODE_LABELS[code]}}
            modes.append(concept)
    return participation_forms(modes, warnings) if modes else ((), ())


def _assessment_types(
    specs: list[JSONObject], warnings: list[str]
) -> tuple[tuple[AssessmentType, ...], tuple[str, ...]]:
    # Labels go in as concepts so that "written, oral" is one original, not two.
    said = [concept_label(first(s.get("dcType"))) or text(s.get("title")) for s in specs]
    labels: list[JSON] = [{"prefLabel": {"en": label}} for label in unique(s for s in said if s)]
    return assessment_types(labels, warnings) if labels else ((), ())


def _date(value: JSON, what: str, warnings: list[str]) -> date | None:
    try:
        # ELM writes Brussels midnight as UTC: "2022-12-31T23:00:00Z" is 1 January
        return parse_date(first(value), european_midnight=True)
    except ValueError as exc:
        warnings.append(f"{what} left empty: {exc}")
        return None


def _datetime(value: JSON, what: str, warnings: list[str]) -> datetime | None:
    try:
        return parse_datetime(first(value))
    except ValueError as exc:
        warnings.append(f"{what} left empty: {exc}")
        return None


def _validity(
    spec: JSONObject, credential: JSONObject | None, warnings: list[str]
) -> tuple[date | None, date | None]:
    """The credential's validity, else the awarding opportunity's period."""
    start: date | None = None
    end: date | None = None
    if credential is not None:
        start = _date(
            credential.get("validFrom") or credential.get("issuanceDate"), "validFrom", warnings
        )
        end = _date(
            credential.get("validUntil") or credential.get("expirationDate"), "validUntil", warnings
        )
    for opportunity in nodes(spec.get("awardingOpportunity")):
        for period in nodes(opportunity.get("temporal")):
            start = start or _date(period.get("startDate"), "awarding period start", warnings)
            end = end or _date(period.get("endDate"), "awarding period end", warnings)
    return start, end


def _awarding_bodies(
    spec: JSONObject,
    claim: JSONObject | None,
    credential: JSONObject | None,
    opportunity: JSONObject | None,
    warnings: list[str],
) -> tuple[Organisation, ...]:
    """Who awards it: awarding opportunity/process bodies, the publisher or provider; failing
    those, the accredited organisation, then the credential's issuer."""
    candidates: list[JSON] = []
    for holder in (spec, claim):
        for key in ("awardingOpportunity", "awardedBy"):
            for process in nodes(holder.get(key) if holder else None):
                candidates.extend(as_list(process.get("awardingBody")))
    candidates.extend(as_list(spec.get("publisher")))
    if opportunity is not None:
        candidates.extend(as_list(opportunity.get("providedBy")))
    found = parts.organisations(candidates, warnings)
    if not found:
        accredited = [
            org
            for key in ("accreditation", "hasAccreditation")
            for accreditation in nodes(spec.get(key))
            for org in as_list(accreditation.get("organisation"))
        ]
        found = parts.organisations(accredited, warnings)
    if not found and credential is not None:
        found = parts.organisations(as_list(credential.get("issuer")), warnings)
    return found


def normalise_elm(data: JSONObject, *, hours_per_ects: float = 27.5) -> RecordDraft:
    """One ELM specification (an envelope from documents.envelopes, or a bare node) -> draft."""
    local_id, spec, claim, credential, opportunity = _envelope(data)
    if not types(spec) and "title" not in spec:
        raise InvalidRecordError(
            "not an ELM credential, learning opportunity or specification: no Learning"
            "AchievementSpecification, Qualification or LearningActivitySpecification found",
            local_id=local_id,
        )
    if local_id is None:
        raise InvalidRecordError("specification has no id", local_id=None)
    titles = texts(spec.get("title"), title=True) or (
        texts(claim.get("title"), title=True) if claim else ()
    )
    if not titles:
        raise InvalidRecordError("specification has no title", local_id=local_id)
    warnings: list[str] = []
    awarding = _awarding_bodies(spec, claim, credential, opportunity, warnings)
    countries = [org.country for org in awarding if org.country]
    assessment_specs, id_checks = _assessments(spec, claim)
    forms, forms_said = _participation(spec, claim, warnings)
    assessed, assessed_said = _assessment_types(assessment_specs, warnings)
    outcomes, skills = _outcomes_and_skills(spec)
    valid_from, valid_until = _validity(spec, credential, warnings)
    description = texts(spec.get("description")) or (
        texts(opportunity.get("description")) if opportunity else ()
    )
    return RecordDraft(
        local_id=local_id,
        title=display_title(titles),
        credential_type=parts.credential_type(spec, credential),
        url=web_url(spec.get("homepage"))
        or (web_url(opportunity.get("homepage")) if opportunity else None),
        titles=titles,
        description=description,
        issuer_country=unique(countries),
        awarding_bodies=awarding,
        learning_outcomes=outcomes,
        workload=_workload(spec, warnings, hours_per_ects),
        level=_level(spec, warnings),
        assessment_types=assessed,
        assessment_original=assessed_said,
        participation_forms=forms,
        participation_original=forms_said,
        quality_assurance=parts.quality_assurance(spec, warnings),
        prerequisites=note_texts(spec.get("entryRequirement")),
        supervision=parts.supervision_of(id_checks, warnings),
        stackability=parts.stackability(spec),
        languages=_languages(spec, warnings),
        fields_of_study=_fields_of_study(spec),
        skills=skills,
        status=parts.status(spec, warnings),
        valid_from=valid_from,
        valid_until=valid_until,
        updated_at=_datetime(spec.get("dateModified"), "dateModified", warnings),
        warnings=tuple(dict.fromkeys(warnings)),
        identifiers=_identifiers(spec, opportunity),
    )


def _identifiers(spec: JSONObject, opportunity: JSONObject | None) -> tuple[Identifier, ...]:
    """The specification's IRI, its sameAs, its Identifier nodes and its homepage."""
    pairs: list[tuple[str, object]] = [("uri", node_id(spec))]
    pairs += [("uri", node_id(item)) for item in as_list(spec.get("sameAs"))]
    for item in nodes(spec.get("identifier")):
        # an Identifier's scheme: its schemeId IRI when it has one (global), else its name
        scheme = node_id(item.get("schemeId")) or text(item.get("schemeName"))
        if scheme:
            pairs.append((scheme, first(item.get("notation"))))
    pairs += [("url", web_url(spec.get("homepage")))]
    if opportunity is not None:
        pairs += [("url", web_url(opportunity.get("homepage")))]
    return identifiers(pairs)
