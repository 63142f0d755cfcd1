"""ELM vocabularies one at a time, on small documents in the real ELM v3 shape."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from microcred_hub.sdk import (
    JSON,
    AssessmentType,
    CredentialType,
    JSONObject,
    RecordDraft,
    Stackability,
    Supervision,
)
from microcred_hub_connectors.elm import envelopes

RecordsOf = Callable[..., list[RecordDraft]]
SUPERVISION = "http://data.europa.eu/snb/supervision-verification/"
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
SCQF = "Scottish Credit and Qualifications Framework"


def concept(uri: str, label: str | None = None) -> JSONObject:
    node: JSONObject = {"id": uri, "type": "Concept"}
    if label is not None:
        node["prefLabel"] = {"en": label}
    return node


def spec(**extra: JSON) -> JSONObject:
    return {
        "id": "urn:epass:learningAchievementSpec:1",
        "type": "LearningAchievementSpecification",
        "title": {"en": "Spreadsheet modelling"},
        **extra,
    }


def credential(specification: JSONObject | None, claim: JSONObject, **extra: JSON) -> JSONObject:
    has_claim: JSONObject = {
        "id": "urn:epass:learningAchievement:1",
        "type": "LearningAchievement",
        "title": {"en": "Spreadsheet modelling"},
        **claim,
    }
    if specification is not None:
        has_claim["specifiedBy"] = specification
    return {
        "id": "urn:credential:0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSubject": {"id": "urn:epass:person:1", "type": "Person", "hasClaim": has_claim},
        **extra,
    }


def assessed(id_verification: JSONObject) -> JSONObject:
    return {
        "provenBy": {
            "id": "urn:epass:learningAssessment:1",
            "type": "LearningAssessment",
            "idVerification": id_verification,
        }
    }


@pytest.mark.parametrize(
    ("verification", "expected"),
    [
        (concept(SUPERVISION + "c598449d64", "Unsupervised without ID Verification"),
         Supervision.UNSUPERVISED_NO_ID_CHECK),
        (concept(SUPERVISION + "x1", "Supervised without ID verification"),
         Supervision.SUPERVISED_NO_ID_CHECK),
        (concept(SUPERVISION + "x2", "Supervised with ID verification"),
         Supervision.SUPERVISED_WITH_ID_CHECK),
        (concept(SUPERVISION + "df2880c5cb"), Supervision.OTHER),  # unsupervised, ID checked
        (concept(SUPERVISION + "c598449d64"), Supervision.UNSUPERVISED_NO_ID_CHECK),
    ],
)  # fmt: skip
def test_id_verification_concept_gives_supervision(
    records_of: RecordsOf, verification: JSONObject, expected: Supervision
) -> None:
    (record,) = records_of(credential(spec(), assessed(verification)))
    assert record.supervision is expected


def test_unknown_id_verification_is_other_with_a_warning(records_of: RecordsOf) -> None:
    (record,) = records_of(credential(spec(), assessed(concept(SUPERVISION + "zz", "None"))))
    assert record.supervision is Supervision.OTHER
    assert any('supervision "None"' in warning for warning in record.warnings)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"dcType": concept("http://data.europa.eu/snb/learning-opportunity/05053c1cbe", "Course")},
         CredentialType.COURSE),
        ({"dcType": concept("http://data.europa.eu/snb/learning-opportunity/17744a2647", "MOOC")},
         CredentialType.COURSE),
        ({"dcType": concept("http://data.europa.eu/snb/learning-opportunity/79343569f3",
                            "Educational programme")}, CredentialType.PROGRAMME),
        ({"dcType": concept("urn:x:mc", "Micro-credential")}, CredentialType.MICRO_CREDENTIAL),
        ({"type": "Qualification"}, CredentialType.CERTIFICATE),
        ({}, CredentialType.OTHER),
    ],
)  # fmt: skip
def test_specification_type_gives_credential_type(
    records_of: RecordsOf, extra: JSONObject, expected: CredentialType
) -> None:
    (record,) = records_of(spec(**extra))
    assert record.credential_type is expected


def test_micro_credential_display_title_makes_a_micro_credential(records_of: RecordsOf) -> None:
    display: JSONObject = {"id": "urn:epass:displayParameter:1", "type": "DisplayParameter",
               "title": {"en": "Micro-Credential"}}  # fmt: skip
    (record,) = records_of(credential(spec(), {}, displayParameter=display))
    assert record.credential_type is CredentialType.MICRO_CREDENTIAL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2022-12-31T23:00:00Z", date(2023, 1, 1)),  # Brussels winter midnight
        ("2023-06-30T22:00:00Z", date(2023, 7, 1)),  # Brussels summer midnight
        ("2023-06-28T14:30:00Z", date(2023, 6, 28)),  # an ordinary instant keeps its UTC date
        ("2010-10-01T00:00:00", date(2010, 10, 1)),  # zone-less, as an EC sample has it
    ],
)
def test_credential_dates_follow_the_brussels_midnight_rule(
    records_of: RecordsOf, given: str, expected: date
) -> None:
    (record,) = records_of(credential(spec(), {}, validFrom=given, expirationDate=given))
    assert (record.valid_from, record.valid_until) == (expected, expected)


def test_issuance_date_stands_in_for_a_missing_valid_from(records_of: RecordsOf) -> None:
    (record,) = records_of(credential(spec(), {}, issuanceDate="2021-08-31T22:00:00Z"))
    assert record.valid_from == date(2021, 9, 1)


def test_unreadable_date_is_left_empty_with_a_warning(records_of: RecordsOf) -> None:
    (record,) = records_of(credential(spec(), {}, validFrom="31st of May"))
    assert record.valid_from is None
    assert any("validFrom" in warning for warning in record.warnings)


def test_claim_without_specification_stands_for_its_own(records_of: RecordsOf) -> None:
    body: JSONObject = {"id": "http://example.org/org1", "type": "Organisation",
            "legalName": {"fr": "Université Exemple"},
            "eIDASΙdentifier": {"id": "http://example.org/1", "type": "LegalIdentifier",
                                "spatial": concept(FRANCE)}}  # fmt: skip
    award: JSONObject = {
        "awardedBy": {"id": "urn:x:ap", "type": "AwardingProcess", "awardingBody": body}
    }
    (record,) = records_of(credential(None, award))
    assert (
        record.local_id
        == "urn:credential:0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b#urn:epass:learningAchievement:1"
    )
    # the Greek-Iota "eIDASΙdentifier" of an EC sample still gives the country
    assert record.issuer_country == ("FR",)
    assert record.awarding_bodies[0].name == "Université Exemple"


def test_epass_ids_of_two_credentials_do_not_collide() -> None:
    one = envelopes(credential(spec(), {}), "http://x/1")
    other = credential(spec(), {})
    other["id"] = "urn:credential:11111111-2222-4333-8444-555555555555"
    two = envelopes(other, "http://x/2")
    assert one[0]["localId"] != two[0]["localId"]


def test_globally_unique_specification_id_is_kept_as_is(records_of: RecordsOf) -> None:
    (record,) = records_of(credential(spec(id="https://spec.example.eu/los/42"), {}))
    assert record.local_id == "https://spec.example.eu/los/42"


def test_unknown_assessment_is_other_and_keeps_its_label(records_of: RecordsOf) -> None:
    method: JSONObject = {
        "id": "urn:epass:learningAssessmentSpec:1",
        "type": "LearningAssessmentSpecification",
        "title": {"en": "Peer review, then interview"},
    }
    (record,) = records_of(spec(provenBy=method))
    assert record.assessment_types == (AssessmentType.OTHER,)
    assert record.assessment_original == ("Peer review, then interview",)
    assert any("Peer review, then interview" in warning for warning in record.warnings)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Can be stacked towards the Master in Data Science.", Stackability.STACKABLE),
        ("A stand-alone micro-credential.", Stackability.STANDALONE),
    ],
)
def test_integration_note_gives_stackability(
    records_of: RecordsOf, note: str, expected: Stackability
) -> None:
    additional: JSONObject = {"id": "urn:epass:note:1", "type": "Note", "noteLiteral": {"en": note},
                  "subject": concept("urn:x:s", "Integration / stackability options")}  # fmt: skip
    (record,) = records_of(spec(additionalNote=[additional]))
    assert record.stackability is expected


def test_full_qualification_says_nothing_about_stackability(records_of: RecordsOf) -> None:
    (record,) = records_of(spec(isPartialQualification=False))
    assert record.stackability is None


def test_non_ects_credit_points_are_kept_without_conversion(records_of: RecordsOf) -> None:
    points: JSONObject = {"id": "urn:epass:creditPoint:1", "type": "CreditPoint", "point": "10",
              "framework": concept("urn:x:fw", SCQF)}  # fmt: skip
    (record,) = records_of(spec(creditPoint=points))
    assert record.workload is not None
    assert (record.workload.ects, record.workload.hours) == (None, None)
    assert record.workload.original_value == "10"
    assert record.warnings
