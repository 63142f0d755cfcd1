"""The real edubadges examples in the shared samples folder, when this checkout has it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred_hub.sdk import CredentialType, JSONObject, RawRecord
from microcred_hub_connectors.edubadges import EdubadgesConnector

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "edubadges"
BADGE_CLASS = SAMPLES / "edubadges_github_io_ob2_badgeclass.json"
ISSUER = SAMPLES / "edubadges_github_io_ob2_issuer.json"

pytestmark = pytest.mark.skipif(
    not BADGE_CLASS.is_file(),
    reason=f"shared samples not present at {SAMPLES} (only in the project workspace)",
)


def load(path: Path) -> JSONObject:
    loaded: JSONObject = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_real_badge_class_normalises() -> None:
    record = EdubadgesConnector().normalise(RawRecord(data=load(BADGE_CLASS)))
    assert record.local_id == "EqLuTedxSEaQneSmWWlF4g"
    assert record.title == "Edubadge account complete"
    assert record.url == "https://api.edubadges.nl/public/badges/EqLuTedxSEaQneSmWWlF4g"
    assert record.credential_type is CredentialType.BADGE
    assert record.languages == ("en",)
    assert record.description[0].value.startswith("### Welcome to edubadges.")
    assert "* you have a basic understanding of edubadges," in record.learning_outcomes[0].value
    assert record.workload is None
    assert record.level is None
    assert record.warnings == ()


def test_real_badge_class_with_its_issuer_expanded() -> None:
    data = load(BADGE_CLASS)
    data["issuer"] = load(ISSUER)  # what expand=issuer does
    record = EdubadgesConnector().normalise(RawRecord(data=data))
    assert [(b.name, b.id) for b in record.awarding_bodies] == [
        ("SURF", "0000"),
        ("SURF - Team edubadges", "https://api.edubadges.nl/public/issuers/lQ67BQQQS-eBx5syJGpazg"),
    ]
    assert record.awarding_bodies[1].url == "https://surf.nl/edubadges"
    assert record.issuer_country == ()  # this issuer carries no InstitutionCountryExtension
