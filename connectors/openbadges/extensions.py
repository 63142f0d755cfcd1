"""Reading the extension data Open Badges publishers add, Dutch educredentials first.

- Open Badges 2 extensions are objects under keys ``extensions:<Name>Extension`` (edubadges:
  ECTS, EQF, StudyLoad, Language, LearningOutcome, EducationProgramIdentifier,
  InstitutionCountry), read by the SDK's ``ob2_extension_value`` (by key name, never the
  ``@context`` URL, whose host varies).
- Open Badges 3 educredentials terms are plain Achievement keys (contexts/educredential.json):
  ``ECTS``, ``SBU``, ``timeInvestment``, ``participationType``, ``assessmentType``,
  ``supervisionType``, ``identityChecked``, ``educationProgramIdentifier``.
- Alignments whose target is the EQF, NLQF, ECTS or quality assurance feed level, workload and
  quality assurance (educredentials ``targetType: "ext:EQF"`` …); every other alignment is a skill.
"""

from __future__ import annotations

import re

from microcred_hub.sdk import JSON, JSONObject, as_list, clean_title, text_of

_EQF_URI = re.compile(r"https?://data\.europa\.eu/snb/eqf/(\d+)/?")
_TRAILING_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*$")

#: alignment kinds that are not skills, by their normalised targetType / targetFramework
_KIND_NAMES: dict[str, str] = {
    "eqf": "eqf",
    "european qualifications framework": "eqf",
    "nlqf": "nlqf",
    "nlqf level": "nlqf",
    "ects": "ects",
    "qualityassurance": "qa",
    "quality assurance": "qa",
}


def alignments(node: JSONObject) -> list[JSONObject]:
    return [a for a in as_list(node.get("alignment")) if isinstance(a, dict)]


def _kind_key(value: JSON) -> str:
    if not isinstance(value, str):
        return ""
    return value.strip().lower().removeprefix("ext:").replace("_", " ")


def alignment_kind(alignment: JSONObject) -> str:
    """ "eqf", "nlqf", "ects", "qa" or "skill"."""
    for key in ("targetType", "targetFramework"):
        kind = _KIND_NAMES.get(_kind_key(alignment.get(key)))
        if kind is not None:
            return kind
    url = alignment.get("targetUrl")
    if isinstance(url, str) and _EQF_URI.fullmatch(url.strip()):
        return "eqf"
    return "skill"


def alignment_value(alignment: JSONObject) -> JSON:
    """The level or number an EQF/NLQF/ECTS alignment states: targetCode, an EQF URI, or the
    number ending targetName ("EQF level 4")."""
    code = alignment.get("targetCode")
    if code is not None and not (isinstance(code, str) and not code.strip()):
        return code
    url = alignment.get("targetUrl")
    if isinstance(url, str) and (match := _EQF_URI.fullmatch(url.strip())):
        return match.group(1)
    name = text_of(alignment.get("targetName"))
    if name and (found := _TRAILING_NUMBER.search(name)):
        return found.group(1)
    return name


def first_of_kind(node: JSONObject, kind: str) -> JSONObject | None:
    return next((a for a in alignments(node) if alignment_kind(a) == kind), None)


def skill_framework(alignment: JSONObject) -> str | None:
    """targetFramework as given, else the framework its URI belongs to (ESCO, O*NET)."""
    framework = text_of(alignment.get("targetFramework"))
    if framework:
        return clean_title(framework)
    url = text_of(alignment.get("targetUrl")) or ""
    if "data.europa.eu/esco/" in url:
        return "ESCO"
    if "onetonline.org" in url or "onetcenter.org" in url:
        return "O*NET"
    return None
