"""Fixture in, record out: CTDL resources and graphs mapped per RECORD.md."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    AssessmentType,
    CredentialType,
    FieldOfStudy,
    Identifier,
    InvalidRecordError,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Skill,
    Status,
    Workload,
)
from microcred_hub_connectors.ctdl import CtdlConnector
from microcred_hub_connectors.ctdl.graph import split_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MICRO = "ce-32d7d3b8-f05a-4e8e-a5f2-3cf836d6f174"
COURSE = "ce-fc6b5985-db68-452f-9765-67a5bebe458b"
NORTHWIND = Organisation(
    name="Northwind Community College",
    id="ce-77263b91-700d-4e9d-862e-49ba7b38ecda",
    url="https://www.northwind.example.edu",
    country="US",
)


def load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def records(name: str) -> dict[str, RecordDraft]:
    connector = CtdlConnector()
    raws = split_document(load(name), source_url=name)  # type: ignore[arg-type]
    return {raw.local_id or "": connector.normalise(raw) for raw in raws}


def test_graph_gives_one_record_per_credential_and_course_not_per_organisation() -> None:
    assert set(records("graph_microcredential.json")) == {MICRO, COURSE}


def test_microcredential_resolves_its_blank_node_organisation_as_awarding_body() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.credential_type is CredentialType.MICRO_CREDENTIAL
    assert record.awarding_bodies == (NORTHWIND,)  # ownedBy and offeredBy name it once
    assert record.issuer_country == ("US",)


def test_language_maps_keep_every_language_and_en_us_becomes_en() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.titles == (
        LangString(value="Data Analytics Essentials", lang="en"),
        LangString(value="Fundamentos de Análisis de Datos", lang="es"),
    )
    assert record.title == "Data Analytics Essentials"
    assert record.description == (
        LangString(
            value="A stackable micro-credential in **data analytics** for working adults.",
            lang="en",
        ),
    )
    assert record.languages == ("en", "es")


def test_us_audience_level_is_kept_without_an_eqf_level() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.level == Level(
        eqf=None,
        framework="US audience level",
        framework_level="audLevel:AssociatesDegreeLevel",
        derived=False,
    )


def test_estimated_duration_gives_hours_and_semester_hours_are_not_converted() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.workload == Workload(
        hours=135.0,
        ects=4.9,
        derived=True,
        original_value="PT135H",
        original_unit="ISO 8601 duration",
    )
    assert any("creditUnit:SemesterHour" in w and "no conversion" in w for w in record.warnings)


def test_participation_comes_from_learning_delivery_not_assessment_delivery() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.participation_forms == (ParticipationForm.ONLINE, ParticipationForm.ONSITE)
    assert record.participation_original == ("deliveryType:OnlineOnly", "deliveryType:InPerson")


def test_competencies_become_skills_and_learning_outcomes() -> None:
    record = records("graph_microcredential.json")[MICRO]
    competency = (
        "https://credentialengineregistry.org/resources/ce-1cb44491-1167-439f-a204-8e9400a79d60"
    )
    # The second alignment names no competency: its text comes from the graph's Competency node,
    # and the same competency twice is one skill.
    assert record.skills == (
        Skill(
            label="Clean and prepare data sets",
            uri=competency,
            framework="Northwind Data Skills Framework",
        ),
    )
    assert record.learning_outcomes[0] == LangString(
        value="The learner cleans, joins and validates tabular data sets for analysis.", lang="en"
    )


def test_quality_assurance_fields_of_study_dates_status_and_url() -> None:
    record = records("graph_microcredential.json")[MICRO]
    assert record.quality_assurance == QualityAssurance(
        name="Accreditation", body="Higher Learning Commission", url="https://www.hlcommission.org"
    )
    assert record.fields_of_study == (
        FieldOfStudy(scheme="CIP", code="30.7001", label="Data Science, General"),
    )
    assert (record.valid_from, record.valid_until) == (date(2024, 1, 15), date(2027, 12, 31))
    assert record.status is Status.ACTIVE
    assert record.url == "https://www.northwind.example.edu/micro/data-analytics"
    assert record.framework_listed is None


def test_course_maps_blended_delivery_and_an_exam_to_testing() -> None:
    record = records("graph_microcredential.json")[COURSE]
    assert record.credential_type is CredentialType.COURSE
    assert record.participation_forms == (ParticipationForm.BLENDED,)
    assert record.assessment_types == (AssessmentType.TESTING,)
    assert record.assessment_original == ("assessMethod:Exam",)


def test_course_duration_range_uses_the_minimum_with_a_warning() -> None:
    record = records("graph_microcredential.json")[COURSE]
    assert record.workload is not None
    assert record.workload.hours == 30.0
    assert any("PT30H to PT45H" in w for w in record.warnings)


def test_course_teaches_prerequisites_and_suspended_status() -> None:
    record = records("graph_microcredential.json")[COURSE]
    assert record.skills == (
        Skill(label="Build charts with matplotlib", framework="Northwind Data Skills Framework"),
    )
    assert record.learning_outcomes == (
        LangString(value="Build charts with matplotlib", lang="en"),
    )
    assert record.prerequisites == (LangString(value="Basic Python programming", lang="en"),)
    assert record.status is Status.UNKNOWN
    assert any("lifeCycle:Suspended" in w for w in record.warnings)
    assert record.awarding_bodies == (NORTHWIND,)


def test_legacy_plain_strings_have_no_language_and_keep_the_urn_ctid() -> None:
    (record,) = records("legacy_certificate.json").values()
    assert record.local_id == "urn:ctid:3f71f6d9-4779-459d-8286-728c648fbbd6"
    assert record.titles == (LangString(value="Certified Welding Inspector", lang=None),)
    assert record.description == (
        LangString(value="Prepares inspectors for the CWI examination.", lang=None),
    )
    assert record.languages == ("en",)  # "English"


def test_legacy_inline_organisation_with_free_text_country() -> None:
    (record,) = records("legacy_certificate.json").values()
    assert record.credential_type is CredentialType.CERTIFICATE
    assert record.awarding_bodies == (
        Organisation(
            name="American Welding Institute",
            url="http://www.weldinginstitute.example.org",
            country="US",
        ),
    )
    assert record.issuer_country == ("US",)


def test_legacy_status_level_assessment_and_a_bad_date() -> None:
    (record,) = records("legacy_certificate.json").values()
    assert record.status is Status.WITHDRAWN  # credentialStat:Deprecated
    assert record.level is not None
    assert record.level.framework_level == "Professional Level"
    assert record.level.eqf is None
    # RECORD.md's assessment table has no row for a CTDL performance assessment: OTHER, kept.
    assert record.assessment_types == (AssessmentType.OTHER,)
    assert record.assessment_original == ("assessMethod:Performance",)
    assert any("assessMethod:Performance" in w for w in record.warnings)
    assert record.valid_from is None
    assert any("dateEffective" in w for w in record.warnings)
    assert record.workload is None  # costs are not workload


def test_resource_without_a_name_is_quarantined_with_its_ctid() -> None:
    (raw,) = split_document(load("malformed_no_name.json"))  # type: ignore[arg-type]
    with pytest.raises(InvalidRecordError) as caught:
        CtdlConnector().normalise(raw)
    assert caught.value.local_id == "ce-0b9d1f6e-5a3c-4e2b-9d7a-6c1e2f3a4b5c"
    assert "ceterms:name" in caught.value.reason


def test_resource_without_a_ctid_is_quarantined() -> None:
    raw = RawRecord(data={"@type": "ceterms:Certificate", "ceterms:name": {"en-US": "No id"}})
    with pytest.raises(InvalidRecordError, match="ctid"):
        CtdlConnector().normalise(raw)


def test_a_document_that_is_not_an_object_is_quarantined() -> None:
    (raw,) = split_document(["not", "a", "resource"])
    with pytest.raises(InvalidRecordError, match="JSON object"):
        CtdlConnector().normalise(raw)


def test_organisations_and_assessments_alone_give_no_records() -> None:
    org = load("resources/ce-f345cd2c-98f1-4c19-9071-d9d5f8c6741e.json")
    assessment = {"@type": "ceterms:AssessmentProfile", "ceterms:ctid": "ce-x"}
    assert split_document(org) == []  # type: ignore[arg-type]
    assert split_document(assessment) == []


def test_degree_is_other_with_the_ctdl_type_in_a_warning() -> None:
    raw = RawRecord(
        data={
            "@type": "ceterms:BachelorDegree",
            "@id": "https://credentialengineregistry.org/resources/ce-8669d5c6-566b-4409-9fff-f09753605d13",
            "ceterms:name": {"en-US": "Bachelor of Science in Cybersecurity"},
        }
    )
    record = CtdlConnector().normalise(raw)
    assert record.local_id == "ce-8669d5c6-566b-4409-9fff-f09753605d13"  # from @id
    assert record.credential_type is CredentialType.OTHER
    assert any("ceterms:BachelorDegree" in w for w in record.warnings)


def test_envelope_updated_at_is_the_record_updated_at() -> None:
    document = load("graph_microcredential.json")
    envelope = {"envelope_id": "e1", "updated_at": "2024-03-02T09:30:00.000Z"}
    raw = split_document(document, envelope=envelope)[0]  # type: ignore[arg-type]
    record = CtdlConnector().normalise(raw)
    assert record.updated_at == datetime(2024, 3, 2, 9, 30, tzinfo=UTC)


def test_normalise_is_pure_and_repeatable() -> None:
    first = records("graph_microcredential.json")
    second = records("graph_microcredential.json")
    assert first == second


def _credit(unit: str, value: float) -> RawRecord:
    alignment = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": unit}
    profile = {"@type": "ceterms:ValueProfile", "schema:value": value}
    profile["ceterms:creditUnitType"] = [alignment]  # type: ignore[assignment]
    return RawRecord(
        data={
            "@type": "ceterms:Course",
            "ceterms:ctid": "ce-3b1f0c2e-9d4a-4e6b-8f7c-5a2d1e0b9c8f",
            "ceterms:name": {"en-US": "Credit-bearing course"},
            "ceterms:creditValue": [profile],
        }
    )


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("creditUnit:ECTS", Workload(ects=5.0, hours=137.5, derived=True)),
        ("creditUnit:ClockHour", Workload(hours=40.0, ects=1.5, derived=True)),
        ("creditUnit:QuarterHour", Workload()),
    ],
)
def test_credit_units_ects_and_clock_hours_convert_but_us_credit_hours_do_not(
    unit: str, expected: Workload
) -> None:
    value = 5.0 if unit.endswith("ECTS") else 40.0
    record = CtdlConnector().normalise(_credit(unit, value))
    assert record.workload is not None
    assert (record.workload.ects, record.workload.hours, record.workload.derived) == (
        expected.ects,
        expected.hours,
        expected.derived,
    )
    assert record.workload.original_unit == unit
    if unit.endswith("QuarterHour"):
        assert any("no conversion" in w for w in record.warnings)


def test_identity_is_the_ctid_the_sameas_links_and_the_subject_webpage() -> None:
    data = load("graph_microcredential.json")
    assert isinstance(data, dict)
    node = next(n for n in data["@graph"] if n.get("ceterms:ctid") == MICRO)
    node["ceterms:sameAs"] = ["https://europa.eu/europass/en/opportunity/abc/"]
    node["ceterms:subjectWebpage"] = "http://Northwind.example.edu/micro/?utm_source=ce"
    raw = next(r for r in split_document(data, source_url="x") if r.local_id == MICRO)
    found = CtdlConnector().normalise(raw).identifiers
    assert found[0] == Identifier(scheme="ctid", value=MICRO)
    assert Identifier(scheme="uri", value="https://europa.eu/europass/en/opportunity/abc") in found
    assert found[-1] == Identifier(scheme="url", value="https://northwind.example.edu/micro")
