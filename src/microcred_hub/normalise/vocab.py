"""Controlled vocabularies: participation, assessment, supervision (RECORD.md)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from microcred_hub.normalise._fold import compact_key
from microcred_hub.normalise.values import to_bool
from microcred_hub.record import AssessmentType, ParticipationForm, Supervision

if TYPE_CHECKING:
    from collections.abc import Callable

    from microcred_hub.contract import JSON

_E = TypeVar("_E", ParticipationForm, AssessmentType)

# Keys are compact_key() forms: "On-site", "on_site" and "onsite" are one key.
_PARTICIPATION: dict[str, ParticipationForm] = {
    **dict.fromkeys(
        ("online", "onlineonly", "fullyonline", "distance", "distancelearning", "elearning"),
        ParticipationForm.ONLINE,
    ),
    **dict.fromkeys(
        ("onsite", "inperson", "facetoface", "oncampus", "onlocation", "classroom", "presential"),
        ParticipationForm.ONSITE,
    ),
    **dict.fromkeys(
        ("blended", "onsiteorblended", "blendeddelivery", "blendedlearning", "hybrid"),
        ParticipationForm.BLENDED,
    ),
    **dict.fromkeys(
        (
            "workexperience",
            "workbased",
            "workbasedlearning",
            "workplace",
            "workplacelearning",
            "onthejob",
        ),
        ParticipationForm.WORK_BASED,
    ),
    **dict.fromkeys(("volunteering", "volunteer", "volunteerwork"), ParticipationForm.VOLUNTEERING),
    # ELM "mode of learning and assessment" concepts, which are opaque codes at data.europa.eu/snb
    "920fbb3cbe": ParticipationForm.ONLINE,
    "e92d221e4d": ParticipationForm.BLENDED,
}
_ASSESSMENT: dict[str, AssessmentType] = {
    **dict.fromkeys(
        ("testing", "test", "exam", "examination", "writtenexam", "oralexam", "oramexam"),
        AssessmentType.TESTING,
    ),
    **dict.fromkeys(
        (
            "applicationofaskill",
            "applicationofskill",
            "applicationofskills",
            "professionalproduct",
            "behaviouralassessment",
            "behavioralassessment",
            "personalizedassessment",
            "personalisedassessment",
            "reportpaper",
        ),
        AssessmentType.APPLICATION_OF_SKILL,
    ),
    **dict.fromkeys(
        ("portfolio", "portfolioassessment", "developmentreport"), AssessmentType.PORTFOLIO
    ),
    **dict.fromkeys(
        ("recognitionofpriorlearning", "rpl"), AssessmentType.RECOGNITION_OF_PRIOR_LEARNING
    ),
}
_SEPARATORS = re.compile(r"[,;]")
_SEGMENT = re.compile(r"[/:#]")


def _strings(value: JSON, out: list[tuple[str, str | None]]) -> None:
    """Flatten to (value as published, label to fall back on) pairs."""
    if isinstance(value, str):
        out.extend((part.strip(), None) for part in _SEPARATORS.split(value) if part.strip())
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)
    elif isinstance(value, dict):
        # A SKOS Concept (ELM) or CTDL CredentialAlignmentObject: its id, else its label.
        ident = value.get("id", value.get("@id", value.get("ceterms:targetNode")))
        label = value.get("prefLabel", value.get("ceterms:targetNodeName"))
        if isinstance(label, dict):
            label = label.get("en", next(iter(label.values()), None))
        if isinstance(label, list):
            label = label[0] if label else None
        label_text = label.strip() if isinstance(label, str) and label.strip() else None
        if isinstance(ident, str) and ident.strip():
            out.append((ident.strip(), label_text))
        elif label_text is not None:
            out.append((label_text, None))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out.append((str(value), None))


def _key(text: str) -> str:
    # URIs and CTDL prefixed names ("deliveryType:OnlineOnly") are known by their last segment;
    # a trailing "#x" fragment counts as a segment too.
    return compact_key(_SEGMENT.split(text.rstrip("/"))[-1])


@lru_cache(maxsize=4096)
def _participation(text: str) -> ParticipationForm | None:
    return _PARTICIPATION.get(_key(text))


@lru_cache(maxsize=4096)
def _assessment(text: str) -> AssessmentType | None:
    return _ASSESSMENT.get(_key(text))


def _map(
    value: JSON,
    warnings: list[str],
    lookup: Callable[[str], _E | None],
    other: _E,
    what: str,
) -> tuple[tuple[_E, ...], tuple[str, ...]]:
    pairs: list[tuple[str, str | None]] = []
    _strings(value, pairs)
    found: dict[_E, None] = {}  # dict keeps first-seen order without duplicates
    originals: dict[str, None] = {}
    for text, label in pairs:
        originals[text] = None
        canonical = lookup(text)
        if canonical is None and label is not None:
            canonical = lookup(label)
        if canonical is None:
            warnings.append(f'{what} "{text}" is not in the vocabulary; recorded as OTHER')
            canonical = other
        found[canonical] = None
    return tuple(found), tuple(originals)


def participation_forms(
    value: JSON, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    """Strings (comma-separated or lists) -> (forms, originals).

    Forms come without duplicates in first-seen order.

    online/Online -> ONLINE; onsite/On-site/in person/InPerson -> ONSITE; blended,
    "onsite or blended", BlendedDelivery -> BLENDED; work_experience/"work experience"/Workplace
    -> WORK_BASED; volunteering -> VOLUNTEERING; CTDL "deliveryType:OnlineOnly" etc. and ELM
    mode URIs (http://data.europa.eu/snb/learning-setting/... / mode-of-learning/...) by their
    last segment. Unknown -> OTHER + warning quoting the value.
    A Concept object ({"id": ..., "prefLabel": {"en": "Online"}}) is read by its id, else its label.
    """
    return _map(value, warnings, _participation, ParticipationForm.OTHER, "participation form")


def assessment_types(
    value: JSON, warnings: list[str]
) -> tuple[tuple[AssessmentType, ...], tuple[str, ...]]:
    """Like participation_forms with the assessment table of RECORD.md (oram_exam is TESTING)."""
    return _map(value, warnings, _assessment, AssessmentType.OTHER, "assessment type")


_SUPERVISION = {
    (False, False): Supervision.UNSUPERVISED_NO_ID_CHECK,
    (True, False): Supervision.SUPERVISED_NO_ID_CHECK,
    (True, True): Supervision.SUPERVISED_WITH_ID_CHECK,
    # identity checked without supervision is not one of the Annex I combinations
    (False, True): Supervision.OTHER,
}


def supervision(supervised: JSON, id_verified: JSON) -> Supervision | None:
    """(0,0) UNSUPERVISED_NO_ID_CHECK, (1,0) SUPERVISED_NO_ID_CHECK, (1,1)
    SUPERVISED_WITH_ID_CHECK, (0,1) OTHER; booleans as 0/1, "0"/"1", true/false, "true"/"false".
    Both None -> None; one None counts as false. Anything else -> ValueError.
    """
    is_supervised, is_verified = to_bool(supervised), to_bool(id_verified)
    if is_supervised is None and is_verified is None:
        return None
    return _SUPERVISION[(bool(is_supervised), bool(is_verified))]
