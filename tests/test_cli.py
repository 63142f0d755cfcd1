"""The command line as users run it: the console script, a config file, real loopback registers."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.hub_process import hub_command
from tests.support.registers import edubadges_app, nzqa_app, start


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*hub_command(), *args], capture_output=True, text=True, timeout=timeout)


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

[[sources]]
key = "gone"
connector = "nzqa"
url = "http://127.0.0.1:9/microcredentials"
retries = 0
"""
    )
    yield path
    await nzqa_runner.cleanup()
    await edu_runner.cleanup()


def test_connectors_list_shows_every_built_in_connector() -> None:
    done = run("connectors", "list")
    assert done.returncode == 0, done.stderr
    names = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert {"nzqa", "edubadges", "elm", "ctdl", "openbadges", "tabular"} <= names
    assert "1.0.0" in done.stdout


async def test_harvest_prints_a_summary_per_source_and_exits_1_when_one_failed(
    config: Path,
) -> None:
    done = await _run_async("harvest", "--config", str(config))
    assert done.returncode == 1, done.stdout + done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:4]}
    assert rows["nzqa"][1:4] == ["ok", "12", "12"]
    assert rows["nzqa"][6] == "1"  # one quarantined
    assert rows["gone"][1] == "FAILED"
    assert "gone: error:" in done.stdout
    assert "3 source(s)" in done.stdout and "1 failed" in done.stdout
    assert (config.parent / "snapshot.json").is_file()  # harvested into the configured store


async def test_harvest_of_one_source_exits_0_when_it_succeeded(config: Path) -> None:
    done = await _run_async("harvest", "--config", str(config), "--source", "nzqa")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 source(s), 12 records, all succeeded" in done.stdout


async def test_harvest_of_an_unknown_source_is_a_config_error(config: Path) -> None:
    done = await _run_async("harvest", "--config", str(config), "--source", "nope")
    assert done.returncode == 2
    assert "no source 'nope'" in done.stderr and "nzqa" in done.stderr


async def test_connectors_check_gives_a_verdict_per_source(config: Path) -> None:
    done = await _run_async("connectors", "check", "--config", str(config))
    assert done.returncode == 1
    lines = {
        line.split()[1]: line for line in done.stdout.splitlines() if line.startswith("source ")
    }
    assert "reachable; first record nzqa:" in lines["nzqa"]
    assert "reachable" in lines["edubadges"]
    assert "FAILED" in lines["gone"]


def test_export_schema_prints_the_sdl() -> None:
    done = run("export-schema")
    assert done.returncode == 0
    assert "type Query" in done.stdout and "microcredentials(" in done.stdout


def test_serve_on_a_port_already_taken_stops_naming_the_key_and_the_fix() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run("serve", "--port", str(port))
    assert done.returncode == 2, done.stderr
    assert f"server.port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr and "serving" not in done.stderr


async def _run_async(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI while this event loop keeps serving the loopback registers."""
    import asyncio

    proc = await asyncio.create_subprocess_exec(
        *hub_command(), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return subprocess.CompletedProcess(list(args), proc.returncode or 0, out.decode(), err.decode())
