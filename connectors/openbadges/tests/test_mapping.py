"""Fixture in, record out: Open Badges documents mapped per RECORD.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    Identifier,
    InvalidRecordError,
    JSONObject,
    LangString,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Skill,
    Supervision,
    Workload,
)
from microcred_hub_connectors.openbadges import OpenBadgesConnector

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(name: str) -> JSONObject:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def normalise(data: JSONObject) -> RecordDraft:
    return OpenBadgesConnector().normalise(RawRecord(data=data))


# --- Open Badges 3 Achievement -------------------------------------------------------------


def test_ob3_micro_credential_achievement_maps_identity_type_and_creator() -> None:
    draft = normalise(load("ob3_achievement_microcredential.json"))
    assert draft.local_id == "https://badges.example.org/achievements/data-literacy-101"
    assert draft.credential_type is CredentialType.MICRO_CREDENTIAL
    assert draft.url == "https://badges.example.org/achievements/data-literacy-101/criteria"
    assert draft.awarding_bodies == (
        Organisation(
            name="Atlantic Technological University",
            id="https://badges.example.org/issuers/atu",
            url="https://www.atu.ie",
            country="IE",
        ),
    )
    assert draft.issuer_country == ("IE",)
    assert draft.languages == ("en",)


def test_achievement_identity_is_its_id_related_ids_and_criteria_page() -> None:
    data = load("ob3_achievement_microcredential.json")
    data["related"] = [{"id": "https://badges.example.org/achievements/data-literacy-101-ga"}]
    found = normalise(data).identifiers
    assert found == (
        Identifier(scheme="uri", value="https://badges.example.org/achievements/data-literacy-101"),
        Identifier(
            scheme="uri", value="https://badges.example.org/achievements/data-literacy-101-ga"
        ),
        Identifier(
            scheme="url",
            value="https://badges.example.org/achievements/data-literacy-101/criteria",
        ),
    )


def test_title_loses_html_and_extra_whitespace_and_takes_the_document_language() -> None:
    draft = normalise(load("ob3_achievement_microcredential.json"))
    assert draft.title == "Data Literacy Foundations"
    assert draft.titles == (LangString(value="Data Literacy Foundations", lang="en"),)
    assert draft.description[0].value.endswith("* spreadsheets\n* charts")  # Markdown kept


def test_credits_available_without_unit_keeps_the_original_and_warns() -> None:
    draft = normalise(load("ob3_achievement_microcredential.json"))
    assert draft.workload == Workload(
        ects=None, hours=None, original_value="5", original_unit="credits"
    )
    assert any("credits 5" in w and "no unit" in w for w in draft.warnings)


def test_ob3_without_an_eqf_statement_has_no_level() -> None:
    assert normalise(load("ob3_achievement_microcredential.json")).level is None


def test_alignments_become_skills_with_the_framework_inferred_from_the_uri() -> None:
    draft = normalise(load("ob3_achievement_microcredential.json"))
    assert draft.skills == (  # the repeated O*NET alignment counts once
        Skill(
            label="analyse data",
            uri="http://data.europa.eu/esco/skill/3b5a4f6e-2f4a-4a8a-9f0b-1d2f0a3c4b5d",
            framework="ESCO",
        ),
        Skill(
            label="Data Scientists",
            uri="https://www.onetonline.org/link/summary/15-2051.00",
            framework="O*NET",
        ),
    )


def test_criteria_narrative_is_not_a_learning_outcome() -> None:
    assert normalise(load("ob3_achievement_microcredential.json")).learning_outcomes == ()
    assert normalise(load("ob3_credential_educredential_ects.json")).learning_outcomes == ()


# --- Open Badges 3 credentials with the Dutch educredentials extension ----------------------


def test_credential_yields_its_achievement_with_the_credential_issuer() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert draft.local_id == "https://badges.example.org/achievements/duurzaam-bouwen"
    assert draft.title == "Duurzaam bouwen: circulaire materialen"
    assert draft.titles[0].lang == "nl"
    assert draft.awarding_bodies[0].name == "Hogeschool Utrecht"
    assert draft.issuer_country == ("NL",)  # from the address's country name "Nederland"


def test_educredentials_ects_is_stated_and_hours_are_derived() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert draft.workload == Workload(
        ects=4.5, hours=123.75, derived=True, original_value="4.5", original_unit="ECTS"
    )


def test_eqf_alignment_is_a_stated_level_not_a_skill() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert draft.level is not None
    assert (draft.level.eqf, draft.level.framework, draft.level.derived) == (6, "EQF", False)
    assert [s.label for s in draft.skills] == ["circulair ontwerpen"]
    assert draft.skills[0].framework == "HBO-i beroepstaken"


def test_quality_assurance_alignment_becomes_quality_assurance() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert draft.quality_assurance == QualityAssurance(
        name="NVAO accreditatie",
        url="https://data.example.org/decisions/AV-1234",
        description="Accreditatie van de opleiding door de NVAO",
    )


def test_educredentials_participation_assessment_and_supervision() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert draft.participation_forms == (ParticipationForm.ONLINE,)
    assert draft.participation_original == ("online",)
    assert draft.assessment_types == (AssessmentType.PORTFOLIO,)
    assert draft.supervision is Supervision.SUPERVISED_NO_ID_CHECK


def test_education_program_identifier_is_an_isat_field_of_study() -> None:
    draft = normalise(load("ob3_credential_educredential_ects.json"))
    assert [(f.scheme, f.code) for f in draft.fields_of_study] == [("ISAT", "34479")]


def test_sbu_are_stated_hours_and_ects_are_derived() -> None:
    draft = normalise(load("ob3_credential_educredential_sbu.json"))
    assert draft.workload == Workload(
        ects=8.7, hours=240.0, derived=True, original_value="240", original_unit="SBU"
    )
    assert draft.credential_type is CredentialType.COURSE
    assert draft.supervision is Supervision.SUPERVISED_WITH_ID_CHECK
    assert draft.assessment_types == (AssessmentType.APPLICATION_OF_SKILL,)


def test_nlqf_alignment_keeps_the_national_level() -> None:
    level = normalise(load("ob3_credential_educredential_sbu.json")).level
    assert level is not None
    assert (level.framework, level.framework_level) == ("NLQF", "2")


def test_personalised_learning_participation_is_other_with_the_original_kept() -> None:
    draft = normalise(load("ob3_credential_educredential_sbu.json"))
    assert draft.participation_forms == (ParticipationForm.OTHER,)
    assert draft.participation_original == ("personalized learning activities",)
    assert any("personalized learning activities" in w for w in draft.warnings)


@pytest.mark.parametrize(
    ("achievement_type", "expected"),
    [
        ("MicroCredential", CredentialType.MICRO_CREDENTIAL),
        ("Certificate", CredentialType.CERTIFICATE),
        ("Course", CredentialType.COURSE),
        ("Badge", CredentialType.BADGE),
        (None, CredentialType.BADGE),
        ("Degree", CredentialType.OTHER),
        ("ext:Microcredential", CredentialType.MICRO_CREDENTIAL),
    ],
)
def test_achievement_type_gives_the_credential_type(
    achievement_type: str | None, expected: CredentialType
) -> None:
    data = load("ob3_achievement_microcredential.json")
    data.pop("achievementType")
    if achievement_type is not None:
        data["achievementType"] = achievement_type
    draft = normalise(data)
    assert draft.credential_type is expected
    assert any("Degree" in w for w in draft.warnings) == (achievement_type == "Degree")


def test_language_map_names_give_one_title_per_language_and_english_for_display() -> None:
    documents = json.loads((FIXTURES / "ob3_array.json").read_text(encoding="utf-8"))
    draft = normalise(documents[0])
    assert draft.title == "Te Reo Māori for Beginners"
    assert {t.lang for t in draft.titles} == {"en", "mi"}
    assert draft.credential_type is CredentialType.CERTIFICATE
    assert draft.issuer_country == ("NZ",)


def test_unknown_issuer_country_is_left_out_with_one_warning() -> None:
    data = load("ob3_credential_educredential_sbu.json")
    issuer = data["issuer"]
    assert isinstance(issuer, dict)
    issuer["address"] = {"addressCountryCode": "XX", "addressCountry": "Naboo"}
    draft = normalise(data)
    assert draft.issuer_country == ()
    assert draft.awarding_bodies[0].country is None
    assert [w for w in draft.warnings if "country" in w] == ['unknown country "XX"']


# --- Open Badges 2 BadgeClass --------------------------------------------------------------


def test_ob2_badge_class_is_a_badge_with_its_edubadges_extensions() -> None:
    draft = normalise(load("ob2_badgeclass.json"))
    assert draft.credential_type is CredentialType.BADGE
    assert draft.languages == ("nl",)
    assert draft.learning_outcomes == (
        LangString(
            value="De student kan een onderzoeksvraag formuleren.\n* bronnen beoordelen", lang="nl"
        ),
    )
    assert draft.workload is not None
    assert draft.workload.ects == 2.5
    assert draft.skills[0].framework == "ESCO"


def test_ob2_eqf_extension_of_3_5_keeps_the_original_without_an_eqf_level() -> None:
    draft = normalise(load("ob2_badgeclass.json"))
    assert draft.level is not None
    assert (draft.level.eqf, draft.level.framework_level) == (None, "3.5")
    assert any("3.5" in w for w in draft.warnings)


def test_ob2_issuer_given_only_as_a_url_leaves_the_awarding_body_out_with_a_warning() -> None:
    draft = normalise(load("ob2_badgeclass.json"))
    assert draft.awarding_bodies == ()
    assert any("issuer profile" in w for w in draft.warnings)


def test_ob2_embedded_issuer_is_the_awarding_body() -> None:
    data = {**load("ob2_badgeclass.json"), "issuer": load("ob2_issuer.json")}
    (body,) = normalise(data).awarding_bodies
    assert body.name == "Universiteit Leiden - Faculteit Geesteswetenschappen"
    assert body.url == "https://www.universiteitleiden.nl"


def test_edubadges_micro_credential_marker_wins_over_open_badges_2() -> None:
    data = {**load("ob2_badgeclass.json"), "typeBadgeClass": "micro_credential"}
    assert normalise(data).credential_type is CredentialType.MICRO_CREDENTIAL


# --- records that cannot be normalised -----------------------------------------------------


def test_achievement_without_id_is_quarantined() -> None:
    documents = json.loads((FIXTURES / "ob3_array.json").read_text(encoding="utf-8"))
    with pytest.raises(InvalidRecordError, match="no id"):
        normalise(documents[1])


def test_achievement_without_name_is_quarantined_with_its_id() -> None:
    data = load("ob3_achievement_microcredential.json")
    data["name"] = "  "
    with pytest.raises(InvalidRecordError, match="no name") as caught:
        normalise(data)
    assert caught.value.local_id == "https://badges.example.org/achievements/data-literacy-101"


def test_issuer_profile_document_is_not_a_record() -> None:
    with pytest.raises(InvalidRecordError, match=r"not an Open Badges .*\(Issuer\)"):
        normalise(load("ob2_issuer.json"))


def test_normalise_is_pure_and_repeatable() -> None:
    data = load("ob3_credential_educredential_ects.json")
    assert normalise(data) == normalise(data)
