"""Fixture in, expected record out: ELM v3 documents in the real shape -> RecordDraft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    Identifier,
    InvalidRecordError,
    JSONObject,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RecordDraft,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
    wire_json,
)
from microcred_hub_connectors.elm import ElmConnector, ElmOptions, normalise_elm

Load = Callable[[str], JSONObject]
RecordsOf = Callable[..., list[RecordDraft]]

ANNEX1_ID = "urn:credential:7d1c4a52-0b6e-4f7e-9d1a-5e2f3c9b8a10#urn:epass:qualification:1"
ROBOTICS = "https://qualifications.example.de/spec/robotics-safety"


def en(value: str) -> LangString:
    return LangString(value=value, lang="en")


def test_annex1_credential_maps_every_annex_element(load: Load, records_of: RecordsOf) -> None:
    assert records_of(load("annex1-micro-credential.jsonld")) == [
        RecordDraft(
            local_id=ANNEX1_ID,
            title="Data literacy for public servants",
            credential_type=CredentialType.MICRO_CREDENTIAL,
            url="https://uow.example.ie/micro/data-literacy",
            titles=(
                en("Data literacy for public servants"),
                LangString(value="Litearthacht sonraí do sheirbhísigh phoiblí", lang="ga"),
                LangString(value="Littératie des données pour les fonctionnaires", lang="fr"),
            ),
            description=(
                en("Reading, questioning and presenting public data."),
                LangString(value="Lire, interroger et présenter des données publiques.", lang="fr"),
            ),
            issuer_country=("IE",),
            awarding_bodies=(
                Organisation(
                    name="University of Westport",
                    id="urn:epass:org:1",
                    url="https://uow.example.ie",
                    country="IE",
                ),
            ),
            learning_outcomes=(
                en("Interpret descriptive statistics in public reports"),
                LangString(value="Interpréter les statistiques descriptives", lang="fr"),
                en("Present data to non-specialists"),
            ),
            workload=Workload(
                ects=5.0, hours=150.0, derived=False, original_value="5", original_unit="ECTS"
            ),
            level=Level(eqf=5, framework="NFQ", framework_level="6", derived=False),
            assessment_types=(AssessmentType.TESTING,),
            assessment_original=("written exam",),
            participation_forms=(ParticipationForm.ONLINE,),
            participation_original=("http://data.europa.eu/snb/learning-assessment/920fbb3cbe",),
            quality_assurance=QualityAssurance(
                name="QQI institutional review",
                body="Quality and Qualifications Ireland",
                url="https://www.qqi.ie/reviews",
                description="Accredited",
            ),
            prerequisites=(
                en("A Level 5 award or equivalent work experience."),
                LangString(value="Dámhachtain Leibhéal 5 nó taithí oibre chomhionann.", lang="ga"),
            ),
            supervision=Supervision.SUPERVISED_WITH_ID_CHECK,
            stackability=Stackability.STACKABLE,
            languages=("en", "ga"),
            fields_of_study=(FieldOfStudy(scheme="ISCED-F", code="0542", label="Statistics"),),
            skills=(
                Skill(
                    label="interpret statistical data",
                    uri="http://data.europa.eu/esco/skill/2a6c5c5b-0a4b-4d43-8e1d-43d9e4a3a7d3",
                    framework="ESCO",
                ),
            ),
            status=Status.UNKNOWN,
            # 2023-08-31T22:00:00Z is Brussels midnight in summer time (UTC+2)
            valid_from=date(2023, 9, 1),
            valid_until=date(2028, 1, 1),
            updated_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
            warnings=(),
            # the specification's own id is document-local (urn:epass:…): not an identifier
            identifiers=(
                Identifier(scheme="url", value="https://uow.example.ie/micro/data-literacy"),
            ),
        )
    ]


def test_single_valued_properties_given_as_arrays_read_the_same(
    load: Load, records_of: RecordsOf
) -> None:
    record = records_of(load("qualification-arrays.jsonld"))[0]
    assert record == RecordDraft(
        local_id=ROBOTICS,
        title="Collaborative robot safety",
        credential_type=CredentialType.CERTIFICATE,
        url="https://tu-nordstadt.example.de/weiterbildung/cobot-sicherheit",
        titles=(
            LangString(value="Sicherheit kollaborativer Roboter", lang="de"),
            en("Collaborative robot safety"),
        ),
        description=(
            LangString(value="Normen und Risikobeurteilung für Cobots.", lang="de"),
            en("Standards and risk assessment for cobots."),
        ),
        issuer_country=("DE",),
        awarding_bodies=(
            Organisation(
                name="Nordstadt University of Technology",
                id="https://orgs.example.de/tu-nordstadt",
                url="https://tu-nordstadt.example.de",
                country="DE",
            ),
        ),
        learning_outcomes=(
            LangString(value="Risikobeurteilung nach ISO 10218 durchführen", lang="de"),
            en("Carry out a risk assessment under ISO 10218"),
        ),
        workload=Workload(ects=7.5, hours=200.0, original_value="7.5", original_unit="ECTS"),
        level=Level(eqf=7, framework="EQF", framework_level="7", derived=False),
        assessment_types=(AssessmentType.APPLICATION_OF_SKILL,),
        assessment_original=("professional product",),
        # a "Hybrid" mode concept with no prefLabel, known by its code
        participation_forms=(ParticipationForm.BLENDED,),
        participation_original=("http://data.europa.eu/snb/learning-assessment/c_3a90b26d",),
        prerequisites=(
            LangString(value="Bachelor in Ingenieurwesen", lang="de"),
            en("Bachelor's degree in engineering"),
        ),
        stackability=Stackability.STACKABLE,  # isPartialQualification: [true]
        languages=("de", "en"),
        fields_of_study=(
            FieldOfStudy(scheme="ISCED-F", code="0714", label="Electronics and automation"),
            FieldOfStudy(
                scheme="http://example.de/vocab/subjects", code="robotik", label="Robotik"
            ),
        ),
        skills=(
            Skill(
                label="assess risks of robotic systems",
                uri="http://data.europa.eu/esco/skill/0b2c4e6a-3333-4d5f-9a7b-c8d9e0f1a2b3",
                framework="ESCO",
            ),
        ),
        status=Status.ACTIVE,
        valid_from=date(2024, 4, 1),  # the awarding opportunity's period, Brussels dates
        valid_until=date(2026, 10, 1),
        updated_at=datetime(2025, 1, 15, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        identifiers=(
            Identifier(
                scheme="uri", value="https://qualifications.example.de/spec/robotics-safety"
            ),
            Identifier(
                scheme="url", value="https://tu-nordstadt.example.de/weiterbildung/cobot-sicherheit"
            ),
        ),
    )


def test_part_of_a_qualification_is_a_record_of_its_own(load: Load, records_of: RecordsOf) -> None:
    part = records_of(load("qualification-arrays.jsonld"))[1]
    assert part.local_id == ROBOTICS + "/module-1"
    assert part.title == "Cobot risk assessment basics"
    assert part.workload == Workload(
        ects=2.5, hours=68.75, derived=True, original_value="2.5", original_unit="ECTS"
    )


def test_hours_per_ects_option_sets_the_derived_hours(load: Load, records_of: RecordsOf) -> None:
    connector = ElmConnector(ElmOptions(hours_per_ects=30.0))
    part = records_of(load("qualification-arrays.jsonld"), connector)[1]
    assert part.workload is not None
    assert part.workload.hours == 75.0


def test_three_month_volume_of_learning_is_no_workload_in_hours(
    load: Load, records_of: RecordsOf
) -> None:
    (record,) = records_of(load("opportunity-graph-p3m.jsonld"))
    assert record.workload == Workload(original_value="P3M", original_unit="ISO 8601 duration")
    assert any('"P3M" is a calendar span' in warning for warning in record.warnings)


def test_irish_nfq_level_without_eqf_is_derived_from_the_table(
    load: Load, records_of: RecordsOf
) -> None:
    (record,) = records_of(load("opportunity-graph-p3m.jsonld"))
    assert record.level == Level(eqf=7, framework="NFQ", framework_level="9", derived=True)


def test_graph_references_resolve_to_the_provider_and_opportunity(
    load: Load, records_of: RecordsOf
) -> None:
    (record,) = records_of(load("opportunity-graph-p3m.jsonld"))
    assert record.local_id == (
        "https://courses.example.nl/lo/urban-heat-2025#urn:epass:learningAchievementSpec:1"
    )
    assert record.awarding_bodies == (
        Organisation(
            name="Hogeschool Delta", id="https://orgs.example.nl/hogeschool-delta", country="NL"
        ),
    )
    assert record.issuer_country == ("NL",)
    assert record.url == "https://courses.example.nl/urban-heat"
    assert record.description[1] == LangString(
        value="Een avondprogramma van drie maanden voor gemeentelijke planners.", lang="nl"
    )
    assert record.learning_outcomes == (
        LangString(value="Een hitteplan voor een wijk opstellen", lang="nl"),
        en("Plan and evaluate heat measures for a neighbourhood."),
    )
    assert record.languages == ("nl",)


def test_unknown_mode_is_other_with_a_warning_and_a_bare_presential_code_is_onsite(
    load: Load, records_of: RecordsOf
) -> None:
    (record,) = records_of(load("opportunity-graph-p3m.jsonld"))
    assert record.participation_forms == (ParticipationForm.OTHER, ParticipationForm.ONSITE)
    assert record.participation_original[0].endswith("/7813801c77")
    assert any("7813801c77" in warning for warning in record.warnings)


def test_participation_never_comes_from_the_assessment_mode(
    load: Load, records_of: RecordsOf
) -> None:
    # the assessment in this fixture is "Presential"; the learning is online
    (record,) = records_of(load("annex1-micro-credential.jsonld"))
    assert record.participation_forms == (ParticipationForm.ONLINE,)


def test_specification_without_title_is_quarantined_with_its_id(
    load: Load, records_of: RecordsOf
) -> None:
    with pytest.raises(InvalidRecordError, match="no title") as caught:
        records_of(load("malformed-no-title.jsonld"))
    assert caught.value.local_id == "https://qualifications.example.de/spec/untitled-draft"


def test_document_that_is_not_elm_is_quarantined_with_the_reason(records_of: RecordsOf) -> None:
    with pytest.raises(InvalidRecordError, match="not an ELM credential"):
        records_of({"@context": {"elm": "http://data.europa.eu/snb/model/elm/"}})
    with pytest.raises(InvalidRecordError, match="not an ELM credential"):
        records_of(["not", "an", "object"])


def test_same_document_gives_the_same_record(load: Load, records_of: RecordsOf) -> None:
    first = records_of(load("annex1-micro-credential.jsonld"))
    again = records_of(load("annex1-micro-credential.jsonld"))
    assert [wire_json(r) for r in first] == [wire_json(r) for r in again]


def test_bare_specification_node_normalises_without_an_envelope(load: Load) -> None:
    record = normalise_elm(load("qualification-arrays.jsonld"))
    assert record.local_id == ROBOTICS
    assert record.level is not None
    assert record.level.eqf == 7


def _with_education_level(document: JSONObject, *concepts: JSONObject) -> JSONObject:
    """The document with its specification's levels stated only as ``educationLevel``."""

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if "eqfLevel" in node:
                node.pop("eqfLevel")
                node.pop("nqfLevel", None)
                node["educationLevel"] = list(concepts)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(document)
    return document


def _concept(uri: str, scheme: str, label: str) -> JSONObject:
    return {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": scheme, "type": "ConceptScheme"},
        "prefLabel": {"en": label},
    }


EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"


NFQ_6 = _concept("http://data.europa.eu/snb/qdr/c_1", QDR_SCHEME, "NFQ Level 6")
NFQ_9 = _concept("http://data.europa.eu/snb/qdr/c_2", QDR_SCHEME, "NFQ Level 9")
EQF_4 = _concept("http://data.europa.eu/snb/eqf/4", EQF_SCHEME, "Level 4")
EQF_5 = _concept("http://data.europa.eu/snb/eqf/5", EQF_SCHEME, "Level 5")
EQF_6 = _concept("http://data.europa.eu/snb/eqf/6", EQF_SCHEME, "Level 6")


@pytest.mark.parametrize(
    ("concepts", "level", "warnings"),
    [
        pytest.param(  # the EQF concept states the level; the national one is kept beside it
            (NFQ_6, EQF_5), Level(eqf=5, framework="NFQ", framework_level="6"), (), id="both"
        ),
        pytest.param(
            (EQF_4,), Level(eqf=4, framework="EQF", framework_level="4"), (), id="eqf-alone"
        ),
        pytest.param(  # a national level alone: EQF derived from the framework table
            (NFQ_9,),
            Level(eqf=7, framework="NFQ", framework_level="9", derived=True),
            (),
            id="national-alone",
        ),
        pytest.param(  # the stated EQF wins over the table, with a warning
            (EQF_6, NFQ_6),
            Level(eqf=6, framework="NFQ", framework_level="6"),
            ("stated EQF level 6 differs from NFQ level 6 (EQF 5 by its table); stated EQF kept",),
            id="disagreeing",
        ),
    ],
)
def test_education_level_concepts(
    load: Load,
    records_of: RecordsOf,
    concepts: tuple[JSONObject, ...],
    level: Level,
    warnings: tuple[str, ...],
) -> None:
    document = _with_education_level(load("annex1-micro-credential.jsonld"), *concepts)
    (record,) = records_of(document)
    assert record.level == level
    assert record.warnings == warnings
