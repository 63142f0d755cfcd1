"""Generated records rendered back into raw register formats (what a connector fetches).

The normalise benchmark feeds these to the real ``nzqa`` and ``edubadges`` connectors, so
the raw items look like the samples: NZQA-like feed items, edubadges Open Badges 2 details.
"""

from __future__ import annotations

from typing import Any

from microcred_hub.record import Microcredential, ParticipationForm, Stackability, Supervision

_NZ_STATUS = {"ACTIVE": "Current", "EXPIRED": "Expired", "WITHDRAWN": "Discontinued"}
_NZ_DELIVERY = {
    ParticipationForm.ONLINE: "Online",
    ParticipationForm.ONSITE: "On-site",
    ParticipationForm.BLENDED: "Blended",
    ParticipationForm.WORK_BASED: "Workplace",
}
_EDU_PARTICIPATION = {
    ParticipationForm.ONLINE: "online",
    ParticipationForm.ONSITE: "onsite",
    ParticipationForm.BLENDED: "blended",
    ParticipationForm.WORK_BASED: "work_experience",
    ParticipationForm.VOLUNTEERING: "volunteering",
}
_EDU_ASSESSMENT = {
    "TESTING": "written_exam",
    "APPLICATION_OF_SKILL": "professional_product",
    "PORTFOLIO": "portfolio",
    "RECOGNITION_OF_PRIOR_LEARNING": "recognition of prior learning",
}
_SUPERVISION = {
    Supervision.UNSUPERVISED_NO_ID_CHECK: ("0", "0"),
    Supervision.SUPERVISED_NO_ID_CHECK: ("1", "0"),
    Supervision.SUPERVISED_WITH_ID_CHECK: ("1", "1"),
    Supervision.OTHER: ("0", "1"),
}
_EXT = "https://api.edubadges.example/static/extensions/{0}/context.json"


def nzqa_item(record: Microcredential, version: int = 1) -> dict[str, Any]:
    """An NZQA-like feed item (samples/nzqa/README.md) saying what ``record`` says."""
    workload, level = record.workload, record.level
    body = record.awarding_bodies[0] if record.awarding_bodies else None
    developer = {"name": body.name, "providerNumber": body.id} if body else None
    qa = record.quality_assurance
    item: dict[str, Any] = {
        "reference": record.local_id,
        "version": version,
        "title": record.title,
        "credits": workload.original_value if workload else None,
        "level": int(level.framework_level) if level and level.framework_level else None,
        "nzsced": record.fields_of_study[0].code if record.fields_of_study else None,
        "purposeStatement": " ".join(t.value for t in record.description),
        "outcomeStatement": [t.value for t in record.learning_outcomes],
        "developer": developer,
        "providers": [developer] if developer else [],
        "standards": [],
        "approvalDate": record.valid_from.isoformat() if record.valid_from else None,
        "reviewPeriodYears": 3,
        "status": _NZ_STATUS.get(record.status.value, "Current"),
        "qualityAssuranceBody": qa.body if qa else None,
        "url": record.url,
        "lastModified": record.updated_at.isoformat() if record.updated_at else None,
    }
    if record.participation_forms:
        item["deliveryModes"] = [
            _NZ_DELIVERY.get(form, form.value.lower()) for form in record.participation_forms
        ]
    return item


def _extension(name: str, key: str, value: object) -> dict[str, Any]:
    return {"@context": _EXT.format(name), "type": ["Extension", f"extensions:{name}"], key: value}


def edubadges_badge(record: Microcredential) -> dict[str, Any]:
    """An edubadges public badge-class detail (Open Badges 2 + micro fields) for ``record``."""
    entity = record.local_id
    body = record.awarding_bodies[0].name if record.awarding_bodies else "Onbekend"
    lang = record.languages[0] if record.languages else "nl"
    badge: dict[str, Any] = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"https://api.edubadges.example/public/badges/{entity}",
        "name": record.title,
        "description": "\n\n".join(t.value for t in record.description),
        "image": f"https://api.edubadges.example/public/badges/{entity}/image",
        "criteria": {"narrative": "Je rondt de modules af."},
        "issuer": {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Issuer",
            "id": f"https://api.edubadges.example/public/issuers/{entity[:8]}",
            "name": body,
            "url": "https://www.example.nl",
            "extensions:InstitutionNameExtension": _extension(
                "InstitutionNameExtension", "InstitutionName", body
            ),
            "extensions:InstitutionCountryExtension": _extension(
                "InstitutionCountryExtension", "InstitutionCountry", "NL"
            ),
        },
        "alignment": [
            {"targetName": s.label, "targetUrl": s.uri, "targetFramework": s.framework}
            for s in record.skills
        ],
        "tags": [],
        "extensions:LanguageExtension": _extension(
            "LanguageExtension", "Language", f"{lang}_{lang.upper()}"
        ),
        "participation": ",".join(
            _EDU_PARTICIPATION.get(f, "other") for f in record.participation_forms
        )
        or None,
        "assessmentType": ",".join(
            _EDU_ASSESSMENT.get(a.value, "other") for a in record.assessment_types
        )
        or None,
        "qualityAssuranceName": record.quality_assurance.name if record.quality_assurance else None,
        "stackable": None
        if record.stackability is None
        else int(record.stackability is Stackability.STACKABLE),
        "typeBadgeClass": "micro_credential"
        if record.credential_type.value == "MICRO_CREDENTIAL"
        else "regular",
        "_catalog": {"entityId": entity, "name": record.title, "archived": 0, "isPrivate": 0},
    }
    if record.workload and record.workload.ects is not None:
        badge["extensions:ECTSExtension"] = _extension(
            "ECTSExtension", "ECTS", record.workload.ects
        )
    if record.level and record.level.eqf is not None:
        badge["extensions:EQFExtension"] = _extension("EQFExtension", "EQF", record.level.eqf)
    if record.learning_outcomes:
        badge["extensions:LearningOutcomeExtension"] = _extension(
            "LearningOutcomeExtension", "LearningOutcome", record.learning_outcomes[0].value
        )
    if record.supervision is not None:
        supervised, verified = _SUPERVISION[record.supervision]
        badge["assessmentSupervised"], badge["assessmentIdVerified"] = supervised, verified
    return badge
