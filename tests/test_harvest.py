"""A register that fails in any of the ways real ones do never costs a good record.

Each case: a good harvest first, then the register misbehaves; the store must still serve every
record, the source must say STALE with a readable error, and nothing may be withdrawn.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from microcred_hub.config import SourceConfig
from microcred_hub.harvest import harvest_source
from microcred_hub.record import Status
from microcred_hub.state import SourceStatus
from microcred_hub.store.memory import MemoryStore
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.support.registers import NZQA_FIXTURES, Faults, nzqa_app, nzqa_page, start

RECORDS = 12


@dataclass
class Rig:
    app: web.Application
    url: str
    store: MemoryStore
    source: SourceConfig

    @property
    def faults(self) -> Faults:
        return self.app["faults"]  # type: ignore[no-any-return]

    async def harvest(self, **overrides: object):  # type: ignore[no-untyped-def]
        source = SourceConfig(**{**self._base(), **overrides})  # type: ignore[arg-type]
        return await harvest_source(source, NzqaConnector(NzqaOptions(page_size=5)), self.store)

    def _base(self) -> dict[str, object]:
        return {
            "key": "nzqa",
            "connector": "nzqa",
            "url": f"{self.url}/microcredentials",
            "timeout_seconds": 2.0,
            "retries": 2,
        }

    async def state(self):  # type: ignore[no-untyped-def]
        return next(s for s in await self.store.states() if s.key == "nzqa")


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    app = nzqa_app()
    runner, url = await start(app)
    store = MemoryStore()
    await store.open()
    rig = Rig(app, url, store, SourceConfig(key="nzqa", connector="nzqa", url=url))
    first = await rig.harvest()
    assert first.ok and first.records == RECORDS
    yield rig
    await store.close()
    await runner.cleanup()


async def assert_last_good_data_kept(rig: Rig) -> None:
    records = await rig.store.records("nzqa")
    assert len(records) == RECORDS
    assert all(r.withdrawn_at is None for r in records)  # (Discontinued listings are WITHDRAWN)
    state = await rig.state()
    assert state.status is SourceStatus.STALE
    assert state.record_count == RECORDS
    assert state.last_error


@pytest.mark.parametrize(
    ("mode", "expected_error"),
    [
        ("500", "HTTP 500"),
        ("503", "HTTP 503"),
        ("hang", "timed out"),
        ("cut", "mid-body"),
        ("truncated", "valid JSON"),
        ("html", "text/html"),
        ("huge", "exceeds the limit"),
        ("redirect-loop", "redirects"),
    ],
)
async def test_a_failing_register_keeps_the_last_good_data_and_says_why(
    rig: Rig, mode: str, expected_error: str
) -> None:
    rig.faults.mode = mode
    rig.faults.etags = False  # a body to spoil: an answer of 304s has none
    summary = await rig.harvest(max_bytes=1_000_000, timeout_seconds=0.5, retries=1)
    assert not summary.ok
    assert expected_error in summary.errors[0]
    await assert_last_good_data_kept(rig)
    assert expected_error in (await rig.state()).last_error


async def test_transient_failures_are_retried_then_the_harvest_succeeds(rig: Rig) -> None:
    rig.faults.mode = "flaky"
    rig.faults.fail_times = 2
    before = rig.faults.requests
    summary = await rig.harvest(retries=3)
    assert summary.ok, summary.errors
    assert rig.faults.failures == 2
    assert rig.faults.requests - before >= 3 + 2
    assert (await rig.state()).status is SourceStatus.OK


async def test_only_retryable_failures_are_retried(rig: Rig) -> None:
    rig.app["pages"] = []  # every page 404s: not worth retrying
    before = rig.faults.requests
    summary = await rig.harvest(retries=3)
    assert not summary.ok and "HTTP 404" in summary.errors[0]
    assert rig.faults.requests - before == 1


async def test_a_register_answering_nothing_does_not_wipe_the_source(rig: Rig) -> None:
    rig.app["pages"] = [nzqa_page([])]
    summary = await rig.harvest()
    assert not summary.ok and "no records" in summary.errors[0]
    await assert_last_good_data_kept(rig)


async def test_a_first_harvest_that_fails_marks_the_source_failing() -> None:
    app = nzqa_app()
    app["faults"].mode = "500"
    runner, url = await start(app)
    store = MemoryStore()
    await store.open()
    source = SourceConfig(key="nzqa", connector="nzqa", url=f"{url}/microcredentials", retries=0)
    summary = await harvest_source(source, NzqaConnector(NzqaOptions()), store)
    assert not summary.ok
    state = next(s for s in await store.states() if s.key == "nzqa")
    assert state.status is SourceStatus.FAILING and state.record_count == 0
    await runner.cleanup()


async def test_links_to_other_hosts_are_refused(rig: Rig) -> None:
    page = json.loads((NZQA_FIXTURES / "feed-page-1.json").read_text())
    page["next"] = "http://169.254.169.254/latest/meta-data?page=2"
    rig.app["pages"] = [json.dumps(page).encode()]
    summary = await rig.harvest()
    assert not summary.ok and "not allowed" in summary.errors[0]
    await assert_last_good_data_kept(rig)


async def test_an_unchanged_reharvest_uses_304s_and_writes_nothing(rig: Rig) -> None:
    version = await rig.store.version()
    before = rig.faults.not_modified
    summary = await rig.harvest()
    assert summary.ok
    assert rig.faults.not_modified - before >= 1  # conditional GET answered 304
    assert (summary.added, summary.changed, summary.removed) == (0, 0, 0)
    assert summary.records == RECORDS
    assert await rig.store.version() == version


async def test_an_unchanged_page_keeps_its_quarantined_items(rig: Rig) -> None:
    pages = [json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)]
    pages[1]["items"].append("not a listing")
    rig.app["pages"] = [json.dumps(p).encode() for p in pages]
    changed = await rig.harvest()
    assert changed.ok and changed.quarantined == 2  # the fixture feed has one of its own
    quarantined = await rig.store.quarantined("nzqa")
    assert any("feed item is a JSON str, not an object" in q.reason for q in quarantined)
    before = rig.faults.not_modified
    unchanged = await rig.harvest()
    assert unchanged.ok and rig.faults.not_modified - before == 3  # every page answered 304
    assert await rig.store.quarantined("nzqa") == quarantined
    assert (await rig.state()).quarantined_count == 2


async def test_a_listing_that_disappears_is_marked_withdrawn_not_dropped(rig: Rig) -> None:
    pages = [json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)]
    gone = pages[0]["items"].pop(0)["reference"]
    rig.app["pages"] = [json.dumps(p).encode() for p in pages]
    summary = await rig.harvest()
    assert summary.ok and summary.removed == 1
    record = await rig.store.get(f"nzqa:{gone}")
    assert record is not None
    assert record.status is Status.WITHDRAWN and record.withdrawn_at is not None
    assert (await rig.state()).record_count == RECORDS - 1


async def test_an_incremental_harvest_keeps_listings_it_did_not_return(rig: Rig) -> None:
    pages = [json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)]
    changed = pages[0]["items"][0]
    changed["title"] = "Apiary Management for Commercial Beekeepers (revised)"
    changed["lastModified"] = "2099-01-01T00:00:00+13:00"
    rig.app["pages"] = [json.dumps(p).encode() for p in pages]
    connector = NzqaConnector(NzqaOptions(page_size=5, incremental=True))
    source = SourceConfig(key="nzqa", connector="nzqa", url=f"{rig.url}/microcredentials")
    # The rig's harvest was a full pass; its time is in the connector state, so even a new
    # process (a new connector) goes incremental now.
    first = await harvest_source(source, connector, rig.store)
    assert first.ok and first.changed == 1
    assert "updatedSince" in rig.faults.paths[-1]
    changed["title"] = "Apiary Management (second revision)"
    changed["lastModified"] = "2099-02-01T00:00:00+13:00"
    rig.app["pages"] = [json.dumps(p).encode() for p in pages]
    second = await harvest_source(source, connector, rig.store)
    assert second.ok, second.errors
    assert "updatedSince" in rig.faults.paths[-1]
    assert (second.changed, second.removed, second.records) == (1, 0, RECORDS)
    record = await rig.store.get(f"nzqa:{changed['reference']}")
    assert record is not None and record.title == "Apiary Management (second revision)"
    assert all(r.withdrawn_at is None for r in await rig.store.records("nzqa"))
    nothing = await harvest_source(source, connector, rig.store)  # nothing changed since
    assert nothing.ok and (nothing.added, nothing.changed, nothing.removed) == (0, 0, 0)


async def test_a_source_that_keeps_failing_turns_from_stale_to_failing_and_recovers(
    rig: Rig,
) -> None:
    rig.faults.mode = "500"
    statuses = []
    for _ in range(3):
        await rig.harvest(retries=0)
        statuses.append((await rig.state()).status)
    assert statuses == [SourceStatus.STALE, SourceStatus.STALE, SourceStatus.FAILING]
    assert len(await rig.store.records("nzqa")) == RECORDS  # still served all along
    rig.faults.mode = "ok"
    assert (await rig.harvest()).ok
    state = await rig.state()
    assert state.status is SourceStatus.OK and state.consecutive_failures == 0


async def test_secrets_in_source_urls_never_reach_sources_or_errors(rig: Rig) -> None:
    rig.faults.mode = "500"
    await rig.harvest(url=f"{rig.url}/microcredentials?api_key=s3cr3t&page=1", retries=0)
    state = await rig.state()
    assert "s3cr3t" not in (state.last_error or "") and "s3cr3t" not in state.url
    assert "api_key=%2A%2A%2A" in state.url or "api_key=***" in state.url
