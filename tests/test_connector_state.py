"""Connector state: kept in the store, so any replica (or a restarted hub) re-harvests cheaply.

Two hubs are two `microcred-hub harvest` processes on one store (one Redis prefix, or one
memory snapshot read again after the first process exited): the second re-harvests what the
first harvested, and the register sees one conditional request per page and nothing more.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.sdk import ConnectorContractError, ConnectorState
from tests.support.hub_process import hub_command
from tests.support.registers import nzqa_app, start
from tests.test_replicas import REDIS_URL, prefix  # noqa: F401 - the fixture

PAGES = 3  # the nzqa fixture feed at page_size 5


@pytest.fixture(params=["redis", "snapshot"])
def store_table(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "snapshot":
        return f'url = "memory://"\nsnapshot = "{tmp_path / "snapshot.json"}"'
    # the replicas' own Redis prefix fixture: skips without Redis, cleans up after
    key_prefix = request.getfixturevalue("prefix")
    return f'url = "{REDIS_URL}"\nprefix = "{key_prefix}"'


@pytest.fixture
async def register() -> AsyncIterator[tuple[web.Application, str]]:
    app = nzqa_app()
    runner, url = await start(app)
    yield app, url
    await runner.cleanup()


async def harvest(config: Path) -> str:
    """One `microcred-hub harvest`: a process of its own, as another replica would be."""
    proc = await asyncio.create_subprocess_exec(
        *hub_command(),
        "harvest",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=os.environ.copy(),
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    return text


def write_config(tmp_path: Path, name: str, store: str, url: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[store]\n{store}\n\n[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\n'
        f'url = "{url}/microcredentials"\npage_size = 5\n',
        encoding="utf-8",
    )
    return path


async def test_a_second_hub_re_harvests_with_one_conditional_request_per_page(
    register: tuple[web.Application, str], store_table: str, tmp_path: Path
) -> None:
    app, url = register
    faults = app["faults"]
    await harvest(write_config(tmp_path, "a", store_table, url))
    assert (faults.requests, faults.not_modified) == (PAGES, 0)
    out = await harvest(write_config(tmp_path, "b", store_table, url))
    assert "1 source(s), 12 records, all succeeded" in out
    # one request a page, each answered 304: nothing read again
    assert (faults.requests - PAGES, faults.not_modified) == (PAGES, PAGES)


def test_state_that_is_not_json_is_refused_naming_the_rule() -> None:
    with pytest.raises(ConnectorContractError, match="must be JSON"):
        ConnectorState().set({"when": object()})  # type: ignore[dict-item]


def test_state_over_its_size_limit_is_refused_and_the_old_value_kept() -> None:
    state = ConnectorState({"kept": 1}, max_bytes=64)
    with pytest.raises(ConnectorContractError, match="over the limit of 64"):
        state.set({"pages": "x" * 100})
    assert state.value == {"kept": 1} and not state.changed


def test_state_stored_by_another_connector_is_not_handed_over() -> None:
    stored = ConnectorState({"cursor": "abc"})
    data = stored.dump("nzqa")
    assert ConnectorState.load(data, "nzqa").value == {"cursor": "abc"}
    assert ConnectorState.load(data, "elm").value is None
    assert ConnectorState.load(b"not json", "nzqa").value is None
