"""The real CTDL examples of ``../shared/samples/ctdl`` (only in the project's workspace)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    CredentialType,
    FieldOfStudy,
    LangString,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    RawRecord,
    RecordDraft,
    Status,
)
from microcred_hub_connectors.ctdl import CtdlConnector
from microcred_hub_connectors.ctdl.graph import split_document

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "ctdl"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AWS = "ctdl-xtra_wgu_openbadge_aws-cloud-devops_registry.json"
MBA = "ctdl-xtra_wgu_mba_registry.json"
BSCS = "ctdl-xtra_wgu_bs-computer-science_registry.json"
PROGRAM = "ingest-examples_LearningProgram-1-graph.json"
DEGREE = "ingest-examples_Credential-1-graph.json"
LEGACY_CREDENTIAL = "CredentialRegistry_fixture_credential_3_import_legacy.json"
LEGACY_LOPP = "CredentialRegistry_fixture_lopp_3_import_legacy.json"
WGU_CTID = "ce-036d082d-d80e-41a7-99a0-2d63a4ad3a4a"

#: file -> every record it gives, as (local id, credential type)
EXPECTED: dict[str, list[tuple[str, CredentialType]]] = {
    AWS: [("ce-727764d7-b909-4e5c-b26a-c4d0fced2159", CredentialType.BADGE)],
    MBA: [("ce-6977cef9-298a-4f1e-bdac-d66509887ebf", CredentialType.OTHER)],
    BSCS: [("ce-8f5a2e25-7a30-4eb0-ab9e-ab441ac928c6", CredentialType.OTHER)],
    DEGREE: [("ce-8669d5c6-566b-4409-9fff-f09753605d13", CredentialType.OTHER)],
    PROGRAM: [
        ("ce-23b0e606-545c-4383-8630-f97ec3b190fa", CredentialType.PROGRAMME),
        ("ce-7160aae4-5185-4564-95ab-428419974643", CredentialType.COURSE),
        ("ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1", CredentialType.COURSE),
        ("ce-991d72b1-c0fd-4d98-8294-6c47bc3a2122", CredentialType.COURSE),
    ],
    LEGACY_CREDENTIAL: [("ce-1A4AB486-8212-4708-B7D5-C5167FDD2B47", CredentialType.CERTIFICATE)],
    LEGACY_LOPP: [("ce-38A1CF5C-798E-469B-88AC-87231D5AE1C2", CredentialType.COURSE)],
}


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(
            f"sample {name} not present: ../shared/samples/ctdl exists only in the workspace"
        )
    return path


def records(name: str) -> list[RecordDraft]:
    document = json.loads(sample(name).read_text(encoding="utf-8"))
    connector = CtdlConnector()
    return [connector.normalise(raw) for raw in split_document(document, source_url=name)]


def one(name: str) -> RecordDraft:
    (record,) = records(name)
    return record


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_gives_the_expected_records_and_never_an_eqf_level(name: str) -> None:
    found = records(name)
    assert [(r.local_id, r.credential_type) for r in found] == EXPECTED[name]
    for record in found:
        assert record.title
        assert record.level is None or record.level.eqf is None


def test_every_sample_file_has_expectations() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples/ctdl exists only in the project's workspace")
    assert {p.name for p in SAMPLES.glob("*.json")} <= set(EXPECTED)


def test_aws_open_badge_is_a_badge_with_us_audience_levels() -> None:
    record = one(AWS)
    assert record.title == "WGU Certificate: AWS Cloud DevOps v1.1"
    assert record.level is not None
    assert record.level.framework == "US audience level"
    assert record.level.framework_level == (
        "audLevel:PostSecondaryLevel, audLevel:MastersDegreeLevel, audLevel:GraduateLevel"
    )
    assert record.url == "https://api.badgr.io/public/badges/a9STuosRQuOqLKKKYhB9dQ"
    assert record.status is Status.ACTIVE


def test_aws_badge_alone_names_its_unresolved_owner_in_a_warning() -> None:
    record = one(AWS)
    assert record.awarding_bodies == ()
    assert any(WGU_CTID in w for w in record.warnings)


async def test_aws_badge_from_a_registry_mirror_has_wgu_as_awarding_body(
    registry_server, harvest
) -> None:
    sample(AWS)
    server = await registry_server(SAMPLES)
    items, _ = await harvest(CtdlConnector(), server.make_url(f"/docs/{AWS}"))
    (raw,) = items
    assert isinstance(raw, RawRecord)
    record = CtdlConnector().normalise(raw)
    assert record.credential_type is CredentialType.BADGE
    assert record.awarding_bodies == (
        Organisation(
            name="Western Governors University",
            id=WGU_CTID,
            url="https://www.wgu.edu",
            country="US",
        ),
    )
    assert record.issuer_country == ("US",)
    assert record.level is not None
    assert record.level.eqf is None
    assert server.requests.count(f"/resources/{WGU_CTID}") == 1


def test_wgu_mba_cip_code_online_delivery_and_calendar_span_duration() -> None:
    record = one(MBA)
    assert record.fields_of_study == (
        FieldOfStudy(
            scheme="CIP", code="52.0201", label="Business Administration and Management, General"
        ),
    )
    assert record.participation_forms == (ParticipationForm.ONLINE,)
    assert record.workload is not None
    assert (record.workload.hours, record.workload.original_value) == (None, "P2Y")
    assert record.valid_from == date(2014, 4, 1)
    assert any("ceterms:MasterDegree" in w for w in record.warnings)


def test_wgu_computer_science_degree_has_its_cip_code() -> None:
    assert one(BSCS).fields_of_study[0].code == "11.0701"


def test_learning_program_is_blended_and_its_courses_are_records() -> None:
    program, *courses = records(PROGRAM)
    assert program.participation_forms == (ParticipationForm.BLENDED,)
    assert program.workload is not None
    assert program.workload.original_value == "P9M"
    assert program.workload.hours is None
    assert [c.title for c in courses] == [
        "Personal Growth Mastery",
        "Digital Skills Revolution",
        "Leadership and Innovation Excellence",
    ]
    assert courses[0].prerequisites[0] == LangString(
        value="High-school level of mathematics knowledge", lang="en"
    )


def test_example_degree_resolves_its_blank_node_quality_assurance_body() -> None:
    record = one(DEGREE)
    assert record.quality_assurance == QualityAssurance(
        name="Recognition",
        body="Example Town Cyber Security Jobs Center",
        url="https://example.com/#cybersecurityjobscenter",
    )


def test_legacy_credential_has_plain_strings_without_a_language() -> None:
    record = one(LEGACY_CREDENTIAL)
    assert record.titles == (
        LangString(value="Certified Occupational Therapy Assistant (COTA®)", lang=None),
    )
    assert record.languages == ("en",)
    assert record.quality_assurance is not None
    assert record.quality_assurance.body == "Indiana University East"


def test_legacy_learning_opportunity_is_in_person_with_days_read_as_hours() -> None:
    record = one(LEGACY_LOPP)
    assert record.participation_forms == (ParticipationForm.ONSITE,)
    # RECORD.md reads a duration as its hours: P5D (a five-day seminar) is 120 h.
    assert record.workload is not None
    assert record.workload.hours == 120.0
