"""A hostile register tries to make the hub fetch other services, with the source's credentials.

Each test runs a real harvest against aiohttp servers on loopback: the register, and a fake
internal service (``Witness``) that must see zero requests and zero credentials.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator

import pytest

from microcred_hub.config import SourceConfig
from microcred_hub.errors import ConfigError
from microcred_hub.fetch import FetchPolicy, HttpFetcher
from microcred_hub.harvest import harvest_source
from microcred_hub.outbound import origins_for
from microcred_hub.state import SourceStatus
from microcred_hub.store.memory import MemoryStore
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.support.hostile import HostileRegister, Witness

TOKEN = "Bearer source-credential-0b7e51"


@pytest.fixture
async def register() -> AsyncIterator[HostileRegister]:
    async with HostileRegister() as reg:
        yield reg


@pytest.fixture
async def witness() -> AsyncIterator[Witness]:
    async with Witness() as wit:
        yield wit


async def harvest(url: str, **settings: object):  # type: ignore[no-untyped-def]
    store = MemoryStore()
    await store.open()
    base = {"key": "reg", "connector": "nzqa", "url": url, "retries": 0}
    source = SourceConfig(**{**base, "headers": {"Authorization": TOKEN}, **settings})  # type: ignore[arg-type]
    summary = await harvest_source(source, NzqaConnector(NzqaOptions()), store)
    records = await store.records("reg")
    await store.close()
    return summary, records


def assert_untouched(witness: Witness) -> None:
    assert witness.seen.requests == 0, witness.seen.paths
    assert TOKEN not in witness.seen.authorizations


@pytest.mark.parametrize("path", ["/latest/meta-data/", "/admin?x=1"])
async def test_a_bare_allowed_host_admits_its_default_port_not_every_port(
    register: HostileRegister, witness: Witness, path: str
) -> None:
    register.next_url = witness.url + path  # same host 127.0.0.1, another port
    summary, records = await harvest(register.url + "/feed", allowed_hosts=("127.0.0.1",))
    assert not summary.ok
    assert "not allowed" in summary.errors[0]
    assert not any(r.local_id == "STOLEN1" for r in records)
    assert_untouched(witness)
    assert register.seen.authorizations == [TOKEN]  # the register itself did get them
    # naming the port admits exactly that origin, and it is one of the source's own
    host_port = witness.url.removeprefix("http://")
    summary, records = await harvest(register.url + "/feed", allowed_hosts=(host_port,))
    assert summary.ok, summary.errors
    assert any(r.local_id == "STOLEN1" for r in records)
    assert witness.seen.authorizations == [TOKEN]


async def test_a_redirect_to_an_internal_service_is_refused_before_any_request(
    register: HostileRegister, witness: Witness
) -> None:
    register.location = witness.url + "/latest/meta-data/iam/security-credentials/"
    store = MemoryStore()
    await store.open()
    source = SourceConfig(
        key="reg",
        connector="nzqa",
        url=register.url + "/redirect",
        retries=0,
        allowed_hosts=("127.0.0.1",),
        headers={"Authorization": TOKEN},
    )
    summary = await harvest_source(source, NzqaConnector(NzqaOptions()), store)
    assert not summary.ok and "not allowed" in summary.errors[0]
    assert_untouched(witness)
    state = next(s for s in await store.states() if s.key == "reg")
    assert state.status is SourceStatus.FAILING
    assert await store.records("reg") == []
    await store.close()


async def test_a_link_to_the_register_port_under_another_scheme_is_refused(
    register: HostileRegister,
) -> None:
    port = register.url.rsplit(":", 1)[1]
    register.next_url = f"https://127.0.0.1:{port}/feed?page=2"
    summary, _ = await harvest(register.url + "/feed")
    assert not summary.ok and "not allowed" in summary.errors[0]
    assert register.seen.requests == 1


async def test_a_host_name_that_resolves_to_loopback_is_refused_unless_allowed(
    register: HostileRegister,
) -> None:
    local = register.url.replace("127.0.0.1", "localhost") + "/feed"
    summary, _ = await harvest(local)
    assert not summary.ok
    assert "allow_private_addresses = true" in summary.errors[0]
    assert register.seen.requests == 0
    allowed, records = await harvest(local, allow_private_addresses=True)
    assert allowed.ok, allowed.errors
    assert records and register.seen.requests == 1
    literal, records = await harvest(register.url + "/feed")  # the URL names the address itself
    assert literal.ok and len(records) == 5


async def test_the_source_headers_go_only_to_its_own_origins(
    register: HostileRegister, witness: Witness
) -> None:
    policy = FetchPolicy(
        origins=(register.url, witness.url),
        header_origins=(register.url,),
        headers={"Authorization": TOKEN},
        retries=0,
    )
    async with HttpFetcher(policy) as fetcher:
        await fetcher.get(register.url + "/feed")
        await fetcher.get(witness.url + "/anything")
    assert register.seen.authorizations == [TOKEN]
    assert witness.seen.authorizations == [""]


async def _closing_server() -> tuple[asyncio.Server, int]:
    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_closed_port_and_a_port_that_hangs_up_read_the_same_to_clients() -> None:
    server, open_port = await _closing_server()
    try:
        closed, _ = await harvest(f"http://127.0.0.1:{_closed_port()}/feed")
        hung_up, _ = await harvest(f"http://127.0.0.1:{open_port}/feed")
    finally:
        server.close()
        await server.wait_closed()
    assert not closed.ok and not hung_up.ok
    texts = {re.sub(r"127\.0\.0\.1:\d+", "HOST", s.errors[0]) for s in (closed, hung_up)}
    assert len(texts) == 1, texts
    assert "Errno" not in texts.pop()


def test_an_https_source_admits_no_http_origin_through_its_allowed_hosts() -> None:
    origins = origins_for(("https://register.example/feed",), ("cdn.example", "api.example:8443"))
    assert {scheme for scheme, _, _ in origins} == {"https"}
    assert ("https", "cdn.example", 443) in origins
    assert ("https", "api.example", 8443) in origins
    assert ("https", "register.example", 443) in origins


@pytest.mark.parametrize(
    ("entry", "origin"),
    [
        ("[2001:db8::1]:8443", ("https", "2001:db8::1", 8443)),
        ("[2001:db8::1]", ("https", "2001:db8::1", 443)),
        ("Register.Example:8080", ("https", "register.example", 8080)),
    ],
)
def test_allowed_hosts_name_ipv6_addresses_in_brackets(
    entry: str, origin: tuple[str, str, int]
) -> None:
    assert origins_for(("https://a.example/",), (entry,)) - {("https", "a.example", 443)} == {
        origin
    }


@pytest.mark.parametrize("entry", ["2001:db8::1:443", "2001:db8::1", "[2001:db8::1:443", "a/b"])
def test_an_ambiguous_allowed_host_stops_start_up_naming_the_key_and_the_fix(entry: str) -> None:
    from microcred_hub.config import parse_config

    text = f"""
[[sources]]
key = "reg"
connector = "nzqa"
url = "https://register.example/feed"
allowed_hosts = ["cdn.example", "{entry}"]
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, file="hub.toml", config_dir=__import__("pathlib").Path("."))
    message = str(caught.value)
    assert "sources[0].allowed_hosts[1]" in message
    assert "[2001:db8::1]" in message or "host:port" in message
