"""A register owner's connector package, pip-installed beside the hub, is picked up unchanged.

The example package (examples/third-party-connector) is built and installed by pip into a
temporary folder, offline; every hub command then runs as a subprocess with that folder on
PYTHONPATH, exactly as an installed plugin is seen: through its entry point, nothing else.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import aiohttp
import pytest

from microcred_hub.testing import Scenario, ScenarioServer
from tests.support.hub_process import HubProcess, graphql, hub_command, wait_for

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "third-party-connector"
RECORDS = 4  # EXR-1001, -1002, -1003, -2001
QUARANTINED = 3  # no courseCode, no English title, not an object


@dataclass(frozen=True)
class Installed:
    source: Path  # a copy of the example project (its tests, its fixtures)
    target: Path  # where pip installed it
    env: dict[str, str]  # os.environ with the target on PYTHONPATH

    @property
    def scenario(self) -> Path:
        return self.target / "example_register" / "fixtures" / "conformance"


def offline_build_problem() -> str | None:
    """Why pip cannot build a setuptools project here without the network, or None."""
    try:
        setuptools = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return "setuptools is not installed, so pip cannot build the example offline"
    version = tuple(int(p) for p in re.findall(r"\d+", setuptools)[:2])
    if version >= (70, 1) or importlib.util.find_spec("wheel") is not None:
        return None  # setuptools 70.1 has bdist_wheel built in
    return (
        f"setuptools {setuptools} builds wheels only with the `wheel` package, which is not "
        "installed; `pip install wheel` to run this offline"
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    problem = offline_build_problem()
    if problem:
        pytest.skip(problem)
    base = tmp_path_factory.mktemp("third-party")
    # build from a copy: setuptools writes build/ and *.egg-info next to the sources
    source = base / "src"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = base / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation"]
    pip += ["--no-index", "--quiet", "--target", str(target), str(source)]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    path = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    return Installed(source=source, target=target, env={**os.environ, "PYTHONPATH": path})


def run(installed: Installed, *args: str, cwd: Path | None = None) -> tuple[int, str]:
    done = subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        timeout=120,
        env=installed.env,
        cwd=cwd,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


async def run_async(installed: Installed, *args: str) -> tuple[int, str]:
    """A subprocess that does not block the loop serving the register it harvests."""
    proc = await asyncio.create_subprocess_exec(
        *args, env=installed.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(errors="replace")


@pytest.fixture
async def register(installed: Installed) -> AsyncIterator[ScenarioServer]:
    """The example register on loopback, serving the fixtures the installed package ships."""
    async with ScenarioServer(Scenario.load(installed.scenario)) as server:
        yield server


def write_config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[store]
url = "memory://"
snapshot = "{tmp_path / "snapshot.json"}"

[[sources]]
key = "irish"
connector = "example"
url = "{url}"
page_size = 3
""",
        encoding="utf-8",
    )
    return config


def test_connectors_list_shows_the_installed_plugin_with_version_and_description(
    installed: Installed,
) -> None:
    code, out = run(installed, *hub_command(), "connectors", "list")
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith("example "))
    assert line.split()[1] == "1.0.0"
    assert "Example Irish Register (fictional): micro-credentials, NFQ levels, ECTS" in line
    assert "BROKEN" not in out


def test_the_plugins_own_conformance_class_passes_against_the_installed_package(
    installed: Installed, tmp_path: Path
) -> None:
    # from a neutral folder, so `example_register` can only come from the installed copy
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    code, out = run(installed, *args, str(installed.source / "tests"), cwd=tmp_path)
    assert code == 0, out
    # its own normalise tests, then one test per conformance check
    assert re.search(r"\b16 passed\b", out), out
    assert "warnings summary" not in out and "Warning:" not in out, out


def test_the_hubs_conformance_suite_runs_the_kit_over_the_installed_plugin(
    installed: Installed,
) -> None:
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    args += ["tests/test_conformance.py", "-k", "example"]
    code, out = run(installed, *args, cwd=ROOT)
    assert code == 0, out
    assert re.search(r"\b10 passed\b", out), out  # one test per check


async def test_harvest_reads_the_register_through_the_plugin(
    installed: Installed, register: ScenarioServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, register.url("/api/courses"))
    code, out = await run_async(installed, *hub_command(), "harvest", "--config", str(config))
    assert code == 0, out
    row = next(line.split() for line in out.splitlines() if line.startswith("irish "))
    # source result records added changed removed quarantined pages seconds
    assert row[1:8] == ["ok", str(RECORDS), str(RECORDS), "0", "0", str(QUARANTINED), "2"]
    assert f"1 source(s), {RECORDS} records, all succeeded" in out


async def test_connectors_check_reaches_the_register_through_the_plugin(
    installed: Installed, register: ScenarioServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, register.url("/api/courses"))
    code, out = await run_async(
        installed, *hub_command(), "connectors", "check", "--config", str(config)
    )
    assert code == 0, out
    assert "source irish (example, " in out
    assert "first record irish:EXR-1001 'Digital Marketing Fundamentals'" in out


async def test_served_records_of_the_plugin_answer_graphql(
    installed: Installed, register: ScenarioServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path, register.url("/api/courses"))
    sources = "{ sources { key connector status recordCount quarantinedCount } }"
    record = """{ microcredential(id: "irish:EXR-1003") {
        title issuerCountry level { eqf framework frameworkLevel derived }
        workload { ects hours } status } }"""
    async with (
        HubProcess(config, env={"PYTHONPATH": installed.env["PYTHONPATH"]}) as hub,
        aiohttp.ClientSession() as session,
    ):

        async def harvested() -> bool:
            _, body = await graphql(session, hub.url, sources)
            return body["data"]["sources"][0]["status"] == "OK"  # type: ignore[index,no-any-return]

        await wait_for(harvested)
        _, body = await graphql(session, hub.url, sources)
        assert body["data"]["sources"] == [  # type: ignore[index]
            {
                "key": "irish",
                "connector": "example",
                "status": "OK",
                "recordCount": RECORDS,
                "quarantinedCount": QUARANTINED,
            }
        ]
        status, body = await graphql(session, hub.url, record)
    assert status == 200, body
    assert body["data"] == {
        "microcredential": {
            "title": "Sustainable Construction Practice",
            "issuerCountry": ["IE"],
            "level": {"eqf": 6, "framework": "NFQ", "frameworkLevel": "8", "derived": True},
            "workload": {"ects": 7.5, "hours": 206.25},
            "status": "WITHDRAWN",
        }
    }
