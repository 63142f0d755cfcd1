"""The hub as one subgraph of a real supergraph: a second subgraph (Node, @apollo/subgraph),
composition (@apollo/composition) from both subgraphs' own `_service { sdl }`, and
@apollo/gateway over the result, queried across both.

The npm packages are pinned in package-lock.json beside this file and installed outside the
clone ($MICROCRED_HUB_NPM_DIR, default ~/.cache/microcred-hub/federation-npm), once."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.hub_process import HubProcess, free_port, graphql, wait_for
from tests.support.registers import nzqa_app, start

HERE = Path(__file__).resolve().parent
SCRIPTS = ("jobs-subgraph.mjs", "gateway.mjs")
NODE = shutil.which("node")
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None, reason="node and npm are needed to run a real Apollo gateway"
)


def npm_dir() -> Path:
    """The pinned packages, installed once outside the clone (reruns are quick)."""
    default = Path.home() / ".cache" / "microcred-hub" / "federation-npm"
    folder = Path(os.environ.get("MICROCRED_HUB_NPM_DIR", default))
    folder.mkdir(parents=True, exist_ok=True)
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = folder / ".installed-lock"
    if not stamp.exists() or stamp.read_bytes() != lock:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(HERE / name, folder / name)
        assert NPM is not None
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        stamp.write_bytes(lock)
    for script in SCRIPTS:  # ESM resolves packages from the script's folder
        shutil.copyfile(HERE / script, folder / script)
    return folder


class NodeProcess:
    def __init__(self, folder: Path, *args: str) -> None:
        assert NODE is not None
        self.log = folder / f"{args[0]}.{os.getpid()}.{time.monotonic_ns()}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [NODE, *args], cwd=folder, stdout=self._out, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait_for_line(self, text: str, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited with {self.proc.returncode}:\n{self.output()}")
            await asyncio.sleep(0.1)
        raise TimeoutError(self.output())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._out.close()


@pytest.fixture(scope="module")
def packages() -> Path:
    return npm_dir()


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubProcess]:
    runner, register = await start(nzqa_app())
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\nurl = "{register}/microcredentials"\n'
        "page_size = 5\n"
    )
    async with HubProcess(config) as process, aiohttp.ClientSession() as session:

        async def harvested() -> bool:
            _, body = await graphql(session, process.url, "{ sources { lastSuccessAt } }")
            return bool(body["data"]["sources"][0]["lastSuccessAt"])  # type: ignore[index]

        await wait_for(harvested)
        yield process
    await runner.cleanup()


POSTINGS = [
    {"id": "job-1", "title": "Commercial beekeeper", "credentialIds": ["nzqa:MC5203"]},
    {"id": "job-2", "title": "Apprentice", "credentialIds": ["nzqa:MC5203", "nzqa:GONE"]},
]
ACROSS = """{
  jobPostings {
    id title
    recognises { id title issuerCountry level { eqf framework frameworkLevel } }
  }
}"""


async def test_gateway_answers_across_the_hub_and_another_subgraph(
    packages: Path, hub: HubProcess
) -> None:
    jobs_port, gateway_port = free_port(), free_port()
    jobs = NodeProcess(packages, "jobs-subgraph.mjs", str(jobs_port), json.dumps(POSTINGS))
    gateway: NodeProcess | None = None
    try:
        await jobs.wait_for_line("jobs subgraph ready")
        gateway = NodeProcess(
            packages,
            "gateway.mjs",
            str(gateway_port),
            f"hub={hub.url}/graphql",
            f"jobs=http://127.0.0.1:{jobs_port}/",
        )
        await gateway.wait_for_line("gateway ready")
        async with aiohttp.ClientSession() as session:
            status, body = await graphql(session, f"http://127.0.0.1:{gateway_port}", ACROSS)
    finally:
        jobs.stop()
        if gateway is not None:
            gateway.stop()
    assert status == 200, body
    assert body.get("data"), body
    postings = body["data"]["jobPostings"]  # type: ignore[index]
    bee = {
        "id": "nzqa:MC5203",
        "title": "Apiary Management for Commercial Beekeepers",
        "issuerCountry": ["NZ"],
        "level": {"eqf": 4, "framework": "NZQCF", "frameworkLevel": "4"},
    }
    assert postings[0] == {"id": "job-1", "title": "Commercial beekeeper", "recognises": [bee]}
    # an id the hub does not hold (withdrawn long ago, say): _entities gives null for it alone
    assert postings[1]["recognises"] == [bee, None]
