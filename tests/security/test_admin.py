"""The admin token: failed attempts are throttled per client, weak tokens stop the start."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.security.graphql_hub import serving, write_hub
from tests.support.hub_process import HubProcess, hub_command

TOKEN = "admin-token-for-lockout-tests-3b9c"
SETTINGS = f"""
[server]
trusted_proxies = ["127.0.0.1"]   # so each test client can be its own address

[admin]
token = "{TOKEN}"
max_failed_attempts = 3
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with serving(write_hub(tmp_path_factory.mktemp("admin"), SETTINGS, 50)) as h:
        yield h


async def clear(
    session: aiohttp.ClientSession, hub: HubProcess, client: str, token: str
) -> tuple[int, dict[str, str], str]:
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": client}
    async with session.post(hub.url + "/admin/cache/clear", headers=headers) as resp:
        return resp.status, dict(resp.headers), await resp.text()


async def test_a_client_guessing_the_token_is_locked_out_and_others_are_not(
    hub: HubProcess,
) -> None:
    attacker, colleague = "203.0.113.5", "203.0.113.9"
    async with aiohttp.ClientSession() as session:
        for guess in range(3):
            status, _, _ = await clear(session, hub, attacker, f"guess-{guess}")
            assert status == 401
        status, headers, text = await clear(session, hub, attacker, TOKEN)
        assert status == 429, text  # locked out: even the right token waits
        assert int(headers["Retry-After"]) >= 1
        assert "[admin] max_failed_attempts = 3" in text
        # another client is not held up by the attacker's lockout
        assert (await clear(session, hub, colleague, TOKEN))[0] == 200
        await asyncio.sleep(int(headers["Retry-After"]) + 0.2)
        assert (await clear(session, hub, attacker, TOKEN))[0] == 200
        # a success forgets the failures: three more wrong tries before the next lockout
        for guess in range(3):
            assert (await clear(session, hub, attacker, f"again-{guess}"))[0] == 401
        assert (await clear(session, hub, attacker, "one-more"))[0] == 429


def start_fails(tmp_path: Path, settings: str, env: dict[str, str] | None = None) -> str:
    """stderr of `serve` refusing to start (exit 2, the config-error code)."""
    import os

    config = write_hub(tmp_path, settings, 5)
    done = subprocess.run(
        [*hub_command(), "serve", "--no-harvest", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 2, done.stderr
    return done.stderr


def test_a_short_admin_token_stops_the_start_naming_the_key_and_the_fix(tmp_path: Path) -> None:
    stderr = start_fails(tmp_path, '[admin]\ntoken = "hub-admin"\n')
    assert "admin.token" in stderr
    assert "use at least 16 random ones" in stderr
    assert "hub-admin" not in stderr  # the token itself is never printed


def test_a_token_built_from_an_unset_variable_stops_the_start(tmp_path: Path) -> None:
    env = {"MCH_TEST_UNSET_TOKEN_PART": ""}
    settings = '[admin]\ntoken = "hub-${MCH_TEST_SURELY_UNSET_42}"\n'
    stderr = start_fails(tmp_path, settings)
    assert "admin.token" in stderr and "MCH_TEST_SURELY_UNSET_42 is not set" in stderr
    # set but empty leaves "hub-": too short, refused as well
    stderr = start_fails(tmp_path, '[admin]\ntoken = "hub-${MCH_TEST_UNSET_TOKEN_PART}"\n', env=env)
    assert "admin.token" in stderr and "has 4 characters" in stderr
