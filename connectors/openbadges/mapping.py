"""Open Badges BadgeClass / Achievement -> canonical record (spec/RECORD.md, Open Badges notes)."""

from __future__ import annotations

from microcred_hub.sdk import (
    JSON,
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    Identifier,
    InvalidRecordError,
    JSONObject,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
    as_list,
    assessment_types,
    clean_title,
    country_code,
    display_title,
    flag,
    framework_level,
    identifiers,
    isat_fields,
    lang_strings,
    language_codes,
    ob2_extension_value,
    participation_forms,
    stated_eqf,
    supervision,
    text_of,
    workload,
)

from .documents import Located, locate
from .extensions import (
    alignment_kind,
    alignment_value,
    alignments,
    first_of_kind,
    skill_framework,
)

# OB3 AchievementType vocabulary -> canonical; "Achievement" is the vocabulary's generic value.
_ACHIEVEMENT_TYPES: dict[str, CredentialType] = {
    "microcredential": CredentialType.MICRO_CREDENTIAL,
    "certificate": CredentialType.CERTIFICATE,
    "certificateofcompletion": CredentialType.CERTIFICATE,
    "certification": CredentialType.CERTIFICATE,
    "course": CredentialType.COURSE,
    "learningprogram": CredentialType.PROGRAMME,
    "badge": CredentialType.BADGE,
    "achievement": CredentialType.BADGE,
}
# educredentials supervisionType -> (supervised, identity verified); None = not said by the text
_SUPERVISION_TYPES: dict[str, tuple[bool, bool | None]] = {
    "unsupervised with no identity verification": (False, False),
    "supervised with no identity verification": (True, False),
    "supervised online": (True, None),
    "onsite with identity verification": (True, True),
}


def normalise_document(raw: RawRecord) -> RecordDraft:
    """The pure mapping behind ``OpenBadgesConnector.normalise``."""
    found = locate(raw.data)
    if isinstance(found, str):
        raise InvalidRecordError(found, local_id=raw.local_id)
    node = found.node
    local_id = text_of(node.get("id"))
    if local_id is None:
        raise InvalidRecordError("badge class / achievement has no id; it cannot be tracked")
    warnings: list[str] = []
    languages = _languages(node, warnings)
    lang = languages[0] if len(languages) == 1 else None
    titles = lang_strings(node.get("name"), default_lang=lang, title=True)
    if not titles:
        raise InvalidRecordError("badge class / achievement has no name", local_id=local_id)
    bodies = _awarding_bodies(found, warnings)
    forms, forms_original = _participation(node, warnings)
    kinds, kinds_original = _assessment(node, warnings)
    return RecordDraft(
        local_id=local_id,
        title=display_title(titles),
        credential_type=_credential_type(found, warnings),
        url=_url(node),
        titles=titles,
        description=lang_strings(node.get("description"), default_lang=lang),
        issuer_country=tuple(dict.fromkeys(b.country for b in bodies if b.country)),
        awarding_bodies=bodies,
        learning_outcomes=lang_strings(
            ob2_extension_value(node, "LearningOutcomeExtension", "LearningOutcome"),
            default_lang=lang,
        ),
        workload=_workload(node, warnings),
        level=_level(node, warnings),
        assessment_types=kinds,
        assessment_original=kinds_original,
        participation_forms=forms,
        participation_original=forms_original,
        quality_assurance=_quality_assurance(node),
        supervision=_supervision(node, warnings),
        stackability=_stackability(node, warnings),
        languages=languages,
        fields_of_study=_fields_of_study(node, warnings),
        skills=_skills(node),
        status=Status.UNKNOWN,  # a badge class publishes no listing status or period
        warnings=tuple(warnings),
        identifiers=badge_identifiers(node),
    )


def badge_identifiers(node: JSONObject) -> tuple[Identifier, ...]:
    """The badge class / achievement id, its related ids, otherIdentifier, criteria page."""
    pairs: list[tuple[str, object]] = [("uri", text_of(node.get("id")))]
    for item in as_list(node.get("related")):
        pairs.append(("uri", item.get("id") if isinstance(item, dict) else item))
    pairs += [("uri", item) for item in as_list(node.get("sameAs"))]
    for item in as_list(node.get("otherIdentifier")):
        if isinstance(item, dict) and (scheme := text_of(item.get("identifierType"))):
            pairs.append((scheme, text_of(item.get("identifier"))))
    pairs.append(("url", _url(node)))
    return identifiers(pairs)


def _credential_type(found: Located, warnings: list[str]) -> CredentialType:
    node = found.node
    # edubadges' own marker wins: only its micro_credential badge classes are micro-credentials
    edubadges_type = text_of(node.get("typeBadgeClass"))
    if edubadges_type is not None:
        if edubadges_type.lower() == "micro_credential":
            return CredentialType.MICRO_CREDENTIAL
        return CredentialType.BADGE
    if found.version == 2:
        return CredentialType.BADGE
    stated = text_of(node.get("achievementType"))
    if stated is None:
        return CredentialType.BADGE
    mapped = _ACHIEVEMENT_TYPES.get(stated.removeprefix("ext:").lower())
    if mapped is None:
        warnings.append(f'achievementType "{stated}" has no canonical credential type; OTHER')
        return CredentialType.OTHER
    return mapped


def _url(node: JSONObject) -> str | None:
    criteria = node.get("criteria")
    for candidate in (criteria.get("id") if isinstance(criteria, dict) else None, node.get("id")):
        value = text_of(candidate)
        if value and value.startswith(("https://", "http://")):
            return value
    return None


def _languages(node: JSONObject, warnings: list[str]) -> tuple[str, ...]:
    stated = [
        *as_list(node.get("inLanguage")),
        *as_list(ob2_extension_value(node, "LanguageExtension", "Language")),
        node.get("@language"),
    ]
    return language_codes((text_of(item) for item in stated), warnings)


def _profile(found: Located) -> JSON:
    """The awarding body: the achievement's creator, its issuer, else the credential's issuer."""
    for holder, key in ((found.node, "creator"), (found.node, "issuer")):
        if holder.get(key) is not None:
            return holder[key]
    envelope = found.envelope or {}
    return envelope.get("issuer")


def _awarding_bodies(found: Located, warnings: list[str]) -> tuple[Organisation, ...]:
    profile = _profile(found)
    if isinstance(profile, str):
        warnings.append(f"issuer profile {profile} could not be read; awarding body left out")
        return ()
    if not isinstance(profile, dict):
        return ()
    names = lang_strings(profile.get("name"), title=True)
    if not names:
        warnings.append("issuer profile has no name; awarding body left out")
        return ()
    url = text_of(profile.get("url"))
    return (
        Organisation(
            name=display_title(names),
            id=text_of(profile.get("id")),
            url=url,
            country=_country(profile, warnings),
        ),
    )


def _country(profile: JSONObject, warnings: list[str]) -> str | None:
    address = profile.get("address")
    address = address if isinstance(address, dict) else {}
    candidates = [
        text_of(address.get("addressCountryCode")),
        text_of(address.get("addressCountry")),
        text_of(ob2_extension_value(profile, "InstitutionCountryExtension", "InstitutionCountry")),
    ]
    first_failure: list[str] = []
    for candidate in candidates:
        if candidate is None:
            continue
        said: list[str] = []
        code = country_code(candidate, said)
        if code is not None:
            warnings.extend(said)  # e.g. edubadges "EN" read as GB
            return code
        first_failure = first_failure or said
    # one warning is enough: the code and the name of one address say the same thing
    warnings.extend(first_failure)
    return None


def _workload(node: JSONObject, warnings: list[str]) -> Workload | None:
    ects: JSON = node.get("ECTS")
    if ects is None:
        ects = ob2_extension_value(node, "ECTSExtension", "ECTS")
    if ects is None and (aligned := first_of_kind(node, "ects")) is not None:
        ects = alignment_value(aligned)
    hours, hours_unit = node.get("SBU"), "SBU"
    if hours is None:
        hours, hours_unit = node.get("timeInvestment"), "hours"
    if hours is None:
        hours = ob2_extension_value(node, "StudyLoadExtension", "StudyLoad")
    credits = node.get("creditsAvailable")
    try:
        return workload(warnings, ects=ects, hours=hours, credits=credits, hours_unit=hours_unit)
    except ValueError as exc:
        warnings.append(
            f"workload not a number (ECTS {ects!r}, hours {hours!r}, creditsAvailable "
            f"{credits!r}: {exc}); left empty"
        )
        return None


def _level(node: JSONObject, warnings: list[str]) -> Level | None:
    eqf: JSON = ob2_extension_value(node, "EQFExtension", "EQF")
    if eqf is None and (aligned := first_of_kind(node, "eqf")) is not None:
        eqf = alignment_value(aligned)
    if eqf is not None:
        return stated_eqf(eqf, warnings)
    nlqf = first_of_kind(node, "nlqf")
    if nlqf is not None:
        return framework_level("NLQF", alignment_value(nlqf), warnings)
    return None  # Open Badges has no level of its own: null, not a guess


def _quality_assurance(node: JSONObject) -> QualityAssurance | None:
    aligned = first_of_kind(node, "qa")
    if aligned is not None:
        name = text_of(aligned.get("targetName"))
        return QualityAssurance(
            name=clean_title(name) if name else None,
            url=text_of(aligned.get("targetUrl")),
            description=text_of(aligned.get("targetDescription")),
        )
    # edubadges detail documents carry it as top-level fields
    name, url = text_of(node.get("qualityAssuranceName")), text_of(node.get("qualityAssuranceUrl"))
    description = text_of(node.get("qualityAssuranceDescription"))
    if name is None and url is None and description is None:
        return None
    return QualityAssurance(name=name, url=url, description=description)


def _participation(
    node: JSONObject, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    value = node.get("participationType", node.get("participation"))
    return participation_forms(value, warnings) if value is not None else ((), ())


def _assessment(
    node: JSONObject, warnings: list[str]
) -> tuple[tuple[AssessmentType, ...], tuple[str, ...]]:
    value = node.get("assessmentType")
    return assessment_types(value, warnings) if value is not None else ((), ())


def _supervision(node: JSONObject, warnings: list[str]) -> Supervision | None:
    supervised = flag(node.get("assessmentSupervised"), "assessmentSupervised", warnings)
    verified = flag(
        node.get("identityChecked", node.get("assessmentIdVerified")), "identityChecked", warnings
    )
    stated = text_of(node.get("supervisionType"))
    if stated is not None:
        pair = _SUPERVISION_TYPES.get(stated.lower())
        if pair is None:
            warnings.append(f'supervisionType "{stated}" is not a known supervision; kept as OTHER')
            return Supervision.OTHER
        supervised = pair[0]
        verified = verified if verified is not None else pair[1]
    if supervised is None and verified is None:
        return None
    return supervision(supervised, verified)


def _stackability(node: JSONObject, warnings: list[str]) -> Stackability | None:
    stackable = flag(node.get("stackable"), "stackable", warnings)
    if stackable is None:
        return None
    return Stackability.STACKABLE if stackable else Stackability.STANDALONE


def _fields_of_study(node: JSONObject, warnings: list[str]) -> tuple[FieldOfStudy, ...]:
    """Dutch education programme identifiers (ISAT: CROHO/CREBO codes), as given."""
    value = node.get("educationProgramIdentifier")
    if value is None:
        value = ob2_extension_value(
            node, "EducationProgramIdentifierExtension", "EducationProgramIdentifier"
        )
    return isat_fields(value, "educationProgramIdentifier", warnings)


def _skills(node: JSONObject) -> tuple[Skill, ...]:
    skills: list[Skill] = []
    for aligned in alignments(node):
        if alignment_kind(aligned) != "skill":
            continue
        label = text_of(aligned.get("targetName")) or text_of(aligned.get("targetCode"))
        if label is None:
            continue
        skill = Skill(
            label=clean_title(label),
            uri=text_of(aligned.get("targetUrl")),
            framework=skill_framework(aligned),
        )
        if skill not in skills:
            skills.append(skill)
    return tuple(skills)
