"""The documented quirk outcomes over the shared NZQA-like samples (samples/nzqa/QUIRKS.md).

The samples live next to the repository, not in it: every test here skips in a user's clone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from microcred_hub.sdk import (
    FieldOfStudy,
    InvalidRecordError,
    ParticipationForm,
    RawRecord,
    RecordDraft,
    Status,
)
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "nzqa"

pytestmark = pytest.mark.skipif(
    not (SAMPLES / "feed-page-1.json").is_file(),
    reason=f"shared NZQA-like samples not found at {SAMPLES} (only in the project workspace)",
)


async def harvest_drafts(
    start_register, harvest, options: NzqaOptions, path: str
) -> tuple[list[RawRecord], dict[str, RecordDraft], dict[str, InvalidRecordError]]:
    register = await start_register(SAMPLES)
    connector = NzqaConnector(options)
    items, _ = await harvest(connector, register.base + path)
    raws: list[RawRecord] = []
    for item in items:
        if isinstance(item, RawRecord):  # a later record that replaces takes the earlier's place
            raws = [r for r in raws if not (item.replaces and r.local_id == item.local_id)]
            raws.append(item)
    drafts: dict[str, RecordDraft] = {}
    quarantined: dict[str, InvalidRecordError] = {}
    for raw in raws:
        try:
            draft = connector.normalise(raw)
        except InvalidRecordError as exc:
            quarantined[exc.local_id or "?"] = exc
        else:
            drafts[draft.local_id] = draft
    return raws, drafts, quarantined


@pytest.fixture
async def json_feed(start_register, harvest):
    return await harvest_drafts(start_register, harvest, NzqaOptions(), "microcredentials")


@pytest.fixture
async def csv_export(start_register, harvest):
    return await harvest_drafts(start_register, harvest, NzqaOptions(format="csv"), "export.csv")


def test_feed_has_30_items_and_29_distinct_references() -> None:
    items = []
    for page in (1, 2, 3):
        items += json.loads((SAMPLES / f"feed-page-{page}.json").read_text("utf-8"))["items"]
    assert len(items) == 30
    assert len({i["reference"] for i in items}) == 29


async def test_harvest_yields_29_and_quarantines_only_mc4180(json_feed) -> None:
    raws, drafts, quarantined = json_feed
    assert len(raws) == 29
    assert set(quarantined) == {"MC4180"}
    assert "no title" in quarantined["MC4180"].reason
    assert "'abc'" in quarantined["MC4180"].reason
    assert len(drafts) == 28


async def test_documented_quirk_outcomes(json_feed) -> None:
    _, d, _ = json_feed
    level = d["MC4144"].level
    assert level is not None
    assert (level.eqf, level.framework_level) == (None, "8")
    workload = d["MC4089"].workload
    assert workload is not None
    assert (workload.hours, workload.ects, workload.derived) == (
        150,
        7.5,
        True,
    )
    assert d["MC4089"].level is not None
    assert d["MC4089"].level.eqf == 4
    assert d["MC4037"].workload is not None
    assert d["MC4037"].workload.hours == 200
    assert d["MC4173"].level is not None
    assert d["MC4173"].level.framework_level == "7"
    assert d["MC4024"].title == "Te Reo Māori: Kōrero i te Wāhi Mahi"
    assert d["MC4102"].title == "Tikanga Māori for Early Childhood Kaiako"
    assert d["MC4130"].title == "Dairy Effluent Management and Compliance"
    assert (d["MC4030"].status, d["MC4158"].status) == (Status.EXPIRED, Status.WITHDRAWN)
    assert len(d["MC4123"].learning_outcomes) == 3
    assert len(d["MC4151"].awarding_bodies) == 1  # the developer only
    assert [b.name for b in d["MC4011"].awarding_bodies][1:] == [
        "Te Pūkenga – Careerforce",
        "NZMA",
        "Te Wānanga o Aotearoa",
    ]
    assert d["MC4019"].participation_forms == (ParticipationForm.ONLINE,)
    assert d["MC4068"].participation_forms == (
        ParticipationForm.BLENDED,
        ParticipationForm.WORK_BASED,
    )
    qa = d["MC4192"].quality_assurance
    assert qa is not None
    assert qa.body == "Universities New Zealand – CUAP"
    assert d["MC4192"].level is not None
    assert d["MC4192"].level.eqf == 7
    mc4042 = d["MC4042"]
    assert mc4042.workload is not None
    assert mc4042.workload.hours == 250
    assert "Te Pūkenga – UCOL" in [b.name for b in mc4042.awarding_bodies]


async def test_only_clean_mappings_no_warnings(json_feed) -> None:
    _, drafts, _ = json_feed
    assert {ref: d.warnings for ref, d in drafts.items() if d.warnings} == {}


async def test_csv_export_undoes_spreadsheet_damage(csv_export, json_feed) -> None:
    raws, d, quarantined = csv_export
    assert len(raws) == 29
    assert set(quarantined) == {"MC4180"}
    assert d["MC4110"].fields_of_study == (FieldOfStudy(scheme="NZSCED", code="031101"),)
    assert d["MC4011"].fields_of_study[0].code == "069999"
    assert d["MC4048"].fields_of_study[0].code == "110103"
    assert d["MC4003"].valid_from == date(2020, 3, 12)
    assert [b.name for b in d["MC4011"].awarding_bodies][1:] == [
        "Te Pūkenga – Careerforce",
        "NZMA",
        "Te Wānanga o Aotearoa",
    ]
    assert len(d["MC4151"].awarding_bodies) == 1
    assert '"Take 5"' in d["MC4117"].description[0].value
    assert "," in d["MC4117"].description[0].value
    outcomes = json_feed[1]["MC4123"].learning_outcomes
    assert d["MC4123"].description[0].value.endswith(" ".join(o.value for o in outcomes))
    _, from_json, _ = json_feed
    for ref, draft in d.items():
        assert draft.fields_of_study == from_json[ref].fields_of_study, ref
        assert draft.valid_from == from_json[ref].valid_from, ref
        assert draft.level == from_json[ref].level, ref
        assert draft.workload == from_json[ref].workload, ref
