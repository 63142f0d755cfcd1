"""The bundled demo as a newcomer meets it: `microcred-hub serve` with the demo config, every
built-in connector reading its register from the package's files, nothing quarantined, and the
offers that two registers list (demo/cross-listed.toml) served on both sides."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from microcred_hub.config import demo_config_path, load_config
from microcred_hub.plugins import discover
from tests.support.hub_process import HubProcess, graphql, wait_for

DEMO = demo_config_path().parent
EXPECTED = {
    "nzqa": 25,
    "edubadges": 27,
    "europass": 26,
    "credential-engine": 21,
    "openbadges": 22,
    "dk-amu": 22,
}
SOURCES = "{ sources { key connector status recordCount quarantinedCount } }"
RECORD = """query ($id: ID!) { microcredential(id: $id) {
  id source title issuerCountry awardingBodies { name }
  workload { hours ects } level { eqf } url
} }"""


def labelled() -> dict[str, list[dict[str, str]]]:
    with (DEMO / "cross-listed.toml").open("rb") as file:
        return tomllib.load(file)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One hub on the bundled demo for the module, once every source has been harvested."""
    hub = HubProcess(demo_config_path())
    hub.log = tmp_path_factory.mktemp("demo") / "hub.log"  # not beside the bundled config

    async def harvested() -> bool:
        async with aiohttp.ClientSession() as session:
            _, body = await graphql(session, hub.url, SOURCES)
        sources = body["data"]["sources"]  # type: ignore[index]
        return all(s["status"] not in ("PENDING", "HARVESTING") for s in sources)

    hub.start()
    try:
        asyncio.run(hub.wait_ready())
        asyncio.run(wait_for(harvested))
        yield hub.url
    finally:
        hub.stop()


def test_the_demo_has_a_source_for_every_built_in_connector() -> None:
    config = load_config(demo_config_path())
    plugins, _ = discover()
    built_in = {
        name
        for name, plugin in plugins.items()
        if plugin.cls.__module__.startswith("microcred_hub_connectors.")
    }
    assert {s.connector for s in config.sources} == built_in
    assert all(s.url.startswith("file://") for s in config.sources)


async def test_every_source_is_served_in_full_with_nothing_quarantined(demo: str) -> None:
    async with aiohttp.ClientSession() as session:
        status, body = await graphql(session, demo, SOURCES)
    assert status == 200, body
    sources = body["data"]["sources"]  # type: ignore[index]
    assert {s["key"]: s["recordCount"] for s in sources} == EXPECTED
    assert sorted((s["key"], s["status"], s["quarantinedCount"]) for s in sources) == sorted(
        (key, "OK", 0) for key in EXPECTED
    )


async def test_the_dashboard_has_several_countries_levels_and_registers_to_compare(
    demo: str,
) -> None:
    query = "{ facets { issuerCountry { value count } eqfLevel { value count } } }"
    async with aiohttp.ClientSession() as session:
        _, body = await graphql(session, demo, query)
    facets = body["data"]["facets"]  # type: ignore[index]
    countries = {f["value"] for f in facets["issuerCountry"]}
    assert {"NZ", "NL", "DK", "US", "IE", "DE"} <= countries
    assert len(countries) >= 15
    assert {f["value"] for f in facets["eqfLevel"]} >= {"4", "5", "6", "7"}


async def test_each_cross_listed_offer_is_served_by_both_registers(demo: str) -> None:
    truth = labelled()
    assert len(truth["same"]) >= 8
    async with aiohttp.ClientSession() as session:
        for pair in truth["same"] + truth["different"]:
            a, b = [await _record(session, demo, pair[side]) for side in ("a", "b")]
            assert a is not None, pair["a"]
            assert b is not None, pair["b"]
            if pair in truth["same"]:
                assert a["source"] != b["source"], pair
                assert a["issuerCountry"] == b["issuerCountry"], pair
                # the realistic variations: never the same listing twice
                assert (a["title"], a["url"]) != (b["title"], b["url"]), pair


async def _record(
    session: aiohttp.ClientSession, url: str, record_id: str
) -> dict[str, object] | None:
    status, body = await graphql(session, url, RECORD, {"id": record_id})
    assert status == 200, body
    found: dict[str, object] | None = body["data"]["microcredential"]  # type: ignore[index]
    return found


def test_the_labelled_pairs_name_only_files_the_demo_ships() -> None:
    shipped = {p.name for p in Path(DEMO).iterdir()}
    assert {
        "elm.json",
        "ctdl.json",
        "openbadges.json",
        "dk-amu.csv",
        "cross-listed.toml",
    } <= shipped
