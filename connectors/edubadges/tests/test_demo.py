"""The bundled demo register (src/microcred_hub/demo/edubadges) read as the demo config reads it."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.sdk import CredentialType, ParticipationForm, RawRecord, RecordDraft, Supervision
from microcred_hub.testing import TestFetcher
from microcred_hub_connectors.edubadges import EdubadgesConnector, EdubadgesOptions

DEMO = Path(__file__).resolve().parents[3] / "src" / "microcred_hub" / "demo" / "edubadges"
OPTIONS = EdubadgesOptions(catalog_path="/catalog.json", detail_path="/badges/{entityId}.json")


async def demo_records(harvest) -> list[RecordDraft]:
    items = await harvest(DEMO.as_uri(), OPTIONS, fetcher=TestFetcher(allow_files=True))
    connector = EdubadgesConnector(OPTIONS)
    return [connector.normalise(item) for item in items if isinstance(item, RawRecord)]


async def test_demo_register_reads_through_file_urls_without_quarantine(harvest) -> None:
    records = await demo_records(harvest)
    assert len(records) == 27
    assert len({r.local_id for r in records}) == 27


async def test_demo_register_is_varied(harvest) -> None:
    records = await demo_records(harvest)
    ects = [r.workload.ects for r in records if r.workload and r.workload.ects is not None]
    assert min(ects) == 1
    assert max(ects) == 15
    assert {4, 5, 6, 7} <= {r.level.eqf for r in records if r.level}
    assert [r.level.framework_level for r in records if r.level and r.level.eqf is None] == ["3.5"]
    assert any(r.workload and r.workload.original_unit == "hours" for r in records)
    assert {"nl", "en"} == {lang for r in records for lang in r.languages}
    assert len({r.awarding_bodies[0].name for r in records}) >= 10
    assert {r.supervision for r in records} >= set(Supervision)
    forms = {f for r in records for f in r.participation_forms}
    assert forms >= {ParticipationForm.ONLINE, ParticipationForm.ONSITE, ParticipationForm.BLENDED}
    assert {r.credential_type for r in records} == {
        CredentialType.MICRO_CREDENTIAL,
        CredentialType.BADGE,
    }
    assert all(r.issuer_country == ("NL",) for r in records)
