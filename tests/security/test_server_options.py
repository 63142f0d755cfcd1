"""[server] options a hostile client must not get around: X-Forwarded-For only from trusted
proxies, a bounded set of metric labels, /metrics and /readyz behind the admin token on demand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.security.graphql_hub import serving, write_hub
from tests.security.test_admin import start_fails
from tests.support.hub_process import HubProcess

TOKEN = "admin-token-for-server-tests-51ad"
LIMITED = "[server]\nrate_limit_per_second = 1\nrate_limit_burst = 2\n"
QUERY = {"query": "{ __typename }"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
def untrusting(folder: Path) -> Iterator[HubProcess]:
    with serving(write_hub(folder / "untrusting", LIMITED, 20)) as hub:
        yield hub


@pytest.fixture(scope="module")
def behind_proxy(folder: Path) -> Iterator[HubProcess]:
    settings = LIMITED + 'trusted_proxies = ["127.0.0.0/8", "::1"]\n'
    settings += f'token_required_for = ["metrics"]\n[admin]\ntoken = "{TOKEN}"\n'
    with serving(write_hub(folder / "proxy", settings, 20)) as hub:
        yield hub


async def statuses(hub: HubProcess, forwarded: list[str]) -> list[int]:
    async with aiohttp.ClientSession() as session:
        out = []
        for address in forwarded:
            headers = {"X-Forwarded-For": address}
            async with session.post(hub.url + "/graphql", json=QUERY, headers=headers) as resp:
                out.append(resp.status)
        return out


async def test_a_forged_forwarded_for_does_not_give_a_fresh_rate_limit_bucket(
    untrusting: HubProcess,
) -> None:
    answers = await statuses(untrusting, [f"198.51.100.{i}" for i in range(8)])
    assert 429 in answers, answers


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    behind_proxy: HubProcess,
) -> None:
    # each client behind the proxy has its own bucket; the part left of what the proxy wrote
    # is the client's own claim and ignored
    spread = await statuses(behind_proxy, [f"1.2.3.4, 198.51.100.{i}" for i in range(8)])
    assert spread == [200] * 8
    same = await statuses(behind_proxy, [f"10.9.8.{i}, 198.51.100.77" for i in range(8)])
    assert 429 in same, same


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start(tmp_path: Path) -> None:
    stderr = start_fails(tmp_path, '[server]\ntrusted_proxies = ["proxy.internal"]\n')
    assert "server.trusted_proxies[0]" in stderr and "not an IP address or network" in stderr


async def test_made_up_methods_share_one_metrics_label(untrusting: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        # httptools refuses made-up names itself; methods it knows but the hub does not serve
        # reach the app, and must not become labels either
        unusual = [f"MADEUP{i}" for i in range(20)] + ["PROPFIND", "MKCOL", "PURGE", "LINK"]
        for method in unusual:
            async with session.request(method, untrusting.url + "/healthz") as resp:
                assert resp.status in (400, 405, 501)
        async with session.get(untrusting.url + "/metrics") as resp:
            metrics = await resp.text()
    methods = set(re.findall(r'^mch_http_requests_total{[^}]*method="([^"]+)"', metrics, re.M))
    assert not any(m.startswith("MADEUP") or m in unusual for m in methods), methods
    assert "other" in methods


async def test_metrics_can_require_the_admin_token_while_probes_stay_open(
    behind_proxy: HubProcess,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(behind_proxy.url + "/metrics") as resp:
            assert resp.status == 401
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with session.get(behind_proxy.url + "/metrics", headers=headers) as resp:
            assert resp.status == 200 and "mch_http_requests_total" in await resp.text()
        for probe in ("/healthz", "/readyz"):
            async with session.get(behind_proxy.url + probe) as resp:
                assert resp.status == 200


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('[server]\ntoken_required_for = ["metrics"]\n', "needs an admin token"),
        (f'[server]\ntoken_required_for = ["graphql"]\n[admin]\ntoken = "{TOKEN}"\n', "graphql"),
    ],
)
def test_token_required_for_is_checked_at_start(
    tmp_path: Path, settings: str, message: str
) -> None:
    stderr = start_fails(tmp_path, settings)
    assert "server.token_required_for" in stderr and message in stderr
