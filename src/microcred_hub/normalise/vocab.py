"""Controlled vocabularies: participation, assessment, supervision (RECORD.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.record import AssessmentType, ParticipationForm, Supervision
    from microcred_hub.sdk import JSON


def participation_forms(
    value: JSON, warnings: list[str]
) -> tuple[tuple[ParticipationForm, ...], tuple[str, ...]]:
    """Strings (comma-separated or lists) -> (forms without duplicates in first-seen order, originals).

    online/Online -> ONLINE; onsite/On-site/in person/InPerson -> ONSITE; blended,
    "onsite or blended", BlendedDelivery -> BLENDED; work_experience/"work experience"/Workplace
    -> WORK_BASED; volunteering -> VOLUNTEERING; CTDL "deliveryType:OnlineOnly" etc. and ELM
    mode URIs (http://data.europa.eu/snb/learning-setting/... / mode-of-learning/...) by their
    last segment. Unknown -> OTHER + warning quoting the value.
    """
    raise NotImplementedError


def assessment_types(
    value: JSON, warnings: list[str]
) -> tuple[tuple[AssessmentType, ...], tuple[str, ...]]:
    """Like participation_forms with the assessment table of RECORD.md (oram_exam is TESTING)."""
    raise NotImplementedError


def supervision(supervised: JSON, id_verified: JSON) -> Supervision | None:
    """(0,0) UNSUPERVISED_NO_ID_CHECK, (1,0) SUPERVISED_NO_ID_CHECK, (1,1)
    SUPERVISED_WITH_ID_CHECK, (0,1) OTHER; booleans as 0/1, "0"/"1", true/false, "true"/"false".
    Both None -> None; one None counts as false.
    """
    raise NotImplementedError
