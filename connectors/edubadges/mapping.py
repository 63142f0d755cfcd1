"""Pure mapping of one edubadges badge class (public detail + catalog row) to the record.

The detail is an Open Badges 2 BadgeClass with ``extensions:<Name>Extension`` objects and the
edubadges "micro" fields as top-level camelCase keys (RECORD.md, edubadges notes). Extensions
are found by their key name only: the ``@context`` URL inside them names whichever host
served the badge (api.edubadges.nl, acceptance, demo...), so it identifies nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred_hub.sdk import (
    EXTENSION_META,
    JSON,
    CredentialType,
    FieldOfStudy,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    QualityAssurance,
    RecordDraft,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
    as_list,
    assessment_types,
    clean_text,
    clean_title,
    country_code,
    flag,
    identifiers,
    isat_fields,
    language_code,
    ob2_extension,
    ob2_extension_value,
    parse_date,
    participation_forms,
    stated_eqf,
    supervision,
    text_of,
    workload,
)

if TYPE_CHECKING:
    from datetime import date

#: key the connector stores the catalog row under, and the key that reports a failed detail
CATALOG_KEY = "_catalog"
DETAIL_ERROR_KEY = "_detail_error"

#: alignments that state the level or workload rather than a skill
_NOT_SKILLS = frozenset({"EQF", "ECTS", "NLQF", "STUDYLOAD"})


def normalise_badge(data: JSONObject, *, local_id: str | None = None) -> RecordDraft:
    """Map one raw edubadges record; raise InvalidRecordError when it cannot be a record."""
    catalog = _obj(data.get(CATALOG_KEY))
    error = _text(data.get(DETAIL_ERROR_KEY))
    entity_id = _entity_id(data, catalog) or local_id
    if error is not None:
        raise InvalidRecordError(error, local_id=entity_id)
    if entity_id is None:
        raise InvalidRecordError("badge class has no entityId and no id URL", local_id=None)
    name = data.get("name")
    if not isinstance(name, str) or not clean_title(name):
        found = "no name" if name is None else f"a name of JSON type {type(name).__name__}"
        raise InvalidRecordError(f"BadgeClass has {found}; a title is required", local_id=entity_id)

    warnings: list[str] = []
    lang = _language(data, warnings)
    title = clean_title(name)
    bodies, countries = _awarding_bodies(data, catalog, warnings)
    forms, forms_original = participation_forms(_micro(data, "participation"), warnings)
    kinds, kinds_original = assessment_types(_micro(data, "assessmentType"), warnings)
    return RecordDraft(
        local_id=entity_id,
        title=title,
        credential_type=_credential_type(data, catalog),
        url=_public_url(data),
        titles=(LangString(value=title, lang=lang),),
        description=_lang_text(data.get("description"), lang),
        issuer_country=countries,
        awarding_bodies=bodies,
        learning_outcomes=_lang_text(
            ob2_extension_value(data, "LearningOutcomeExtension", "LearningOutcome"), lang
        ),
        workload=_workload(data, warnings),
        level=_level(data, warnings),
        assessment_types=kinds,
        assessment_original=kinds_original,
        participation_forms=forms,
        participation_original=forms_original,
        quality_assurance=_quality_assurance(data),
        supervision=_supervision(data, warnings),
        stackability=_stackability(data, warnings),
        languages=(lang,) if lang else (),
        fields_of_study=_fields_of_study(data, warnings),
        skills=_skills(data),
        framework_listed=None,  # edubadges is a badge platform, not an NQF listing
        status=_status(data, catalog),
        valid_from=_created(data, catalog, warnings),
        warnings=tuple(warnings),
        identifiers=identifiers(
            [
                ("uri", _text(data.get("id"))),
                *(
                    ("uri", item.get("id") if isinstance(item, dict) else item)
                    for item in as_list(data.get("related"))
                ),
                ("url", _public_url(data)),
            ]
        ),
    )


# --- small readers -------------------------------------------------------------------------


def _obj(value: JSON) -> JSONObject:
    return value if isinstance(value, dict) else {}


def _text(value: JSON) -> str | None:
    """A non-empty string; numbers as their text; the catalog's literal "null" is absent."""
    return text_of(value, numbers=True)


def _micro(data: JSONObject, camel: str) -> JSON:
    """A micro field, camelCase as the public API sends it, snake_case as the mobile API does."""
    value = data.get(camel)
    if value is None:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
        value = data.get(snake)
    return value


def _lang_text(value: JSON, lang: str | None) -> tuple[LangString, ...]:
    if not isinstance(value, str) or not clean_text(value):
        return ()
    return (LangString(value=clean_text(value), lang=lang),)


def _alignments(data: JSONObject) -> list[JSONObject]:
    found = data.get("alignment")
    if found is None:
        found = data.get("alignments")
    return [a for a in as_list(found) if isinstance(a, dict)]


def _align(alignment: JSONObject, camel: str) -> str | None:
    return _text(_micro(alignment, camel))


def _alignment_code(data: JSONObject, framework: str) -> str | None:
    """targetCode of the alignment for EQF/ECTS (the mobile API states them that way)."""
    for alignment in _alignments(data):
        label = _align(alignment, "targetFramework") or _align(alignment, "targetName") or ""
        if label.upper() == framework:
            return _align(alignment, "targetCode")
    return None


# --- fields --------------------------------------------------------------------------------


def _entity_id(data: JSONObject, catalog: JSONObject) -> str | None:
    for value in (catalog.get("entityId"), data.get("entityId"), data.get("entity_id")):
        if (text := _text(value)) is not None:
            return text
    badge_id = _text(data.get("id"))
    if badge_id is not None and "/" in badge_id:
        return badge_id.rstrip("/").rsplit("/", 1)[-1] or None
    return None


def _public_url(data: JSONObject) -> str | None:
    badge_id = _text(data.get("id"))
    return badge_id if badge_id and badge_id.startswith(("https://", "http://")) else None


def _language(data: JSONObject, warnings: list[str]) -> str | None:
    raw = _text(ob2_extension_value(data, "LanguageExtension", "Language"))
    if raw is None:
        return None
    code = language_code(raw)
    if code is None:
        warnings.append(f"language {raw!r} not recognised; languages left empty")
    return code


def _credential_type(data: JSONObject, catalog: JSONObject) -> CredentialType:
    kind = _text(_micro(data, "typeBadgeClass")) or _text(data.get("badge_class_type"))
    kind = kind or _text(catalog.get("typeBadgeClass"))
    if kind == "micro_credential":
        return CredentialType.MICRO_CREDENTIAL
    return CredentialType.BADGE


def _awarding_bodies(
    data: JSONObject, catalog: JSONObject, warnings: list[str]
) -> tuple[tuple[Organisation, ...], tuple[str, ...]]:
    """The institution first (the legal awarding body), then the issuing unit if it differs."""
    raw_issuer = data.get("issuer")
    issuer = _obj(raw_issuer)
    country = _issuer_country(issuer, warnings)
    institution = _text(
        ob2_extension_value(issuer, "InstitutionNameExtension", "InstitutionName")
    ) or _catalog_name(catalog, "ins")
    institution_id = _text(
        ob2_extension_value(issuer, "InstitutionIdentifierExtension", "InstitutionIdentifier")
    )
    unit = (
        _text(issuer.get("name"))
        or _text(issuer.get("name_english"))
        or _text(issuer.get("name_dutch"))
        or _catalog_name(catalog, "i")
    )
    unit_id = _text(issuer.get("id")) or _text(raw_issuer)
    unit_url = _text(issuer.get("url"))
    bodies: list[Organisation] = []
    if institution:
        same = unit is not None and _same_name(unit, institution)
        bodies.append(
            Organisation(
                name=clean_title(institution),
                id=institution_id or (unit_id if same else None),
                url=unit_url if same else None,
                country=country,
            )
        )
        if same:
            unit = None
    if unit:
        bodies.append(
            Organisation(name=clean_title(unit), id=unit_id, url=unit_url, country=country)
        )
    return tuple(bodies), (country,) if country else ()


def _same_name(a: str, b: str) -> bool:
    return clean_title(a).casefold() == clean_title(b).casefold()


def _catalog_name(catalog: JSONObject, prefix: str) -> str | None:
    english = _text(catalog.get(f"{prefix}_name_english"))
    return english or _text(catalog.get(f"{prefix}_name_dutch"))


def _issuer_country(issuer: JSONObject, warnings: list[str]) -> str | None:
    ext = ob2_extension(issuer, "InstitutionCountryExtension")
    # the inner key has been spelt differently over time: take the first string it carries
    raw = next(
        (
            _text(v)
            for k, v in (ext or {}).items()
            if k not in EXTENSION_META and isinstance(v, str) and _text(v)
        ),
        None,
    )
    return country_code(raw, warnings) if raw else None


def _workload(data: JSONObject, warnings: list[str]) -> Workload | None:
    ects = ob2_extension_value(data, "ECTSExtension", "ECTS")
    if ects is None:
        ects = _alignment_code(data, "ECTS")
    hours = ob2_extension_value(data, "StudyLoadExtension", "StudyLoad")
    try:
        return workload(warnings, ects=ects, hours=hours)
    except ValueError:
        warnings.append(f"workload not a number (ECTS {ects!r}, StudyLoad {hours!r}); left empty")
        return None


def _level(data: JSONObject, warnings: list[str]) -> Level | None:
    eqf = ob2_extension_value(data, "EQFExtension", "EQF")
    if eqf is None:
        eqf = _alignment_code(data, "EQF")
    try:
        return stated_eqf(eqf, warnings)
    except ValueError:
        warnings.append(f"EQF level {eqf!r} is not a number; level left empty")
        return None


def _quality_assurance(data: JSONObject) -> QualityAssurance | None:
    name = _text(_micro(data, "qualityAssuranceName"))
    url = _text(_micro(data, "qualityAssuranceUrl"))
    description = _micro(data, "qualityAssuranceDescription")
    text = clean_text(description) if isinstance(description, str) else None
    text = text if text and text.lower() != "null" else None
    if name is None and url is None and text is None:
        return None
    return QualityAssurance(name=name, url=url, description=text)


def _supervision(data: JSONObject, warnings: list[str]) -> Supervision | None:
    supervised = _micro(data, "assessmentSupervised")
    verified = _micro(data, "assessmentIdVerified")
    try:
        return supervision(supervised, verified)
    except ValueError:
        warnings.append(
            f"supervision ({supervised!r}, id verified {verified!r}) not booleans; left empty"
        )
        return None


def _stackability(data: JSONObject, warnings: list[str]) -> Stackability | None:
    stackable = flag(_micro(data, "stackable"), "stackable", warnings)
    if stackable is None:
        return None
    return Stackability.STACKABLE if stackable else Stackability.STANDALONE


def _fields_of_study(data: JSONObject, warnings: list[str]) -> tuple[FieldOfStudy, ...]:
    """EducationProgramIdentifier: ISAT (CROHO/CREBO) programme codes, as given."""
    value = ob2_extension_value(
        data, "EducationProgramIdentifierExtension", "EducationProgramIdentifier"
    )
    return isat_fields(value, "EducationProgramIdentifier", warnings)


def _skills(data: JSONObject) -> tuple[Skill, ...]:
    skills: list[Skill] = []
    for alignment in _alignments(data):
        name = _align(alignment, "targetName")
        framework = _align(alignment, "targetFramework")
        if (framework or name or "").upper() in _NOT_SKILLS:
            continue
        uri = _align(alignment, "targetUrl")
        label = name or _align(alignment, "targetCode")
        if label is None:
            continue
        if framework is None and uri and "data.europa.eu/esco/" in uri:
            framework = "ESCO"
        skills.append(Skill(label=clean_title(label), uri=uri, framework=framework))
    return tuple(skills)


def _status(data: JSONObject, catalog: JSONObject) -> Status:
    archived = data.get("archived", catalog.get("archived"))
    ignored: list[str] = []
    if flag(archived, "archived", ignored):
        return Status.WITHDRAWN
    # a badge class the catalog lists and that is not archived is open for awarding
    return Status.ACTIVE if catalog else Status.UNKNOWN


def _created(data: JSONObject, catalog: JSONObject, warnings: list[str]) -> date | None:
    raw = catalog.get("createdAt") or data.get("createdAt") or data.get("created_at")
    try:
        return parse_date(raw)
    except ValueError:
        warnings.append(f"createdAt {raw!r} is not a date; validFrom left empty")
        return None
