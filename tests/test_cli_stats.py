"""`microcred-hub stats` as users run it: the console script, real loopback registers, and the
same numbers as the running hub's GraphQL API."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from microcred_hub.cli_stats import document
from tests.support.hub_process import HubProcess, graphql, hub_command
from tests.support.registers import edubadges_app, nzqa_app, start

NUMBERS = ["hours", "ects", "completeness"]


async def stats(config: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command while this loop keeps serving the registers it may harvest."""
    where = ["--config", str(config)] if config else []
    command = [*hub_command(), "stats", *where, *args]
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return subprocess.CompletedProcess(command, proc.returncode, out.decode(), err.decode())


@pytest.fixture
async def config(tmp_path: Path) -> AsyncIterator[Path]:
    nzqa_runner, nzqa_url = await start(nzqa_app())
    edu_runner, edu_url = await start(edubadges_app())
    path = tmp_path / "hub.toml"
    path.write_text(
        f"""
[store]
url = "memory://"
snapshot = "snapshot.json"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{nzqa_url}/microcredentials"
page_size = 5

[[sources]]
key = "edubadges"
connector = "edubadges"
url = "{edu_url}"
"""
    )
    yield path
    await nzqa_runner.cleanup()
    await edu_runner.cleanup()


async def api(hub: HubProcess, group_by: list[str], flt: dict[str, Any] | None = None) -> Any:
    async with aiohttp.ClientSession() as session:
        status, body = await graphql(
            session,
            hub.url,
            document(NUMBERS),
            {"groupBy": group_by, "filter": flt, "distinct": False},
        )
    assert status == 200 and "errors" not in body, body
    return body["data"]["statistics"]  # type: ignore[index]


async def cache_hits(hub: HubProcess) -> float:
    async with aiohttp.ClientSession() as session, session.get(hub.url + "/metrics") as response:
        text = await response.text()
    lines = [line for line in text.splitlines() if line.startswith("mch_response_cache_total")]
    return sum(float(line.split()[-1]) for line in lines if 'result="hit"' in line)


async def test_stats_gives_the_apis_numbers_in_every_format(config: Path) -> None:
    numbers = ["--numbers", ",".join(NUMBERS)]
    first = await stats(
        config, "--group-by", "issuerCountry,eqfLevel", "--format", "json", *numbers
    )
    assert first.returncode == 0, first.stderr
    assert "harvesting once first" in first.stderr  # the store was empty
    local = json.loads(first.stdout)
    assert local["count"] > 0 and len(local["groups"]) > 1

    async with HubProcess(config, extra_args=("--no-harvest",)) as hub:
        served = await api(hub, ["ISSUER_COUNTRY", "EQF_LEVEL"])
        assert local == served
        # answered from the response cache the second time, like any query
        hits = await cache_hits(hub)
        assert await api(hub, ["ISSUER_COUNTRY", "EQF_LEVEL"]) == served
        assert await cache_hits(hub) == hits + 1

        remote = await stats(
            None, "--url", hub.url + "/graphql", "--group-by", "ISSUER_COUNTRY,eqf-level",
            "--format", "json", *numbers,
        )  # fmt: skip
        assert remote.returncode == 0, remote.stderr
        assert json.loads(remote.stdout) == served

        narrowed = await api(hub, ["SOURCE"], {"issuerCountry": ["NZ"], "eqfLevelMin": 4})

    # the snapshot holds the data now: no second harvest
    as_csv = await stats(
        config, "--group-by", "source", "--filter", "issuerCountry=NZ", "--filter",
        '{"eqfLevelMin": 4}', "--format", "csv", *numbers,
    )  # fmt: skip
    assert as_csv.returncode == 0, as_csv.stderr
    assert "harvesting" not in as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["source"] for row in rows] == [g["keys"][0] for g in narrowed["groups"]]
    for row, group in zip(rows, narrowed["groups"], strict=True):
        assert int(row["count"]) == group["count"]
        assert int(row["stackable"]) == group["stackable"]
        for name in NUMBERS:
            for figure, value in group[name].items():
                cell = row[name + figure[0].upper() + figure[1:]]
                assert (cell == "") if value is None else float(cell) == value

    table = await stats(config, "--group-by", "issuerCountry,eqfLevel")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["issuerCountry", "eqfLevel", "count"]
    assert lines[-1] == f"{served['count']} matching record(s), {len(served['groups'])} group(s)"
    first_group = served["groups"][0]
    assert lines[1].split()[:3] == [*first_group["keys"], str(first_group["count"])]


async def test_stats_refuses_bad_input_with_a_message(config: Path) -> None:
    bad_dimension = await stats(config, "--group-by", "issuerCountry,colour")
    assert bad_dimension.returncode == 1
    assert "unknown dimension 'colour'" in bad_dimension.stderr
    assert "issuerCountry" in bad_dimension.stderr
    bad_filter = await stats(config, "--filter", "country=NZ")
    assert bad_filter.returncode == 1
    assert "issuerCountry" in bad_filter.stderr
    bad_value = await stats(config, "--filter", "eqfLevelMin=high")
    assert bad_value.returncode == 1
    assert "Int cannot represent" in bad_value.stderr
