"""fetch against a real loopback edubadges register (aiohttp), through the real HttpFetcher."""

from __future__ import annotations

import time

import pytest

from microcred_hub.sdk import FatalFetchError, InvalidRecordError, RawRecord, Unchanged
from microcred_hub_connectors.edubadges import EdubadgesConnector, EdubadgesOptions

ECTS_EQF_35 = "IFPILf_Kq8IJujiJs3cTGG"
ARCHIVED = "HZIFl6wTvvgyp2WHHKbUFs"
PRIVATE = "JttefeBqpPCi0M6AtfNKOD"
NO_NAME = "lUqhzczM7Qsxh93Ap0pK28"
ARRAY = "zWs4jKeWzF9tBsJeGwQUPc"
MISSING = "TujMrlAPoyoieRcjBFYmiu"
#: catalog rows fetched by default: all but the archived and the private one
DEFAULT_IDS = {
    ECTS_EQF_35,
    "vR4_8kTWUyUZg1IJOxElxr",
    "guX-6m5XCFBdJATE5NHET6",
    "RMlrF-4dk9SrQK08AyLrSx",
    "eQjLpnmb_wZXTEGihicTy2",
    NO_NAME,
    ARRAY,
    MISSING,
}


def raw_records(items: list[RawRecord | Unchanged]) -> dict[str, RawRecord]:
    return {r.local_id: r for r in items if isinstance(r, RawRecord) and r.local_id}


def outcome(raw: RawRecord) -> str:
    try:
        EdubadgesConnector().normalise(raw)
    except InvalidRecordError as exc:
        return f"quarantined: {exc.reason}"
    return "ok"


async def test_details_are_asked_for_as_json_with_micro_and_issuer_expanded(
    register, harvest
) -> None:
    await harvest(register.url)
    details = register.detail_requests()
    assert {r.match_info["entity_id"] for r in details} == DEFAULT_IDS
    for request in details:
        assert request.headers["Accept"] == "application/json"
        assert request.query.getall("expand") == ["micro", "issuer"]


async def test_one_page_reported_per_request(register, harvest) -> None:
    pages: list[str] = []
    await harvest(register.url, pages=pages)
    assert pages[0].endswith("/queries/catalog/badge-classes")
    assert len(pages) == 1 + len(DEFAULT_IDS)


async def test_archived_and_private_rows_are_skipped_by_default(register, harvest) -> None:
    fetched = raw_records(await harvest(register.url))
    assert set(fetched) == DEFAULT_IDS


async def test_archived_and_private_rows_when_asked_for(register, harvest) -> None:
    options = EdubadgesOptions(include_archived=True, include_private=True)
    fetched = raw_records(await harvest(register.url, options))
    assert {ARCHIVED, PRIVATE} <= set(fetched)


async def test_only_micro_credentials(register, harvest) -> None:
    options = EdubadgesOptions(only_micro_credentials=True)
    fetched = raw_records(await harvest(register.url, options))
    assert set(fetched) == {ECTS_EQF_35, "vR4_8kTWUyUZg1IJOxElxr", "RMlrF-4dk9SrQK08AyLrSx"}


async def test_catalog_row_is_kept_under_catalog_key(register, harvest) -> None:
    fetched = raw_records(await harvest(register.url))
    raw = fetched[ECTS_EQF_35]
    row = raw.data["_catalog"]
    assert isinstance(row, dict)
    assert row["ins_name_dutch"] == "Hogeschool van Amsterdam"
    assert raw.source_url is not None
    assert raw.source_url.endswith(f"/public/badges/{ECTS_EQF_35}?expand=micro&expand=issuer")


async def test_concurrency_is_bounded_but_parallel(register, harvest) -> None:
    register.detail_delay = 0.05
    await harvest(register.url, EdubadgesOptions(concurrency=3))
    assert 1 < register.max_in_flight <= 3


async def test_slow_detail_does_not_hold_up_the_others(register, harvest) -> None:
    register.detail_delay = 0.02
    register.delays[ECTS_EQF_35] = 1.0  # first in the catalog
    started = time.monotonic()
    items = await harvest(register.url, EdubadgesOptions(concurrency=2))
    elapsed = time.monotonic() - started
    order = [r.local_id for r in items if isinstance(r, RawRecord)]
    assert order[-1] == ECTS_EQF_35  # the other seven went through the second slot meanwhile
    assert elapsed < 1.0 + 0.5


async def test_missing_and_malformed_details_are_quarantined_and_the_rest_lands(
    register, harvest
) -> None:
    fetched = raw_records(await harvest(register.url))
    outcomes = {local_id: outcome(raw) for local_id, raw in fetched.items()}
    assert outcomes.pop(MISSING).startswith("quarantined: detail not found (HTTP 404)")
    assert outcomes.pop(NO_NAME) == "quarantined: BadgeClass has no name; a title is required"
    assert outcomes.pop(ARRAY) == "quarantined: detail is a JSON list, not a BadgeClass object"
    assert set(outcomes.values()) == {"ok"}
    assert len(outcomes) == 5


async def test_detail_failing_after_retries_keeps_its_previous_version(register, harvest) -> None:
    register.statuses[ECTS_EQF_35] = 503
    items = await harvest(register.url)
    unchanged = [i for i in items if isinstance(i, Unchanged)]
    assert len(unchanged) == 1
    detail = f"/public/badges/{ECTS_EQF_35}?expand=micro&expand=issuer"
    assert unchanged[0].source_url.endswith(detail)
    assert len(raw_records(items)) == len(DEFAULT_IDS) - 1
    tries = [r for r in register.detail_requests() if r.match_info["entity_id"] == ECTS_EQF_35]
    assert len(tries) == 2  # the fetcher retried once (policy retries=1) before giving up


async def test_catalog_that_is_not_an_array_fails_the_harvest_naming_the_url(
    register, harvest
) -> None:
    register.catalog = {"results": []}
    with pytest.raises(FatalFetchError, match="/queries/catalog/badge-classes") as caught:
        await harvest(register.url)
    assert "not the catalog array" in str(caught.value)


async def test_wrong_detail_path_fails_the_harvest_instead_of_quarantining_everything(
    register, harvest
) -> None:
    options = EdubadgesOptions(detail_path="/public/badgeclasses/{entityId}")
    with pytest.raises(FatalFetchError, match="detail_path"):
        await harvest(register.url, options)


async def test_catalog_row_without_entity_id_is_quarantined(register, harvest) -> None:
    register.catalog = [{"name": "Orphan", "archived": 0, "isPrivate": 0}, *register.catalog]
    items = await harvest(register.url)
    orphans = [i for i in items if isinstance(i, RawRecord) and i.local_id is None]
    assert len(orphans) == 1
    assert outcome(orphans[0]) == (
        "quarantined: catalog row has no entityId, so its detail cannot be fetched"
    )


def test_entity_id_cannot_add_path_segments() -> None:
    url = EdubadgesConnector().detail_url("http://127.0.0.1:1/", "../queries/x")
    assert url == "http://127.0.0.1:1/public/badges/..%2Fqueries%2Fx?expand=micro&expand=issuer"


def test_options_reject_a_detail_path_without_entity_id() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError, match="entityId"):
        msgspec.convert({"detail_path": "/badges/x.json"}, EdubadgesOptions)
