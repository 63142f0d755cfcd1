from __future__ import annotations

import pytest

from microcred_hub.normalise import assessment_types, participation_forms, supervision
from microcred_hub.record import AssessmentType as A
from microcred_hub.record import ParticipationForm as P
from microcred_hub.record import Supervision as S


def test_comma_separated_participation_gives_several_forms() -> None:
    warnings: list[str] = []
    assert participation_forms("onsite,online", warnings) == (
        (P.ONSITE, P.ONLINE),
        ("onsite", "online"),
    )
    assert warnings == []


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("online", P.ONLINE), ("Online", P.ONLINE), ("onsite", P.ONSITE), ("On-site", P.ONSITE),
        ("in person", P.ONSITE), ("blended", P.BLENDED), ("onsite or blended", P.BLENDED),
        ("work_experience", P.WORK_BASED), ("work experience", P.WORK_BASED),
        ("Workplace", P.WORK_BASED), ("volunteering", P.VOLUNTEERING),
        ("deliveryType:OnlineOnly", P.ONLINE), ("deliveryType:InPerson", P.ONSITE),
        ("deliveryType:BlendedDelivery", P.BLENDED),
        ("https://purl.org/ctdl/vocabs/deliveryType/InPerson", P.ONSITE),
        ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", P.ONLINE),
        ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", P.BLENDED),
    ],
)  # fmt: skip
def test_participation_vocabulary(value: str, form: P) -> None:
    warnings: list[str] = []
    assert participation_forms(value, warnings) == ((form,), (value,))
    assert warnings == []


def test_participation_list_is_deduplicated_in_first_seen_order() -> None:
    forms, originals = participation_forms(["Blended", "online", "blended"], [])
    assert forms == (P.BLENDED, P.ONLINE)
    assert originals == ("Blended", "online", "blended")


def test_elm_concept_with_an_unknown_code_is_read_by_its_label() -> None:
    concept = {
        "id": "http://data.europa.eu/snb/learning-assessment/x1",
        "prefLabel": {"en": "Online"},
    }
    forms, originals = participation_forms(concept, [])  # type: ignore[arg-type]
    assert forms == (P.ONLINE,)
    assert originals == ("http://data.europa.eu/snb/learning-assessment/x1",)


def test_unknown_participation_is_other_with_a_warning_and_original_kept() -> None:
    warnings: list[str] = []
    value = "personalized learning activities"
    assert participation_forms(value, warnings) == ((P.OTHER,), (value,))
    assert warnings == [f'participation form "{value}" is not in the vocabulary; recorded as OTHER']


def test_absent_participation_is_empty() -> None:
    assert participation_forms(None, []) == ((), ())


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("testing", A.TESTING), ("written_exam", A.TESTING), ("oram_exam", A.TESTING),
        ("application of a skill", A.APPLICATION_OF_SKILL),
        ("professional_product", A.APPLICATION_OF_SKILL),
        ("behavioural_assessment", A.APPLICATION_OF_SKILL),
        ("personalized_assessment", A.APPLICATION_OF_SKILL),
        ("report_paper", A.APPLICATION_OF_SKILL), ("portfolio", A.PORTFOLIO),
        ("portfolio_assessment", A.PORTFOLIO), ("development_report", A.PORTFOLIO),
        ("recognition of prior learning", A.RECOGNITION_OF_PRIOR_LEARNING),
    ],
)  # fmt: skip
def test_assessment_vocabulary(value: str, kind: A) -> None:
    warnings: list[str] = []
    assert assessment_types(value, warnings) == ((kind,), (value,))
    assert warnings == []


def test_unknown_assessment_is_other_with_a_warning_and_original_kept() -> None:
    warnings: list[str] = []
    assert assessment_types(["testing", "interpretive dance"], warnings) == (
        (A.TESTING, A.OTHER),
        ("testing", "interpretive dance"),
    )
    assert len(warnings) == 1
    assert '"interpretive dance"' in warnings[0]


def test_unknown_value_warns_for_every_record() -> None:
    first: list[str] = []
    second: list[str] = []
    assessment_types("quiz night", first)
    assessment_types("quiz night", second)
    assert len(first) == len(second) == 1


@pytest.mark.parametrize(
    ("supervised", "verified", "expected"),
    [
        (0, 0, S.UNSUPERVISED_NO_ID_CHECK), (1, 0, S.SUPERVISED_NO_ID_CHECK),
        (1, 1, S.SUPERVISED_WITH_ID_CHECK), (0, 1, S.OTHER),
        ("0", "0", S.UNSUPERVISED_NO_ID_CHECK), ("1", "0", S.SUPERVISED_NO_ID_CHECK),
        ("1", "1", S.SUPERVISED_WITH_ID_CHECK), ("0", "1", S.OTHER),
        (False, False, S.UNSUPERVISED_NO_ID_CHECK), (True, False, S.SUPERVISED_NO_ID_CHECK),
        (True, True, S.SUPERVISED_WITH_ID_CHECK), (False, True, S.OTHER),
        ("true", "false", S.SUPERVISED_NO_ID_CHECK),
    ],
)  # fmt: skip
def test_supervision_truth_table(supervised: object, verified: object, expected: S) -> None:
    assert supervision(supervised, verified) == expected  # type: ignore[arg-type]


def test_supervision_with_both_absent_is_none() -> None:
    assert supervision(None, None) is None


def test_supervision_with_one_absent_counts_it_as_false() -> None:
    assert supervision(True, None) == S.SUPERVISED_NO_ID_CHECK
    assert supervision(None, "1") == S.OTHER


def test_supervision_that_is_not_a_boolean_raises() -> None:
    with pytest.raises(ValueError, match="boolean"):
        supervision("sometimes", 0)
