"""The connector over the real published examples in ../shared/samples (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred_hub.sdk import CredentialType, RawRecord, RecordDraft
from microcred_hub_connectors.openbadges import OpenBadgesConnector

# the repo's sibling folder; a user's clone does not have it
SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
FULL_OB3 = SAMPLES / "openbadges" / "1edtech_ob_v3p0_example_fullOpenBadge.json"
EDUCREDENTIALS = sorted((SAMPLES / "edubadges").glob("obv3-examples_*_full_*.json")) + sorted(
    (SAMPLES / "edubadges").glob("obv3-examples_*_minimal_*.json")
)


def sample(path: Path) -> RecordDraft:
    if not path.is_file():
        pytest.skip(f"{path.name} not present: the shared samples are not part of a user's clone")
    return OpenBadgesConnector().normalise(RawRecord(data=json.loads(path.read_text("utf-8"))))


def test_1edtech_full_open_badge_example() -> None:
    draft = sample(FULL_OB3)
    assert draft.local_id == "https://1edtech.edu/achievements/degree"
    assert draft.title == "1EdTech University Degree"
    assert draft.credential_type is CredentialType.OTHER  # achievementType "Degree"
    assert any('"Degree"' in w for w in draft.warnings)
    assert draft.workload is not None
    assert (draft.workload.ects, draft.workload.hours) == (None, None)
    assert (draft.workload.original_value, draft.workload.original_unit) == ("36.0", "credits")
    assert draft.level is None
    (body,) = draft.awarding_bodies
    assert (body.name, body.country, body.url) == (
        "1EdTech University",
        "US",
        "https://1edtech.edu",
    )
    assert len(draft.skills) == 2


@pytest.mark.parametrize(
    "path", EDUCREDENTIALS or [SAMPLES / "obv3-examples_absent.json"], ids=lambda p: p.name
)
def test_educredentials_examples_normalise(path: Path) -> None:
    draft = sample(path)
    assert draft.title
    assert draft.local_id.startswith("https://example.com/achievements/")
    # no achievementType in these examples: RECORD.md says BADGE
    assert draft.credential_type is CredentialType.BADGE
    assert draft.learning_outcomes == ()
    if "minimal" in path.name:
        assert draft.workload is None
        assert draft.level is None
    else:
        assert draft.level is not None
        assert draft.level.eqf in (4, 5)
        assert draft.workload is not None
        assert draft.workload.hours


def test_universiteit_van_harderwijk_microcredential() -> None:
    draft = sample(SAMPLES / "edubadges" / "obv3-examples_uvh_at_microcredential_full_1.json")
    assert draft.issuer_country == ("NL",)
    assert draft.languages == ("nl",)
    assert draft.workload is not None
    assert draft.workload.ects == 3.0
    assert draft.quality_assurance is not None
    assert draft.quality_assurance.url == "https://data.example.com/decisions/AV-7381"
    assert [f.code for f in draft.fields_of_study] == ["20121350"]


def test_mbo_microcredential_study_load_in_sbu() -> None:
    draft = sample(SAMPLES / "edubadges" / "obv3-examples_theed_microcredential_full_mbo.json")
    assert draft.workload is not None
    assert (draft.workload.hours, draft.workload.original_unit) == (500.0, "SBU")
