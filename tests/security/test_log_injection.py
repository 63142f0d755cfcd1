"""A register cannot forge, hide or rewrite log lines with control characters in what it sends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.hostile import HostileRegister
from tests.support.hub_process import HubProcess, graphql, wait_for

FORGED = "2099-01-01 00:00:00,000 ERROR   microcred_hub.hub: admin token rotated, new one: x"
HOSTILE_LINK = f"http://evil.example/p?page=2\n{FORGED}\r\x1b[2K\x08\u2028{FORGED}"


@pytest.fixture
async def register() -> AsyncIterator[HostileRegister]:
    async with HostileRegister() as reg:
        reg.next_url = HOSTILE_LINK
        yield reg


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_control_characters_from_a_register_are_escaped_in_the_logs(
    tmp_path: Path, register: HostileRegister, log_format: str
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[server]
log_format = "{log_format}"

[[sources]]
key = "hostile"
connector = "nzqa"
url = "{register.url}/feed"
retries = 0
""",
        encoding="utf-8",
    )
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def failed() -> bool:
            _, body = await graphql(session, hub.url, "{ sources { status lastError } }")
            return body["data"]["sources"][0]["status"] == "FAILING"  # type: ignore[index,no-any-return]

        await wait_for(failed)
        _, body = await graphql(session, hub.url, "{ sources { lastError } }")
        await wait_for(lambda: _logged(hub, "source hostile harvest failed"))
        raw = hub.log.read_bytes().decode("utf-8")
    assert "evil.example" in body["data"]["sources"][0]["lastError"]  # type: ignore[index]
    lines = raw.splitlines()  # splits on \r, \x1c-\x1e, \x85 and \u2028 as well as \n
    assert not any(line.startswith("2099-01-01") for line in lines), raw
    assert not any(c in raw for c in "\r\x1b\x08\u2028")
    assert any("evil.example" in line for line in lines)
    if log_format == "json":
        assert all(json.loads(line) for line in raw.splitlines(keepends=False) if line.strip())


async def _logged(hub: HubProcess, text: str) -> bool:
    return text in hub.output()
