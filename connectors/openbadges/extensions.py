"""Reading the extension data Open Badges publishers add, Dutch educredentials first.

- Open Badges 2 extensions are objects under keys ``extensions:<Name>Extension`` (edubadges:
  ECTS, EQF, StudyLoad, Language, LearningOutcome, EducationProgramIdentifier,
  InstitutionCountry). Matched on the key name, never the ``@context`` URL, whose host varies.
- Open Badges 3 educredentials terms are plain Achievement keys (contexts/educredential.json):
  ``ECTS``, ``SBU``, ``timeInvestment``, ``participationType``, ``assessmentType``,
  ``supervisionType``, ``identityChecked``, ``educationProgramIdentifier``.
- Alignments whose target is the EQF, NLQF, ECTS or quality assurance feed level, workload and
  quality assurance (educredentials ``targetType: "ext:EQF"`` …); every other alignment is a skill.
"""

from __future__ import annotations

import re

from microcred_hub.sdk import JSON, JSONObject, as_list, clean_text, clean_title

_EXTENSION_META = frozenset({"@context", "type", "@type", "id", "@id"})
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


def text(value: JSON) -> str | None:
    """A trimmed string, or None for blanks and non-strings ("null" counts as blank)."""
    if not isinstance(value, str):
        return None
    cleaned = clean_text(value)
    return cleaned if cleaned and cleaned.lower() != "null" else None


def extension(node: JSONObject, name: str) -> JSONObject | None:
    """The extension object whose key ends in ``name`` (``extensions:ECTSExtension`` …)."""
    for key, value in node.items():
        if key.rsplit(":", 1)[-1] == name and isinstance(value, dict):
            return value
    return None


def extension_value(node: JSONObject, name: str, inner: str) -> JSON:
    """The extension's ``inner`` value, else its only value that is not JSON-LD bookkeeping."""
    ext = extension(node, name)
    if ext is None:
        return None
    if inner in ext:
        return ext[inner]
    return next((v for k, v in ext.items() if k not in _EXTENSION_META), None)


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
    name = text(alignment.get("targetName"))
    if name and (found := _TRAILING_NUMBER.search(name)):
        return found.group(1)
    return name


def first_of_kind(node: JSONObject, kind: str) -> JSONObject | None:
    return next((a for a in alignments(node) if alignment_kind(a) == kind), None)


def skill_framework(alignment: JSONObject) -> str | None:
    """targetFramework as given, else the framework its URI belongs to (ESCO, O*NET)."""
    framework = text(alignment.get("targetFramework"))
    if framework:
        return clean_title(framework)
    url = text(alignment.get("targetUrl")) or ""
    if "data.europa.eu/esco/" in url:
        return "ESCO"
    if "onetonline.org" in url or "onetcenter.org" in url:
        return "O*NET"
    return None
