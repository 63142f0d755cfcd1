"""The EC's own ELM v3 samples (EUPL-1.2) in the shared samples folder, when present."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    RawRecord,
    RecordDraft,
    Skill,
    Supervision,
    Workload,
)
from microcred_hub_connectors.elm import ElmConnector, envelopes

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "elm"
ANNEX1 = SAMPLES / "ELM_Sample-MC-Annex1-unsigned.jsonld.json"
CERT_OF_PART = SAMPLES / "ELM_Sample-CertOfPart-unsigned.jsonld.json"
CREDENTIAL_SAMPLE = SAMPLES / "ELM_rdf-samples_credential-sample.jsonld.json"
CONTEXT = SAMPLES / "ELM_edc-ap-context.jsonld.json"

pytestmark = pytest.mark.skipif(
    not ANNEX1.is_file(),
    reason=f"shared ELM samples not present at {SAMPLES} (only in the project workspace)",
)


def records(path: Path) -> list[RecordDraft]:
    document: JSONObject = json.loads(path.read_text(encoding="utf-8"))
    connector = ElmConnector()
    return [connector.normalise(RawRecord(data=e)) for e in envelopes(document, path.as_uri())]


@pytest.fixture(scope="module")
def annex1() -> RecordDraft:
    (record,) = records(ANNEX1)
    return record


def test_annex1_eqf_level_6_is_stated_by_the_eu_uri(annex1: RecordDraft) -> None:
    assert annex1.level == Level(eqf=6, framework="RQF", framework_level="6", derived=False)


def test_annex1_ects_come_from_the_credit_point_string(annex1: RecordDraft) -> None:
    # creditPoint.point is "2" (a string) in the ECTS framework; volumeOfLearning PT60H
    assert annex1.workload == Workload(
        ects=2.0, hours=60.0, derived=False, original_value="2", original_unit="ECTS"
    )


def test_annex1_keeps_every_language(annex1: RecordDraft) -> None:
    assert annex1.titles == (LangString(value="Digital micro-credential creation", lang="en"),)
    assert LangString(value="Contento digital", lang="es") in annex1.learning_outcomes
    assert LangString(value="Developing digital content", lang="en") in annex1.learning_outcomes


def test_annex1_valid_from_is_the_brussels_date(annex1: RecordDraft) -> None:
    assert annex1.valid_from == date(2023, 1, 1)  # "2022-12-31T23:00:00Z"
    assert annex1.valid_until is None


def test_annex1_identity_and_type(annex1: RecordDraft) -> None:
    assert annex1.local_id == (
        "urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b#urn:epass:qualification:1"
    )
    assert annex1.title == "Digital micro-credential creation"
    assert annex1.credential_type is CredentialType.MICRO_CREDENTIAL


def test_annex1_awarding_body_and_country(annex1: RecordDraft) -> None:
    assert annex1.awarding_bodies == (
        Organisation(
            name="University of Zed", id="urn:epass:org:1", url="https://uniz.edu", country="IE"
        ),
    )
    assert annex1.issuer_country == ("IE",)


def test_annex1_delivery_is_blended_although_assessed_online(annex1: RecordDraft) -> None:
    assert annex1.participation_forms == (ParticipationForm.BLENDED,)


def test_annex1_assessment_supervision_and_prerequisites(annex1: RecordDraft) -> None:
    assert annex1.assessment_types == (AssessmentType.OTHER,)
    assert annex1.assessment_original == ("artefact assessment",)
    assert annex1.supervision is Supervision.UNSUPERVISED_NO_ID_CHECK
    assert annex1.prerequisites[0].value.startswith("The learner needs to have an EDC Online")
    assert annex1.stackability is None  # isPartialQualification false says nothing either way
    assert annex1.quality_assurance is None


def test_annex1_fields_skills_and_language(annex1: RecordDraft) -> None:
    assert annex1.languages == ("en",)
    assert annex1.fields_of_study[1] == FieldOfStudy(
        scheme="ISCED-F",
        code="0688",
        label="Inter-disciplinary programmes and qualifications involving Information and"
        " Communication Technologies (ICTs)",
    )
    assert [s.framework for s in annex1.skills] == ["ESCO"] * 4 + ["DigComp"] * 2
    assert annex1.skills[3] == Skill(
        label="develop digital content",
        uri="http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
        framework="ESCO",
    )


def test_certificate_of_participation_two_month_volume_is_no_workload() -> None:
    (record,) = records(CERT_OF_PART)
    assert record.title == "EDC Updates Webinar"
    assert record.credential_type is CredentialType.CERTIFICATE
    assert record.workload == Workload(original_value="P2M", original_unit="ISO 8601 duration")
    assert record.participation_forms == (ParticipationForm.ONLINE,)
    assert record.issuer_country == ("BE",)
    assert record.valid_from == date(2023, 6, 28)


def test_credential_sample_with_the_greek_iota_typo_still_maps() -> None:
    (record,) = records(CREDENTIAL_SAMPLE)
    assert record.local_id == "http://example.org/cl1"
    assert record.titles == (
        LangString(value="some kind of learning achievement", lang="en"),
        LangString(value="une sorte de réussite scolaire", lang="fr"),
    )
    assert record.issuer_country == ("FR",)
    assert (record.valid_from, record.valid_until) == (date(2010, 10, 1), date(2024, 9, 25))


def test_the_json_ld_context_is_not_a_record() -> None:
    with pytest.raises(InvalidRecordError, match="not an ELM"):
        records(CONTEXT)
