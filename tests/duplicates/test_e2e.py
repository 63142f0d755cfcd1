"""End to end: `microcred-hub serve` links the same offer listed by several registers.

The registers are the bundled demo's six (NZQA-like, edubadges, Europass ELM, Credential
Engine CTDL, Open Badges, a Danish tabular list), served by a real aiohttp server on loopback
in their real formats; the labelled truth is the demo's cross-listed.toml. The same checks
run over the demo as users start it (`serve` with no config, file:// sources).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from microcred_hub.config import demo_config_path
from tests.support.hub_process import HubProcess, graphql, wait_for
from tests.support.registers import start

DEMO = demo_config_path().parent
TRUTH = tomllib.loads((DEMO / "cross-listed.toml").read_text(encoding="utf-8"))
SOURCES = "{ sources { key status } }"
RECORD = """query($id: ID!) { microcredential(id: $id) {
    id groupId completeness { score }
    sameAs { confidence evidence record { id groupId } } } }"""
EVERYTHING = """query($distinct: Boolean) {
    microcredentials(first: 500, distinct: $distinct) {
      totalCount edges { node { id groupId completeness { score } } } }
    facets(distinct: $distinct) { source { value count } issuerCountry { value count } }
    statistics(distinct: $distinct) { count groups { count } }
    bySource: statistics(groupBy: [SOURCE], distinct: $distinct) { count groups { keys count } }
    histogram(field: COMPLETENESS, bounds: [0.5], distinct: $distinct) { count } }"""


def loopback_config(tmp_path: Path, base: str) -> Path:
    """The demo config with every file:// source read from the loopback register instead."""
    text = (DEMO / "demo.toml").read_text(encoding="utf-8")
    text = re.sub(r"file://\$\{CONFIG_DIR\}", base, text)
    config = tmp_path / "hub.toml"
    config.write_text(text + "\n[duplicates]\nthreshold = 0.9\n", encoding="utf-8")
    return config


@pytest.fixture
async def demo_register() -> AsyncIterator[str]:
    """The demo registers' documents over HTTP, as their registers publish them."""
    app = web.Application()
    app.router.add_static("/", DEMO)
    runner, url = await start(app)
    yield url
    await runner.cleanup()


async def _served(process: HubProcess) -> HubProcess:
    async with aiohttp.ClientSession() as session:

        async def harvested() -> bool:
            _, body = await graphql(session, process.url, SOURCES)
            return all(s["status"] == "OK" for s in body["data"]["sources"])  # type: ignore[index]

        await wait_for(harvested, within=60)
    return process


@pytest.fixture
async def loopback_hub(tmp_path: Path, demo_register: str) -> AsyncIterator[HubProcess]:
    async with HubProcess(loopback_config(tmp_path, demo_register)) as process:
        yield await _served(process)


@pytest.fixture
async def demo_hub(tmp_path: Path) -> AsyncIterator[HubProcess]:
    # the bundled config as is, its folder spelled out: the hub's log goes to tmp_path, not
    # into the installed package
    config = tmp_path / "demo.toml"
    text = (DEMO / "demo.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("${CONFIG_DIR}", DEMO.as_posix()), encoding="utf-8")
    async with HubProcess(config) as process:
        yield await _served(process)


async def query(hub: HubProcess, text: str, variables: dict[str, object]) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        status, body = await graphql(session, hub.url, text, variables)
    assert status == 200 and "errors" not in body, body
    return body["data"]  # type: ignore[return-value]


async def check_labelled_pairs(hub: HubProcess) -> None:
    for pair in TRUTH["same"]:
        a = (await query(hub, RECORD, {"id": pair["a"]}))["microcredential"]
        b = (await query(hub, RECORD, {"id": pair["b"]}))["microcredential"]
        assert a["groupId"] == b["groupId"], pair["why"]  # type: ignore[index]
        linked = {s["record"]["id"]: s for s in a["sameAs"]}  # type: ignore[index]
        assert pair["b"] in linked, pair["why"]
        assert 0 < linked[pair["b"]]["confidence"] <= 1
        assert linked[pair["b"]]["evidence"]
    for pair in TRUTH["different"]:
        a = (await query(hub, RECORD, {"id": pair["a"]}))["microcredential"]
        b = (await query(hub, RECORD, {"id": pair["b"]}))["microcredential"]
        assert a["groupId"] != b["groupId"], pair  # type: ignore[index]


async def check_distinct_counts_groups(hub: HubProcess) -> None:
    every = await query(hub, EVERYTHING, {"distinct": False})
    distinct = await query(hub, EVERYTHING, {"distinct": True})
    nodes = [e["node"] for e in every["microcredentials"]["edges"]]  # type: ignore[index]
    groups = Counter(n["groupId"] for n in nodes)
    assert len(groups) < len(nodes)  # the demo's cross-listed offers are grouped
    shown = [e["node"] for e in distinct["microcredentials"]["edges"]]  # type: ignore[index]
    assert distinct["microcredentials"]["totalCount"] == len(groups) == len(shown)  # type: ignore[index]
    assert Counter(n["groupId"] for n in shown) == Counter(groups.keys())
    assert sum(c["count"] for c in distinct["facets"]["source"]) == len(groups)  # type: ignore[index]
    assert every["statistics"]["count"] == len(nodes)  # type: ignore[index]
    assert distinct["statistics"]["count"] == len(groups)  # type: ignore[index]
    assert distinct["bySource"]["count"] == len(groups)  # type: ignore[index]
    assert sum(g["count"] for g in distinct["bySource"]["groups"]) == len(groups)  # type: ignore[index]
    assert sum(b["count"] for b in distinct["histogram"]) == len(groups)  # type: ignore[index]
    # the representative: most complete, ties to the smallest id
    by_group: dict[str, list[dict[str, object]]] = {}
    for node in nodes:
        by_group.setdefault(node["groupId"], []).append(node)
    for node in shown:
        members = by_group[node["groupId"]]
        best = min(members, key=lambda m: (-m["completeness"]["score"], m["id"]))  # type: ignore[index]
        assert node["id"] == best["id"]


async def check_providers_merge_across_registers(hub: HubProcess) -> None:
    data = await query(
        hub,
        """{ providers(search: "groningen", first: 50) { edges { node {
              id name aliases sources sourceCounts { source count } } } } }""",
        {},
    )
    nodes = [e["node"] for e in data["providers"]["edges"]]  # type: ignore[index]
    rug = [n for n in nodes if "University of Groningen" in [n["name"], *n["aliases"]]]
    assert len(rug) == 1, nodes
    assert {"edubadges", "europass"} <= set(rug[0]["sources"])
    assert {"Rijksuniversiteit Groningen", "University of Groningen"} == {
        rug[0]["name"],
        *rug[0]["aliases"],
    }


async def test_registers_on_loopback_list_the_same_offers_and_the_hub_links_them(
    loopback_hub: HubProcess,
) -> None:
    await check_labelled_pairs(loopback_hub)
    await check_distinct_counts_groups(loopback_hub)
    await check_providers_merge_across_registers(loopback_hub)


async def test_the_bundled_demo_links_its_cross_listed_offers(demo_hub: HubProcess) -> None:
    await check_labelled_pairs(demo_hub)
    await check_distinct_counts_groups(demo_hub)
