"""The schedule: when a source is due, and never two harvests of one source at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from microcred_hub.config import HubConfig, SourceConfig, parse_config
from microcred_hub.errors import ConfigError
from microcred_hub.runtime import Hub
from microcred_hub.runtime.scheduler import RETRY_BASE_SECONDS, due_in
from microcred_hub.state import SourceState
from tests.support.registers import nzqa_app, start

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SOURCE = SourceConfig(
    key="nzqa", connector="nzqa", url="http://127.0.0.1:1/", interval_seconds=3600
)


def state(**fields: object) -> SourceState:
    return SourceState(key="nzqa", connector="nzqa", url=SOURCE.url, **fields)  # type: ignore[arg-type]


def test_a_source_never_harvested_is_due_now() -> None:
    assert due_in(None, SOURCE, NOW) == 0.0
    assert due_in(state(), SOURCE, NOW) == 0.0


def test_a_source_is_due_its_interval_after_the_last_success() -> None:
    done = state(last_success_at=NOW - timedelta(minutes=20))
    assert due_in(done, SOURCE, NOW) == 40 * 60


def test_an_overdue_source_is_due_now() -> None:
    assert due_in(state(last_success_at=NOW - timedelta(hours=5)), SOURCE, NOW) == 0.0


def test_failures_back_off_doubling_from_the_base() -> None:
    delays = [due_in(state(consecutive_failures=n), SOURCE, NOW) for n in (1, 2, 3)]
    assert delays == [RETRY_BASE_SECONDS, 2 * RETRY_BASE_SECONDS, 4 * RETRY_BASE_SECONDS]


def test_the_backoff_never_waits_longer_than_the_interval() -> None:
    assert due_in(state(consecutive_failures=20), SOURCE, NOW) == SOURCE.interval_seconds


def test_a_retry_comes_at_the_sooner_of_the_backoff_and_the_interval_end() -> None:
    nearly_due = state(
        last_success_at=NOW - timedelta(minutes=59, seconds=50), consecutive_failures=1
    )
    assert due_in(nearly_due, SOURCE, NOW) == 10.0
    just_done = state(last_success_at=NOW - timedelta(minutes=1), consecutive_failures=1)
    assert due_in(just_done, SOURCE, NOW) == RETRY_BASE_SECONDS


@pytest.fixture
async def config(tmp_path: Path) -> AsyncIterator[HubConfig]:
    runner, url = await start(nzqa_app())
    yield parse_config(
        f'[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\nurl = "{url}/microcredentials"\n',
        file="hub.toml",
        config_dir=tmp_path,
    )
    await runner.cleanup()


async def test_concurrent_requests_for_one_source_share_one_harvest(config: HubConfig) -> None:
    hub = Hub(config)
    await hub.start(schedule=False)
    try:
        first, second = await asyncio.gather(
            hub.scheduler.harvest(["nzqa"]), hub.scheduler.harvest(["nzqa"])
        )
        assert first == second
        assert first[0].ok and first[0].records > 0
    finally:
        await hub.stop()


async def test_a_source_whose_lock_is_held_elsewhere_is_skipped(config: HubConfig) -> None:
    hub = Hub(config)
    await hub.start(schedule=False)
    try:
        async with hub.store.harvest_lock("nzqa", 60) as held:
            assert held
            [summary] = await hub.scheduler.harvest(["nzqa"])
        assert summary.skipped and summary.ok and summary.records == 0
    finally:
        await hub.stop()


async def test_every_harvest_reaches_the_listeners_and_changes_the_cache_key(
    config: HubConfig,
) -> None:
    hub = Hub(config)
    seen: list[str] = []
    hub.scheduler.listeners.append(lambda summary: seen.append(summary.source))
    await hub.start(schedule=False)
    try:
        epoch = hub.cache_epoch()
        await hub.scheduler.harvest()
        assert seen == ["nzqa"]
        assert hub.cache_epoch() != epoch
        assert len(hub.index) > 0  # the feed brought the harvest into the index
    finally:
        await hub.stop()


async def test_triggering_an_unknown_source_is_a_config_error(config: HubConfig) -> None:
    hub = Hub(config)
    with pytest.raises(ConfigError, match="no source 'nzqaa'"):
        hub.scheduler.trigger(["nzqaa"])
