"""A register that sends too much, or names files it should not, costs nothing but its harvest.

Each harvest here fails cleanly: the last good data stays served, the source says STALE with a
reason naming the setting to raise, and the register was read only as far as the limits allow.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import microcred_hub
from microcred_hub.config import SourceConfig, parse_config
from microcred_hub.errors import ConfigError
from microcred_hub.fetch import FetchPolicy
from microcred_hub.harvest import harvest_source
from microcred_hub.state import SourceStatus
from microcred_hub.store.memory import MemoryStore
from microcred_hub_connectors.edubadges import EdubadgesConnector, EdubadgesOptions
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.support.hostile import ITEMS, HostileRegister

DEMO = Path(microcred_hub.__file__).resolve().parent / "demo"
SECRET_FILE_TEXT = "service-account-private-key-3f9d1c"


@pytest.fixture
async def register() -> AsyncIterator[HostileRegister]:
    async with HostileRegister() as reg:
        yield reg


async def _two_harvests(register: HostileRegister, **limits: object) -> tuple[object, MemoryStore]:
    """A good harvest of /feed, then the register turns hostile and the source is harvested again."""
    store = MemoryStore()
    await store.open()
    base = {"key": "reg", "connector": "nzqa", "url": register.url + "/feed", "retries": 0}
    good = await harvest_source(
        SourceConfig(**base),
        NzqaConnector(NzqaOptions()),
        store,  # type: ignore[arg-type]
    )
    assert good.ok and good.records == len(ITEMS)
    register.next_url = register.url + "/endless?page=1"
    register.page_bytes = 20_000
    source = SourceConfig(**{**base, **limits})  # type: ignore[arg-type]
    return await harvest_source(source, NzqaConnector(NzqaOptions()), store), store


async def _assert_last_good_data_kept(store: MemoryStore, reason: str) -> None:
    records = await store.records("reg")
    assert len(records) == len(ITEMS) and all(r.withdrawn_at is None for r in records)
    state = next(s for s in await store.states() if s.key == "reg")
    assert state.status is SourceStatus.STALE
    assert state.last_error is not None and reason in state.last_error


async def test_an_endless_feed_stops_at_max_total_bytes(register: HostileRegister) -> None:
    summary, store = await _two_harvests(register, max_total_bytes=1_000_000)
    assert not summary.ok  # type: ignore[attr-defined]
    await _assert_last_good_data_kept(store, "max_total_bytes = 1000000")
    # five items of 20 kB a page: about ten pages fit in 1 MB, then the register is left alone
    assert register.seen.requests <= 1 + 12, register.seen.requests
    await store.close()


async def test_an_endless_feed_streams_so_max_records_stops_it_after_a_few_pages(
    register: HostileRegister,
) -> None:
    summary, store = await _two_harvests(register, max_records=40)
    assert not summary.ok  # type: ignore[attr-defined]
    await _assert_last_good_data_kept(store, "max_records = 40")
    # five records a page are handed over as each page arrives: the ninth page is the last read
    assert register.seen.requests <= 1 + 10, register.seen.requests
    await store.close()


async def test_a_harvest_over_max_records_fails_and_keeps_the_last_good_data(
    register: HostileRegister,
) -> None:
    store = MemoryStore()
    await store.open()
    source = SourceConfig(
        key="reg", connector="nzqa", url=register.url + "/feed", retries=0, max_records=50
    )
    register.items = [{**ITEMS[0], "reference": f"R{i}"} for i in range(40)]
    assert (await harvest_source(source, NzqaConnector(NzqaOptions()), store)).ok
    register.items = [{**ITEMS[0], "reference": f"R{i}"} for i in range(60)]
    summary = await harvest_source(source, NzqaConnector(NzqaOptions()), store)
    assert not summary.ok and "max_records = 50" in summary.errors[0]
    records = await store.records("reg")
    assert len(records) == 40 and all(r.withdrawn_at is None for r in records)
    state = next(s for s in await store.states() if s.key == "reg")
    assert state.status is SourceStatus.STALE
    await store.close()


@pytest.mark.parametrize("key", ["max_records", "max_total_bytes", "max_bytes"])
def test_a_limit_below_one_stops_start_up_naming_the_key(key: str) -> None:
    text = f"""
[[sources]]
key = "reg"
connector = "nzqa"
url = "https://register.example/feed"
{key} = 0
"""
    with pytest.raises(ConfigError, match=rf"sources\[0\]\.{key}: must be at least 1"):
        parse_config(text, file="hub.toml", config_dir=Path("."))


def test_the_default_limits_fit_a_real_register_not_a_hostile_one() -> None:
    source = SourceConfig(key="reg", connector="nzqa", url="https://register.example/feed")
    assert source.max_bytes <= 10 * 1024 * 1024
    assert source.max_total_bytes <= 256 * 1024 * 1024
    assert source.max_records <= 500_000
    assert FetchPolicy().max_bytes <= 10 * 1024 * 1024
    assert NzqaOptions().max_pages <= 1_000


@pytest.fixture
def badges(tmp_path: Path) -> Path:
    """The demo edubadges register as files, next to a secret the catalog tries to reach."""
    folder = tmp_path / "registers" / "edubadges"
    folder.mkdir(parents=True)
    (folder / "badges").mkdir()
    rows = json.loads((DEMO / "edubadges" / "catalog.json").read_text())[:2]
    for row in rows:
        name = f"{row['entityId']}.json"
        (folder / "badges" / name).write_bytes((DEMO / "edubadges" / "badges" / name).read_bytes())
    secrets = tmp_path / "registers" / "secrets"
    secrets.mkdir()
    (secrets / "service-account.json").write_text(
        json.dumps({"name": SECRET_FILE_TEXT, "key": SECRET_FILE_TEXT}), encoding="utf-8"
    )
    hostile = {**rows[0], "entityId": "../../secrets/service-account"}
    (folder / "catalog.json").write_text(json.dumps([*rows, hostile]), encoding="utf-8")
    return folder


async def test_a_path_traversing_entity_id_never_reads_outside_the_source_folder(
    badges: Path,
) -> None:
    store = MemoryStore()
    await store.open()
    source = SourceConfig(key="edu", connector="edubadges", url=badges.as_uri())
    options = EdubadgesOptions(catalog_path="/catalog.json", detail_path="/badges/{entityId}.json")
    summary = await harvest_source(source, EdubadgesConnector(options), store)
    assert summary.ok and summary.records == 2 and summary.quarantined == 1, summary
    (refused,) = await store.quarantined("edu")
    assert "leaves the source's folder" in refused.reason
    shown = json.dumps([[q.reason, q.raw_excerpt] for q in await store.quarantined("edu")])
    shown += json.dumps([r.title for r in await store.records("edu")])
    assert SECRET_FILE_TEXT not in shown
    await store.close()
