"""Paged JSON harvests against a real register on loopback, through the real HttpFetcher."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from microcred_hub.sdk import FatalFetchError, RawRecord, Unchanged
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions

DEMO = Path(__file__).resolve().parents[3] / "src" / "microcred_hub" / "demo" / "nzqa-feed.json"


def feed_url(register) -> str:
    return register.base + "microcredentials"


def page_url(register, page: int, size: int = 5) -> str:
    return f"{register.base}microcredentials?page={page}&pageSize={size}"


def records(items: list[RawRecord | Unchanged]) -> list[RawRecord]:
    """The records the hub keeps: a later one that ``replaces`` takes the earlier one's place."""
    out: list[RawRecord] = []
    for item in items:
        if isinstance(item, RawRecord):
            if item.replaces:
                out = [r for r in out if r.local_id != item.local_id]
            out.append(item)
    return out


async def test_harvest_follows_next_links_over_every_page(register, harvest) -> None:
    items, pages = await harvest(NzqaConnector(NzqaOptions()), feed_url(register))
    first = feed_url(register) + "?page=1&pageSize=100"
    assert pages == [first, page_url(register, 2), page_url(register, 3)]
    assert register.seen[0].query == {"page": "1", "pageSize": "100"}
    assert all(isinstance(i, RawRecord) for i in items)
    assert len(records(items)) == 13  # 14 items, MC5231 twice
    # streamed: MC5231 v1 (page 1) is given, then v2 (page 2) replaces it
    assert [(r.local_id, r.replaces) for r in items if r.local_id == "MC5231"] == [  # type: ignore[union-attr]
        ("MC5231", False),
        ("MC5231", True),
    ]
    assert Counter(r.source_url for r in records(items))[first] == 4


async def test_higher_version_of_a_duplicate_reference_wins(register, harvest) -> None:
    items, _ = await harvest(NzqaConnector(NzqaOptions()), feed_url(register))
    refs = [r.local_id for r in records(items)]
    assert len(refs) == len(set(refs)) == 13
    mc5231 = next(r for r in records(items) if r.local_id == "MC5231")
    assert mc5231.data["version"] == 2
    assert mc5231.source_url == page_url(register, 2)


async def test_page_size_option_is_sent_as_page_size(register, harvest) -> None:
    await harvest(NzqaConnector(NzqaOptions(page_size=5)), feed_url(register) + "?lang=en")
    assert register.seen[0].query == {"lang": "en", "page": "1", "pageSize": "5"}


async def test_second_harvest_sends_etag_and_yields_unchanged_pages(
    register, harvest, validators
) -> None:
    connector = NzqaConnector(NzqaOptions(page_size=5))
    await harvest(connector, feed_url(register), validators=validators)
    register.seen.clear()
    items, pages = await harvest(connector, feed_url(register), validators=validators)
    assert items == [Unchanged(source_url=url) for url in pages]
    assert [u for u in pages] == [page_url(register, n) for n in (1, 2, 3)]
    assert all(seen.if_none_match for seen in register.seen)


async def test_changed_page_is_read_while_the_others_stay_unchanged(
    register, harvest, validators
) -> None:
    connector = NzqaConnector(NzqaOptions(page_size=5))
    await harvest(connector, feed_url(register), validators=validators)
    page3 = register.page_json(3)
    page3["items"][1]["title"] = "Whānau-Centred Practice in Community Social Services"
    register.set_page(3, page3)
    items, _ = await harvest(connector, feed_url(register), validators=validators)
    assert items[:2] == [Unchanged(source_url=page_url(register, n)) for n in (1, 2)]
    assert [r.local_id for r in items[2:]] == ["MC5266", "MC5273", "MC5280", "MC5287"]


async def test_new_version_on_a_changed_page_rereads_the_unchanged_page_with_the_old_one(
    register, harvest, validators
) -> None:
    connector = NzqaConnector(NzqaOptions(page_size=5))
    await harvest(connector, feed_url(register), validators=validators)
    # MC5203 v2 sits on page 1; page 3 now publishes v3, so page 1's copy must go.
    newer = dict(register.page_json(1)["items"][0], version=3, credits=25)
    page3 = register.page_json(3)
    page3["items"].append(newer)
    register.set_page(3, page3)
    items, _ = await harvest(connector, feed_url(register), validators=validators)
    assert items[1] == Unchanged(source_url=page_url(register, 2))
    kept = records(items)
    assert [r.data["version"] for r in kept if r.local_id == "MC5203"] == [3]
    assert {r.local_id for r in kept if r.source_url == page_url(register, 1)} == {
        "MC5210",
        "MC5217",
        "MC5224",
    }


async def test_304_without_memory_of_the_page_reads_it_in_full(
    register, harvest, validators
) -> None:
    await harvest(NzqaConnector(NzqaOptions()), feed_url(register), validators=validators)
    # Validators in the store but no page memory (a state lost or never written).
    validators.forget(state=True)
    items, _ = await harvest(
        NzqaConnector(NzqaOptions()), feed_url(register), validators=validators
    )
    assert len(records(items)) == 13


async def test_incremental_sends_updated_since_after_a_first_full_pass(
    register, harvest, validators
) -> None:
    since = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    await harvest(
        NzqaConnector(NzqaOptions(incremental=True)),
        feed_url(register),
        since=since,
        validators=validators,
    )
    assert "updatedSince" not in register.seen[0].query  # the first pass is always full
    first_of_second = len(register.seen)
    # another replica (another connector instance) knows when the last full pass ran
    await harvest(
        NzqaConnector(NzqaOptions(incremental=True)),
        feed_url(register),
        since=since,
        validators=validators,
    )
    assert register.seen[first_of_second].query["updatedSince"] == "2025-01-02T03:04:05+00:00"


async def test_full_harvest_is_the_default_even_with_a_last_harvest_time(register, harvest) -> None:
    await harvest(NzqaConnector(NzqaOptions()), feed_url(register), since=datetime.now(UTC))
    assert "updatedSince" not in register.seen[0].query


async def test_missing_page_is_fatal(register, harvest) -> None:
    page2 = register.page_json(2)
    page2["next"] = "http://register.invalid/microcredentials?page=9&pageSize=5"
    register.set_page(2, page2)
    with pytest.raises(FatalFetchError, match="404") as caught:
        await harvest(NzqaConnector(NzqaOptions()), feed_url(register))
    assert caught.value.url == page_url(register, 9)


async def test_next_link_back_to_a_read_page_is_a_fatal_loop(register, harvest) -> None:
    page2 = register.page_json(2)
    page2["next"] = "http://register.invalid/microcredentials?page=1&pageSize=100"
    register.set_page(2, page2)
    with pytest.raises(FatalFetchError, match="loop"):
        await harvest(NzqaConnector(NzqaOptions()), feed_url(register))


async def test_page_cap_stops_an_endless_feed(register, harvest) -> None:
    with pytest.raises(FatalFetchError, match="more than max_pages=2 pages"):
        await harvest(NzqaConnector(NzqaOptions(max_pages=2)), feed_url(register))


@pytest.mark.parametrize("body", [[], {"items": {"a": 1}}, {"page": 1, "next": None}])
async def test_page_that_is_not_a_feed_object_is_fatal_naming_the_url(
    register, harvest, body: object
) -> None:
    register.set_page(1, body)
    with pytest.raises(FatalFetchError, match="not an NZQA-like feed page") as caught:
        await harvest(NzqaConnector(NzqaOptions()), feed_url(register))
    assert str(caught.value).startswith(feed_url(register) + "?page=1")


async def test_non_object_item_is_refused_with_its_reason_not_dropped(register, harvest) -> None:
    page = {"page": 1, "next": None, "items": ["MC9999", register.page_json(1)["items"][0]]}
    register.set_page(1, page)
    connector = NzqaConnector(NzqaOptions())
    items, _ = await harvest(connector, feed_url(register))
    assert len(items) == 2
    refused = records(items)[0]
    assert refused.rejected is not None and "feed item is a JSON str" in refused.rejected
    assert connector.normalise(records(items)[1]).local_id == "MC5203"


async def test_bundled_demo_feed_reads_from_a_file_url_and_normalises_cleanly(harvest) -> None:
    connector = NzqaConnector(NzqaOptions())
    items, pages = await harvest(connector, DEMO.as_uri(), allow_files=True)
    assert len(pages) == 1
    drafts = [connector.normalise(r) for r in records(items)]
    assert len(drafts) == len({d.local_id for d in drafts}) == 25
    assert all(d.warnings == () for d in drafts)
    levels = {d.level.framework_level for d in drafts if d.level}
    assert {"2", "8", "9"} <= levels
    assert any(d.level and d.level.framework_level == "8" and d.level.eqf is None for d in drafts)
    assert len({d.status for d in drafts}) == 3
    assert sum(1 for d in drafts if d.participation_forms) >= 2


def test_options_decode_from_a_sources_table() -> None:
    options = msgspec.convert({"format": "csv", "page_size": 50}, NzqaOptions)
    assert (options.format, options.page_size, options.incremental) == ("csv", 50, False)
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.convert({"pagesize": 50}, NzqaOptions)
    with pytest.raises(msgspec.ValidationError, match="IANA"):
        msgspec.convert({"timezone": "Mars/Olympus"}, NzqaOptions)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"format": "xml"}, NzqaOptions)


def test_connector_declares_itself() -> None:
    info = NzqaConnector.info
    assert (info.name, info.version, info.country, info.formats) == (
        "nzqa",
        "1.0.0",
        "NZ",
        ("json", "csv"),
    )
    assert NzqaConnector.options_type is NzqaOptions
