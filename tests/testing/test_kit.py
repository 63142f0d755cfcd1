"""The conformance kit must fail a broken connector, naming the check it broke."""

from __future__ import annotations

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
from microcred_hub.testing import ConformanceError, ConnectorConformance, run_all_checks

SCENARIO = Path(__file__).parent / "scenario"


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
