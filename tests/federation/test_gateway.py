"""The hub as one subgraph of a real supergraph: a second subgraph (Node, @apollo/subgraph),
composition (@apollo/composition) from both subgraphs' own `_service { sdl }`, and
@apollo/gateway over the result, queried across both.

The npm packages are pinned in package-lock.json beside this file and installed outside the
clone ($MICROCRED_HUB_NPM_DIR, default ~/.cache/microcred-hub/federation-npm), once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.hub_process import HubProcess, free_port, graphql, wait_for
from tests.support.node import NodeProcess, needs_node, npm_dir
from tests.support.registers import nzqa_app, start

pytestmark = needs_node


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
