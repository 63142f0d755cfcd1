"""The conformance kit must fail a broken connector, naming the check it broke."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import aiohttp
import pytest

from microcred_hub.sdk import (
    ConnectorInfo,
    ConnectorOptions,
    FetchError,
    HarvestContext,
    InvalidRecordError,
    RawRecord,
    RecordDraft,
    Unchanged,
    workload,
)
from microcred_hub.testing import (
    ConformanceError,
    ConnectorConformance,
    run_all_checks,
    run_check,
)

SCENARIO = Path(__file__).parent / "scenario"
ROOT = Path(__file__).resolve().parents[2]


class Options(ConnectorOptions, frozen=True):
    pass


class GoodConnector:
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="kit-good", version="1.0.0", description="a list of badges", register="test register"
    )
    options_type: ClassVar[type[ConnectorOptions]] = Options

    def __init__(self, options: Options) -> None:
        self.options = options

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        items = await ctx.fetcher.get_json(ctx.url)
        assert isinstance(items, list)
        for item in items:
            assert isinstance(item, dict)
            yield RawRecord(data=item, local_id=str(item.get("id")), source_url=ctx.url)

    def normalise(self, raw: RawRecord) -> RecordDraft:
        name = raw.data.get("name")
        if not isinstance(name, str):
            raise InvalidRecordError("no name", local_id=raw.local_id)
        warnings: list[str] = []
        return RecordDraft(
            local_id=str(raw.data["id"]),
            title=name,
            issuer_country=(str(raw.data["country"]),),
            workload=workload(warnings, ects=raw.data.get("ects")),
            warnings=tuple(warnings),
        )


class BypassesFetcher(GoodConnector):
    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        async with aiohttp.ClientSession() as session, session.get(ctx.url) as resp:
            await resp.read()
        async for item in super().fetch(ctx):
            yield item


class CrashesInNormalise(GoodConnector):
    def normalise(self, raw: RawRecord) -> RecordDraft:
        return super().normalise(RawRecord(data={"id": raw.data["name"]}))  # KeyError on c3


class Impure(GoodConnector):
    def normalise(self, raw: RawRecord) -> RecordDraft:
        draft = super().normalise(raw)
        return RecordDraft(local_id=draft.local_id, title=f"{draft.title} {time.perf_counter_ns()}")


class SwallowsErrors(GoodConnector):
    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        try:
            async for item in super().fetch(ctx):
                yield item
        except FetchError:
            return


class DuplicatesIds(GoodConnector):
    def normalise(self, raw: RawRecord) -> RecordDraft:
        draft = super().normalise(raw)
        return RecordDraft(local_id="same", title=draft.title)


class InvalidCountry(GoodConnector):
    def normalise(self, raw: RawRecord) -> RecordDraft:
        draft = super().normalise(raw)
        return RecordDraft(
            local_id=draft.local_id, title=draft.title, issuer_country=("Netherlands",)
        )


class WrongExpectation(GoodConnector):
    def normalise(self, raw: RawRecord) -> RecordDraft:
        draft = super().normalise(raw)
        return RecordDraft(
            local_id=draft.local_id, title=draft.title.upper(), issuer_country=draft.issuer_country
        )


async def test_a_good_connector_passes_every_check_but_the_skipped_one() -> None:
    passed = await run_all_checks(GoodConnector, SCENARIO)
    assert set(passed) == {
        "fetcher",
        "quarantine",
        "record",
        "ids",
        "pure",
        "expected",
        "stable",
        "empty",
        "retryable",
    }


@pytest.mark.parametrize(
    ("connector", "check"),
    [
        (BypassesFetcher, "fetcher"),
        (CrashesInNormalise, "quarantine"),
        (Impure, "pure"),
        (SwallowsErrors, "retryable"),
        (DuplicatesIds, "ids"),
        (InvalidCountry, "record"),
        (WrongExpectation, "expected"),
    ],
)
async def test_a_broken_connector_fails_naming_the_check(
    connector: type[GoodConnector], check: str
) -> None:
    with pytest.raises(ConformanceError) as err:
        await run_all_checks(connector, SCENARIO)
    assert err.value.check == check
    assert str(err.value).startswith(f"[{check}]")


async def test_an_unregistered_connector_fails_the_metadata_check() -> None:
    with pytest.raises(ConformanceError) as err:
        await run_all_checks(GoodConnector, SCENARIO, skip={"metadata": ""})
    assert err.value.check == "metadata"  # a skip without a reason is refused


async def test_metadata_check_runs_when_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").write_text(
        (SCENARIO / "scenario.toml").read_text().split("[skip]")[0]
    )
    for name in ("list.json", "empty.json"):
        (tmp_path / name).write_bytes((SCENARIO / name).read_bytes())
    with pytest.raises(ConformanceError) as err:
        await run_all_checks(GoodConnector, tmp_path)
    assert err.value.check == "metadata"
    assert "entry point" in str(err.value)


class TestTheKitAsAConnectorAuthorUsesIt(ConnectorConformance):
    connector = GoodConnector
    scenario = SCENARIO


class BlocksInFetch(GoodConnector):
    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        time.sleep(3)  # noqa: ASYNC251 - the blocking call the kit must survive
        async for item in super().fetch(ctx):
            yield item


def test_a_connector_that_blocks_fails_its_check_within_the_time_limit() -> None:
    started = time.monotonic()
    with pytest.raises(ConformanceError) as err:
        run_check(BlocksInFetch, SCENARIO, "record", time_limit=0.5)
    assert time.monotonic() - started < 2.5  # the kit did not wait for the connector
    assert err.value.check == "record"
    assert "did not finish within 0.5 s" in str(err.value)
    assert "ctx.fetcher" in str(err.value)


def test_a_scenario_without_a_malformed_record_fails_the_quarantine_check(
    tmp_path: Path,
) -> None:
    for name in ("scenario.toml", "empty.json"):
        (tmp_path / name).write_bytes((SCENARIO / name).read_bytes())
    valid = json.loads((SCENARIO / "list.json").read_text())[:2]
    (tmp_path / "list.json").write_text(json.dumps(valid))
    with pytest.raises(ConformanceError) as err:
        run_check(GoodConnector, tmp_path, "quarantine")
    assert "no fixture record was quarantined" in str(err.value)
    assert run_check(GoodConnector, SCENARIO, "quarantine") is None


def test_pytest_shows_one_test_per_check_with_each_failure_and_skip(tmp_path: Path) -> None:
    module = tmp_path / "test_impure.py"
    module.write_text(
        "from tests.testing.test_kit import SCENARIO, Impure\n"
        "from microcred_hub.testing import ConnectorConformance\n\n\n"
        "class TestImpure(ConnectorConformance):\n"
        "    connector = Impure\n"
        "    scenario = SCENARIO\n"
        "    skip = {'empty': 'this register is never empty'}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", str(module)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    out = done.stdout + done.stderr
    assert "FAILED" in out and "::test_pure" in out and "::test_stable" in out, out
    assert "PASSED" in out and "::test_record" in out, out
    assert "metadata: the kit's own test connectors are not installed" in out, out
    assert "empty: this register is never empty" in out, out
    # its title changes on every call: pure, stable and expected fail, each on its own
    assert "3 failed, 5 passed, 2 skipped" in out, out
