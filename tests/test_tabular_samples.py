"""The shipped `tabular` sample registers (Danish AMU, a Canadian college) end to end: the sample
config as a register owner would adapt it, its CSV served by a loopback register, the hub
started as users start it."""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.support.hub_process import HubProcess, graphql, hub_command, wait_for

SAMPLES = Path(__file__).resolve().parents[1] / "connectors" / "tabular" / "samples"
RECORDS = """{
  microcredentials(first: 50, sort: [TITLE]) {
    totalCount
    edges { node {
      id title titles { lang value } issuerCountry credentialType status url languages
      level { eqf framework frameworkLevel }
      workload { hours ects derived originalValue originalUnit }
      awardingBodies { name country }
      participationForms assessmentTypes learningOutcomes { lang value }
    } }
  }
  sources { key status recordCount quarantinedCount quarantined { localId reason } }
}"""


@pytest.fixture
async def register() -> AsyncIterator[str]:
    """The samples' CSV files over HTTP, as a register publishes its export."""

    async def csv_file(request: web.Request) -> web.Response:
        path = SAMPLES / request.match_info["name"]
        if path.suffix != ".csv" or not path.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=path.read_bytes(), content_type="text/csv")

    app = web.Application()
    app.router.add_get("/exports/{name}", csv_file)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/exports"
    await runner.cleanup()


def adapted(sample: str, url: str, tmp_path: Path) -> Path:
    """The sample config with `url` pointed at the register, as a register owner adapts it."""
    text = (SAMPLES / f"{sample}.toml").read_text(encoding="utf-8")
    line = f'url = "file://${{CONFIG_DIR}}/{sample}.csv"'
    assert line in text
    config = tmp_path / f"{sample}.toml"
    config.write_text(text.replace(line, f'url = "{url}/{sample}.csv"'), encoding="utf-8")
    return config


async def served(config: Path) -> dict[str, object]:
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def harvested() -> bool:
            _, body = await graphql(session, hub.url, "{ sources { lastSuccessAt } }")
            return all(s["lastSuccessAt"] for s in body["data"]["sources"])  # type: ignore[index]

        await wait_for(harvested)
        status, body = await graphql(session, hub.url, RECORDS)
    assert status == 200 and "errors" not in body, body
    return body["data"]  # type: ignore[return-value]


@pytest.mark.parametrize("sample", ["dk-amu", "ca-college"])
def test_sample_config_harvests_as_shipped(sample: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [*hub_command(), "harvest", "--config", str(SAMPLES / f"{sample}.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "all succeeded" in result.stdout


def test_connectors_list_points_at_the_samples() -> None:
    result = subprocess.run(
        [*hub_command(), "connectors", "list"], capture_output=True, text=True, timeout=60
    )
    assert f"sample configs: {SAMPLES}" in result.stdout
    samples = subprocess.run(
        [*hub_command(), "connectors", "samples", "tabular"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert samples.stdout.strip() == str(SAMPLES)


async def test_danish_amu_courses_are_served_with_days_as_hours(
    register: str, tmp_path: Path
) -> None:
    data = await served(adapted("dk-amu", register, tmp_path))
    nodes = {e["node"]["id"]: e["node"] for e in data["microcredentials"]["edges"]}  # type: ignore[index]
    assert len(nodes) == 8
    welding = nodes["dk-amu:47596"]
    assert {"lang": "da", "value": "Svejsning af tyndplade, MAG"} in welding["titles"]
    assert {"lang": "en", "value": "Thin plate welding, MAG"} in welding["titles"]
    # RECORD.md: 1 day of full-time training = 7.4 h (derived), ECTS from the hours
    assert welding["workload"] == {
        "hours": 37.0,
        "ects": 1.3,
        "derived": True,
        "originalValue": "5,0",
        "originalUnit": "days",
    }
    assert welding["issuerCountry"] == ["DK"]
    assert welding["languages"] == ["da"]
    assert welding["level"] is None  # AMU states no EQF level unless the row does
    assert welding["participationForms"] == ["ONSITE"]
    assert welding["assessmentTypes"] == ["APPLICATION_OF_SKILL"]
    accounting = nodes["dk-amu:48790"]
    assert accounting["level"] == {"eqf": 4, "framework": "EQF", "frameworkLevel": "4"}
    assert accounting["workload"]["hours"] == 22.2
    assert len(accounting["learningOutcomes"]) == 2
    assert nodes["dk-amu:40121"]["status"] == "WITHDRAWN"
    (source,) = data["sources"]  # type: ignore[misc]
    assert source["recordCount"] == 8 and source["quarantinedCount"] == 2
    reasons = {q["localId"]: q["reason"] for q in source["quarantined"]}
    assert "title" in reasons["49990"]
    assert "to dage" in reasons["49991"]


async def test_canadian_college_catalogue_reads_the_province_as_canada(
    register: str, tmp_path: Path
) -> None:
    data = await served(adapted("ca-college", register, tmp_path))
    nodes = {e["node"]["id"]: e["node"] for e in data["microcredentials"]["edges"]}  # type: ignore[index]
    assert len(nodes) == 7
    ev = nodes["ca-college:MC-EV-210"]
    assert ev["issuerCountry"] == ["CA"]
    assert ev["credentialType"] == "MICRO_CREDENTIAL"
    assert ev["workload"] == {
        "hours": 60.0,
        "ects": 2.2,
        "derived": True,
        "originalValue": "60",
        "originalUnit": "hours",
    }
    assert {"lang": "fr", "value": "Entretien de base des véhicules électriques"} in ev["titles"]
    assert ev["languages"] == ["en", "fr"]
    assert ev["participationForms"] == ["ONSITE"]
    assert nodes["ca-college:MC-CY-120"]["status"] == "EXPIRED"
    (source,) = data["sources"]  # type: ignore[misc]
    assert source["quarantinedCount"] == 1


def test_sample_configs_are_complete_hub_configs() -> None:
    for sample in ("dk-amu", "ca-college"):
        table = tomllib.loads((SAMPLES / f"{sample}.toml").read_text(encoding="utf-8"))
        (source,) = table["sources"]
        assert source["key"] == sample and source["connector"] == "tabular"
