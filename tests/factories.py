"""Realistic canonical records for tests, built directly as ``Microcredential`` structs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec

from microcred_hub.record import (
    AssessmentType,
    Completeness,
    CredentialType,
    FieldOfStudy,
    LangString,
    Level,
    Microcredential,
    Organisation,
    ParticipationForm,
    Provenance,
    QualityAssurance,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
    completeness_of,
    content_hash,
)

FETCHED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def make_record(
    local_id: str,
    title: str = "Introduction to data analysis",
    *,
    source: str = "nzqa",
    lang: str = "en",
    **fields: Any,
) -> Microcredential:
    """A record of ``source`` with sensible values; any field may be overridden by name."""
    values: dict[str, Any] = {
        "local_id": local_id,
        "title": title,
        "titles": (LangString(value=title, lang=lang),),
        "credential_type": CredentialType.MICRO_CREDENTIAL,
        "url": f"https://register.example/{source}/{local_id}",
        "issuer_country": ("NZ",),
        "awarding_bodies": (Organisation(name="Te Pūkenga", country="NZ"),),
        "languages": (lang,),
        "status": Status.ACTIVE,
    }
    values.update(fields)
    provisional = Microcredential(
        id=f"{source}:{local_id}",
        source=source,
        completeness=Completeness(score=0.0),
        provenance=Provenance(
            source=source,
            connector=source,
            connector_version="1.0.0",
            fetched_at=FETCHED,
            content_hash="",
            source_url=f"https://register.example/{source}/feed",
        ),
        **values,
    )
    return msgspec.structs.replace(
        provisional,
        completeness=completeness_of(provisional),
        provenance=msgspec.structs.replace(
            provisional.provenance, content_hash=content_hash(provisional)
        ),
    )


def sample_records() -> list[Microcredential]:
    """A small mixed catalogue: NZ, NL, IE and US records in several languages."""
    return [
        make_record(
            "MC4217",
            "Te reo Māori for the workplace",
            description=(
                LangString(value="Learn everyday Māori greetings and karakia.", lang="en"),
            ),
            learning_outcomes=(LangString(value="Use basic te reo Māori in meetings.", lang="en"),),
            workload=Workload(
                ects=7.5, hours=150, derived=True, original_value="15", original_unit="NZ credit"
            ),
            level=Level(eqf=4, framework="NZQCF", framework_level="4", derived=True),
            participation_forms=(ParticipationForm.ONLINE,),
            assessment_types=(AssessmentType.PORTFOLIO,),
            assessment_original=("portfolio",),
            framework_listed=True,
            stackability=Stackability.STANDALONE,
            quality_assurance=QualityAssurance(name="NZQA approval", body="NZQA"),
            fields_of_study=(FieldOfStudy(scheme="NZSCED", code="091501", label="Te Reo Māori"),),
            skills=(Skill(label="Māori language", uri="http://data.europa.eu/esco/skill/mi"),),
            valid_from=date(2023, 5, 1),
            updated_at=datetime(2024, 11, 2, tzinfo=UTC),
        ),
        make_record(
            "MC5001",
            "Running a small business",
            description=(LangString(value="Plan, run and grow a small business.", lang="en"),),
            workload=Workload(
                ects=5.0, hours=100, derived=True, original_value="10", original_unit="NZ credit"
            ),
            level=Level(framework="NZQCF", framework_level="8", derived=True),
            participation_forms=(ParticipationForm.BLENDED, ParticipationForm.ONSITE),
            assessment_types=(AssessmentType.TESTING,),
            framework_listed=True,
            stackability=Stackability.STACKABLE,
            awarding_bodies=(Organisation(name="University of Auckland", country="NZ"),),
            updated_at=datetime(2025, 1, 15, tzinfo=UTC),
        ),
        make_record(
            "abc123",
            "Duurzaam ondernemen",
            source="edubadges",
            lang="nl",
            titles=(
                LangString(value="Duurzaam ondernemen", lang="nl"),
                LangString(value="Sustainable entrepreneurship", lang="en"),
            ),
            description=(
                LangString(value="Je leert duurzame bedrijfsmodellen ontwerpen.", lang="nl"),
            ),
            learning_outcomes=(
                LangString(value="De student ontwerpt bedrijfsmodellen.", lang="nl"),
            ),
            issuer_country=("NL",),
            awarding_bodies=(Organisation(name="Universiteit Utrecht", country="NL"),),
            workload=Workload(
                ects=3.0, hours=82.5, derived=True, original_value="3", original_unit="ECTS"
            ),
            level=Level(eqf=6, derived=False),
            participation_forms=(ParticipationForm.ONLINE,),
            assessment_types=(AssessmentType.APPLICATION_OF_SKILL, AssessmentType.TESTING),
            supervision=Supervision.SUPERVISED_WITH_ID_CHECK,
            stackability=Stackability.STACKABLE,
            framework_listed=False,
            updated_at=datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
        ),
        make_record(
            "xyz",
            "Data-analyse met Python",
            source="edubadges",
            lang="nl",
            credential_type=CredentialType.BADGE,
            issuer_country=("NL",),
            awarding_bodies=(Organisation(name="universiteit utrecht", country="NL"),),
            workload=Workload(
                ects=1.0, hours=27.5, derived=True, original_value="1", original_unit="ECTS"
            ),
            level=Level(eqf=5),
            status=Status.WITHDRAWN,
            withdrawn_at=datetime(2025, 2, 1, tzinfo=UTC),
        ),
        make_record(
            "elm-1",
            "Digital skills for teachers",
            source="elm",
            lang="en",
            titles=(
                LangString(value="Digital skills for teachers", lang="en"),
                LangString(value="Scileanna digiteacha do mhúinteoirí", lang="ga"),
            ),
            learning_outcomes=(
                LangString(value="Teachers use digital tools in classrooms.", lang="en"),
            ),
            issuer_country=("IE",),
            awarding_bodies=(Organisation(name="Dublin City University", country="IE"),),
            workload=Workload(
                ects=10.0, hours=275, derived=True, original_value="10", original_unit="ECTS"
            ),
            level=Level(eqf=6, framework="NFQ", framework_level="8", derived=True),
            participation_forms=(ParticipationForm.BLENDED,),
            languages=("en", "ga"),
            status=Status.EXPIRED,
            valid_until=date(2024, 12, 31),
            updated_at=datetime(2023, 9, 1, tzinfo=UTC),
        ),
        make_record(
            "ce-42",
            "Certified cloud practitioner",
            source="ctdl",
            credential_type=CredentialType.CERTIFICATE,
            issuer_country=("US",),
            awarding_bodies=(Organisation(name="Cloud Academy", country="US"),),
            workload=Workload(
                hours=40, derived=False, original_value="PT40H", original_unit="duration"
            ),
            status=Status.UNKNOWN,
        ),
    ]
