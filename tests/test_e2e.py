"""End to end: `microcred-hub serve` as a subprocess over loopback NZQA-like and edubadges registers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.hub_process import HubProcess, graphql, wait_for
from tests.support.registers import edubadges_app, nzqa_app, start

NZQA_RECORDS = 12  # 14 items, MC5231 twice (version 2 wins), MC5266 malformed
SOURCES_QUERY = (
    "{ sources { key connector status recordCount quarantinedCount lastSuccessAt lastError } }"
)


def write_config(
    tmp_path: Path, nzqa_url: str, edubadges_url: str, extra: str = "", interval: int = 3600
) -> Path:
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[store]
url = "memory://"
snapshot = "{tmp_path / "snapshot.json"}"

[admin]
token = "test-admin-token"

{extra}

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{nzqa_url}/microcredentials"
page_size = 5
interval_seconds = {interval}

[[sources]]
key = "edubadges"
connector = "edubadges"
url = "{edubadges_url}"
interval_seconds = {interval}
"""
    )
    return config


@pytest.fixture
async def registers() -> AsyncIterator[tuple[str, str]]:
    nzqa_runner, nzqa_url = await start(nzqa_app())
    edu_runner, edu_url = await start(edubadges_app())
    yield nzqa_url, edu_url
    await nzqa_runner.cleanup()
    await edu_runner.cleanup()


@pytest.fixture
async def hub(tmp_path: Path, registers: tuple[str, str]) -> AsyncIterator[HubProcess]:
    async with HubProcess(write_config(tmp_path, *registers)) as process:
        async with aiohttp.ClientSession() as session:

            async def harvested() -> bool:
                _, body = await graphql(session, process.url, SOURCES_QUERY)
                return all(s["status"] == "OK" for s in body["data"]["sources"])

            await wait_for(harvested)
        yield process


async def query(
    hub: HubProcess, text: str, variables: dict[str, object] | None = None
) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        status, body = await graphql(session, hub.url, text, variables)
    assert status == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[return-value]


async def test_sources_report_counts_and_the_quarantined_record(hub: HubProcess) -> None:
    data = await query(hub, SOURCES_QUERY)
    sources = {s["key"]: s for s in data["sources"]}
    assert sources["nzqa"]["status"] == "OK"
    assert sources["nzqa"]["recordCount"] == NZQA_RECORDS
    assert sources["nzqa"]["quarantinedCount"] == 1
    assert sources["edubadges"]["recordCount"] >= 5
    assert sources["edubadges"]["quarantinedCount"] >= 2
    assert all(s["lastSuccessAt"] and s["lastError"] is None for s in sources.values())


async def test_paging_through_everything_gives_each_record_once(hub: HubProcess) -> None:
    page_query = """query($after: String) { microcredentials(first: 4, after: $after) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    total = None
    while True:
        conn = (await query(hub, page_query, {"after": after}))["microcredentials"]
        total = conn["totalCount"]
        seen.extend(edge["node"]["id"] for edge in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total
    sources = {s["key"]: s["recordCount"] for s in (await query(hub, SOURCES_QUERY))["sources"]}
    assert total == sum(sources.values())


async def test_nz_and_nl_compare_side_by_side_by_eqf_level_and_workload(hub: HubProcess) -> None:
    data = await query(
        hub,
        """{ microcredentials(filter: {eqfLevelMin: 4, eqfLevelMax: 6}, sort: [HOURS_DESC], first: 100) {
              totalCount edges { node { id source issuerCountry level { eqf } workload { hours ects derived } } } }
            facets(filter: {eqfLevelMin: 4, eqfLevelMax: 6}) { source { value count } issuerCountry { value count } } }""",
    )
    nodes = [e["node"] for e in data["microcredentials"]["edges"]]
    assert {n["source"] for n in nodes} == {"nzqa", "edubadges"}
    assert all(4 <= n["level"]["eqf"] <= 6 for n in nodes)
    hours = [
        n["workload"]["hours"]
        for n in nodes
        if n["workload"] and n["workload"]["hours"] is not None
    ]
    assert hours == sorted(hours, reverse=True)
    facet_sources = {f["value"]: f["count"] for f in data["facets"]["source"]}
    assert sum(facet_sources.values()) == data["microcredentials"]["totalCount"]
    assert "NZ" in {f["value"] for f in data["facets"]["issuerCountry"]}
    assert "NL" in {f["value"] for f in data["facets"]["issuerCountry"]}


async def test_nzqcf_level_8_is_served_unlevelled_and_credits_become_hours(hub: HubProcess) -> None:
    data = await query(
        hub,
        """{ a: microcredential(id: "nzqa:MC5238") { level { eqf framework frameworkLevel derived } status }
             b: microcredential(id: "nzqa:MC5224") { level { eqf } workload { hours ects derived originalValue originalUnit } }
             c: microcredential(id: "nzqa:does-not-exist") { id } }""",
    )
    assert data["a"]["level"] == {
        "eqf": None,
        "framework": "NZQCF",
        "frameworkLevel": "8",
        "derived": True,
    }
    assert data["a"]["status"] == "EXPIRED"
    assert data["b"]["level"]["eqf"] == 4
    assert data["b"]["workload"]["hours"] == 150
    assert data["b"]["workload"]["ects"] == 7.5
    assert data["b"]["workload"]["derived"] is True
    assert data["c"] is None


async def test_search_ignores_case_and_accents(hub: HubProcess) -> None:
    data = await query(
        hub, '{ microcredentials(search: "whanau") { totalCount edges { node { title } } } }'
    )
    titles = [e["node"]["title"] for e in data["microcredentials"]["edges"]]
    assert "Whānau-Centred Practice in Social Services" in titles


async def test_a_bad_query_gets_a_graphql_error_and_no_5xx(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        for text in (
            "{ microcredentials { nope } }",
            "{ microcredentials(first: 100000) { totalCount } }",
            "{",
        ):
            status, body = await graphql(session, hub.url, text)
            assert status < 500
            assert body["errors"] and body["errors"][0]["message"]
            assert "Traceback" not in str(body)
        async with session.post(
            hub.url + "/graphql", data=b"not json", headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status < 500


async def test_admin_harvest_needs_the_token(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(hub.url + "/admin/harvest") as resp:
            assert resp.status == 401
        async with session.post(
            hub.url + "/admin/harvest", headers={"Authorization": "Bearer wrong"}
        ) as resp:
            assert resp.status == 401
        headers = {"Authorization": "Bearer test-admin-token"}
        async with session.post(hub.url + "/admin/harvest?source=nzqa", headers=headers) as resp:
            assert resp.status == 202
            assert (await resp.json())["started"] == ["nzqa"]


async def test_health_readiness_and_metrics(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(hub.url + "/healthz") as resp:
            assert resp.status == 200
        async with session.get(hub.url + "/readyz") as resp:
            assert resp.status == 200
        await graphql(session, hub.url, "{ sources { key } }")
        async with session.get(hub.url + "/metrics") as resp:
            text = await resp.text()
    assert 'mch_source_records{source="nzqa"} 12.0' in text
    assert "mch_http_request_duration_seconds_bucket" in text
    assert "mch_harvests_total" in text


async def test_serve_runs_on_uvloop_and_httptools(hub: HubProcess) -> None:
    assert "event loop uvloop, HTTP parser httptools" in hub.output()


async def test_a_failing_register_leaves_the_last_good_data_marked_stale(
    tmp_path: Path, registers: tuple[str, str]
) -> None:
    nzqa_url, edu_url = registers
    config = write_config(tmp_path, nzqa_url, edu_url)
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def nzqa_status(expected: str) -> bool:
            _, body = await graphql(session, hub.url, SOURCES_QUERY)
            return {s["key"]: s["status"] for s in body["data"]["sources"]}["nzqa"] == expected

        await wait_for(lambda: nzqa_status("OK"))
    # restart against a register that now answers 500: the snapshot serves the last good data
    # at once, and the re-harvest (due after 1 s) fails
    nzqa_runner, broken_url = await start(nzqa_app())
    nzqa_runner.app["faults"].mode = "500"
    config = write_config(tmp_path, broken_url, edu_url, interval=1)
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def stale() -> bool:
            _, body = await graphql(session, hub.url, SOURCES_QUERY)
            return {s["key"]: s["status"] for s in body["data"]["sources"]}["nzqa"] == "STALE"

        await wait_for(stale)
        _, body = await graphql(
            session, hub.url, '{ microcredentials(filter: {source: ["nzqa"]}) { totalCount } }'
        )
        assert body["data"]["microcredentials"]["totalCount"] == NZQA_RECORDS
        stale_sources = body["extensions"]["sources"]
        assert stale_sources[0]["key"] == "nzqa"
        assert stale_sources[0]["status"] in ("STALE", "FAILING")  # FAILING after 3 in a row
        assert "500" in stale_sources[0]["lastError"]
    await nzqa_runner.cleanup()


async def test_serve_answers_before_the_first_harvest_ends(
    tmp_path: Path, registers: tuple[str, str]
) -> None:
    nzqa_runner, slow_url = await start(nzqa_app())
    nzqa_runner.app["faults"].mode = "hang"
    config = write_config(tmp_path, slow_url, registers[1])
    try:
        async with HubProcess(config) as hub, aiohttp.ClientSession() as session:
            _, body = await graphql(session, hub.url, SOURCES_QUERY + " ")
            nzqa = {s["key"]: s for s in body["data"]["sources"]}["nzqa"]
            assert nzqa["status"] in ("PENDING", "HARVESTING")
            _, body = await graphql(
                session, hub.url, '{ microcredentials(filter: {source: ["nzqa"]}) { totalCount } }'
            )
            assert body["data"]["microcredentials"]["totalCount"] == 0
            assert body["extensions"]["sources"][0]["key"] == "nzqa"
    finally:
        await nzqa_runner.cleanup()


async def test_a_post_that_is_not_json_gets_415(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        for headers in ({"Content-Type": "text/plain"}, {}):
            async with session.post(
                hub.url + "/graphql", data=b'{"query": "{ sources { key } }"}', headers=headers
            ) as resp:
                assert resp.status == 415
                assert "Content-Type" in (await resp.json())["errors"][0]["message"]
