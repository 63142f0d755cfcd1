"""Secrets planted in every configurable URL and header never reach a client, a log or the CLI,
while the registers themselves do receive them."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from microcred_hub.config import SourceConfig
from microcred_hub.errors import redact_url
from microcred_hub.harvest import harvest_source
from microcred_hub.store.memory import MemoryStore
from microcred_hub_connectors.edubadges import EdubadgesConnector, EdubadgesOptions
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions
from tests.support.hostile import ITEMS, HostileRegister
from tests.support.hub_process import HubProcess, free_port, graphql, hub_command, wait_for
from tests.support.registers import edubadges_app, start

SECRETS = {
    "user": "usr-6c1f0e",
    "key": "key-9a3b27",
    "header": "hdr-4d8e11",
    "header2": "hdr2-77f0aa",
    "broken": "brk-2e5c90",
    "redis": "rds-1b4f63",
    "admin": "adm-5e0c7d9a4b2f8e61",
}


REDACTED = [
    ("https://TOKEN123@register.example/feed", "TOKEN123"),
    ("https://me:pw-123@register.example/feed", "pw-123"),
    ("https://me:pw-123@register.example/feed", "me"),
    ("https://r.example/feed?pass=s3cr3t", "s3cr3t"),
    ("https://r.example/feed?pw=s3cr3t", "s3cr3t"),
    ("https://r.example/feed?jwt=eyJabc", "eyJabc"),
    ("https://r.example/feed?bearer=abc123", "abc123"),
    ("https://r.example/feed?x-amz-credential=abc123&page=2", "abc123"),
    ("https://r.example/feed?anything=abc123", "abc123"),
    ("https://r.example/feed?page=2#access_token=abc123", "abc123"),
    ("redis://127.0.0.1:6379/0?password=abc123", "abc123"),
    ("rediss://:abc123@cache.example:6380/1", "abc123"),
]


def test_redaction_hides_user_parts_and_every_query_value_but_harmless_ones() -> None:
    for url, hidden in REDACTED:
        shown = redact_url(url)
        assert hidden not in shown, (url, shown)
        assert urlsplit(shown).hostname == urlsplit(url).hostname  # still recognisable


def test_redaction_keeps_paging_keys_readable() -> None:
    url = "https://r.example/feed?page=3&pageSize=100&updatedSince=2024-01-01&api_key=k"
    assert redact_url(url) == (
        "https://r.example/feed?page=3&pageSize=100&updatedSince=2024-01-01&api_key=***"
    )


async def test_an_nzqa_register_receives_the_real_api_key_and_clients_never_see_it() -> None:
    async with HostileRegister() as register:
        secret_url = f"{register.url}/feed?api_key={SECRETS['key']}"
        # the register echoes its own link back, and one item cannot be normalised
        register.items = [*ITEMS[:2], {"reference": "BAD1", "self": secret_url}]
        store = MemoryStore()
        await store.open()
        source = SourceConfig(key="reg", connector="nzqa", url=secret_url, retries=0)
        summary = await harvest_source(source, NzqaConnector(NzqaOptions()), store)
        assert summary.ok and summary.quarantined == 1, summary
        assert f"api_key={SECRETS['key']}" in register.seen.paths[0]
        shown = json.dumps(
            [
                [r.provenance.source_url for r in await store.records("reg")],
                [(q.source_url, q.reason, q.raw_excerpt) for q in await store.quarantined("reg")],
                [s.url for s in await store.states()],
            ]
        )
        await store.close()
    assert SECRETS["key"] not in shown
    assert "api_key=***" in shown


async def test_an_edubadges_register_receives_the_real_credentials_in_the_url() -> None:
    app = edubadges_app()
    seen: list[str] = []

    @aiohttp.web.middleware
    async def note(request, handler):  # type: ignore[no-untyped-def]
        seen.append(request.headers.get("Authorization", ""))
        return await handler(request)

    app.middlewares.append(note)
    runner, url = await start(app)
    try:
        secret_url = url.replace("http://", f"http://svc:{SECRETS['user']}@")
        store = MemoryStore()
        await store.open()
        source = SourceConfig(key="edu", connector="edubadges", url=secret_url, retries=0)
        summary = await harvest_source(source, EdubadgesConnector(EdubadgesOptions()), store)
        assert summary.ok, summary.errors
        expected = "Basic " + base64.b64encode(f"svc:{SECRETS['user']}".encode()).decode()
        assert seen and set(seen) == {expected}
        states = await store.states()
        assert all(SECRETS["user"] not in s.url for s in states)
        await store.close()
    finally:
        await runner.cleanup()


# --- the whole hub, as users run it ------------------------------------------------------------


class OwnRedis:
    """A password-protected redis-server of our own, so the test may stop it."""

    def __init__(self, password: str) -> None:
        self.port = free_port()
        self.password = password
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> OwnRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--requirepass", self.password],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    with OwnRedis(SECRETS["redis"]) as server:
        yield server


@pytest.fixture
async def echoing_register() -> AsyncIterator[HostileRegister]:
    async with HostileRegister() as register:
        yield register


def hub_config(folder: Path, register: str, redis_port: int) -> Path:
    redis_url = f"redis://127.0.0.1:{redis_port}/0?password={SECRETS['redis']}"
    host = register.removeprefix("http://")
    config = folder / "hub.toml"
    config.write_text(
        f"""
[store]
url = "{redis_url}"
prefix = "sec-net-{redis_port}:"

[cache]
url = "{redis_url}"

[admin]
token = "{SECRETS["admin"]}"

[[sources]]
key = "secured"
connector = "nzqa"
url = "http://{host}/feed?api_key={SECRETS["key"]}&page=1"
retries = 0
headers = {{ Authorization = "Bearer {SECRETS["header"]}", X-Api-Key = "{SECRETS["header2"]}" }}

[[sources]]
key = "basic"
connector = "nzqa"
url = "http://svc:{SECRETS["user"]}@{host}/feed?page=1"
retries = 0

[[sources]]
key = "broken"
connector = "nzqa"
url = "http://{host}/missing?token={SECRETS["broken"]}"
retries = 0
""",
        encoding="utf-8",
    )
    return config


EVERYTHING = """{ sources { key url status lastError quarantinedCount
  quarantined(first: 10) { reason localId sourceUrl rawExcerpt }
  lastSummary { errors } }
  microcredentials(first: 10) { edges { node { id url provenance { sourceUrl } } } } }"""


async def test_no_secret_reaches_an_answer_the_metrics_readyz_or_the_logs(
    tmp_path: Path, own_redis: OwnRedis, echoing_register: HostileRegister
) -> None:
    register = echoing_register
    echo = f"{register.url}/feed?api_key={SECRETS['key']}"
    register.items = [*ITEMS[:2], {"reference": "BAD1", "self": echo}]
    config = hub_config(tmp_path, register.url, own_redis.port)
    answers: list[str] = []
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:

        async def get(path: str) -> str:
            async with session.get(hub.url + path) as resp:
                text = await resp.text()
            answers.append(text)
            return text

        async def harvested() -> bool:
            _, body = await graphql(session, hub.url, EVERYTHING)
            states = body["data"]["sources"]  # type: ignore[index]
            return all(s["status"] not in ("PENDING", "HARVESTING") for s in states)

        await wait_for(harvested)
        _, body = await graphql(session, hub.url, EVERYTHING)
        answers.append(json.dumps(body))
        sources = {s["key"]: s for s in body["data"]["sources"]}  # type: ignore[index]
        assert sources["secured"]["status"] == "OK" and sources["secured"]["quarantinedCount"] == 1
        assert sources["broken"]["lastError"], sources
        # the register got what it needs
        # (the two sources harvest in either order: look at every request)
        assert any(f"api_key={SECRETS['key']}" in path for path in register.seen.paths)
        assert f"Bearer {SECRETS['header']}" in register.seen.authorizations
        await get("/metrics")
        await get("/readyz")
        own_redis.stop()  # the store goes away: its errors quote the store URL
        await get("/metrics")
        await graphql(session, hub.url, "{ sources { key lastError } }")

        async def store_error_shown() -> bool:
            await get("/metrics")  # looks at the store, so /readyz learns it is gone
            return "password=***" in await get("/readyz")

        await wait_for(store_error_shown, within=20)
        _, body = await graphql(session, hub.url, EVERYTHING)
        answers.append(json.dumps(body))
        await get("/healthz")
        await asyncio.sleep(0.5)
        logs = hub.output()
    for name, secret in SECRETS.items():
        for text in answers:
            assert secret not in text, (name, text[:500])
        assert secret not in logs, (name, [line for line in logs.splitlines() if secret in line])


def test_the_cli_never_prints_a_secret_from_a_source_url(tmp_path: Path) -> None:
    port = free_port()  # nothing listens: the harvest fails and the CLI reports why
    config = tmp_path / "hub.toml"
    config.write_text(
        f"""
[[sources]]
key = "gone"
connector = "nzqa"
url = "http://{SECRETS["user"]}@127.0.0.1:{port}/feed?api_key={SECRETS["key"]}"
retries = 0
""",
        encoding="utf-8",
    )
    for command in (["harvest"], ["connectors", "check"]):
        done = subprocess.run(
            [*hub_command(), *command, "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        output = done.stdout + done.stderr
        assert "gone" in output, output
        for secret in (SECRETS["user"], SECRETS["key"]):
            assert secret not in output, output
