"""Hostile clients against a real `microcred-hub serve`: limits, admin, logs, persisted queries.

Each hub runs as a subprocess over a copy of the bundled demo registers (file:// sources), with
the settings under test in its config. Every response any test here receives is checked for
tracebacks and install paths (``Client.call``).
"""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import aiohttp
import pytest

import microcred_hub
from microcred_hub.errors import ConfigError
from microcred_hub.graphql.persisted import PersistedQueries, PersistedQueryError, load_allow_list
from tests.support.hub_process import HubProcess, hub_command, wait_for

DEMO = Path(microcred_hub.__file__).resolve().parent / "demo"
INSTALL_MARKERS = ("Traceback", "site-packages", str(Path(microcred_hub.__file__).parents[2]))
ADMIN_TOKEN = "sekrit-admin-token-5f1c0a9e"
SOURCE_SECRET = "Bearer source-secret-77c2e1d4"
REQUEST_ID = "security-test-request-1"
DEMO_SOURCES = """
[[sources]]
key = "nzqa"
connector = "nzqa"
url = "file://${CONFIG_DIR}/nzqa-feed.json"

[[sources]]
key = "edubadges"
connector = "edubadges"
url = "file://${CONFIG_DIR}/edubadges"
catalog_path = "/catalog.json"
detail_path = "/badges/{entityId}.json"
"""
STRICT = f"""
[server]
production = true
log_format = "json"
max_body_bytes = 20000
request_timeout_seconds = 1.5

[admin]
token = "{ADMIN_TOKEN}"
max_failed_attempts = 100  # wrong tokens on purpose here; the lockout: tests/security

[limits]
max_first = 10
max_depth = 4
max_aliases = 3
max_tokens = 300
max_cost = 100
introspection = false
"""
SOURCES = "{ sources { key status lastAttemptAt } }"
ALLOWED = "{ sources { key } }"


def demo_config(folder: Path, settings: str, extra_sources: str = "") -> Path:
    shutil.copytree(DEMO, folder, dirs_exist_ok=True)
    config = folder / "hub.toml"
    config.write_text(settings + DEMO_SOURCES + extra_sources, encoding="utf-8")
    return config


async def _settled(hub: HubProcess, sources: int) -> None:
    """Every source harvested once (ok or not): read from /metrics, which no allow-list limits."""
    async with aiohttp.ClientSession() as session:

        async def done() -> bool:
            async with session.get(hub.url + "/metrics") as resp:
                text = await resp.text()
            found = re.findall(r'^mch_harvests_total{[^}]*source="([^"]+)"', text, re.M)
            return len(set(found)) == sources

        await wait_for(done)


@contextmanager
def running(config: Path, sources: int = 2) -> Iterator[HubProcess]:
    hub = HubProcess(config)
    hub.start()
    try:
        asyncio.run(hub.wait_ready())
        asyncio.run(_settled(hub, sources))
        yield hub
    finally:
        hub.stop()


class _SecretRegister(http.server.BaseHTTPRequestHandler):
    """A register that fails, noting the Authorization header the hub sent it."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _SecretRegister.seen.append(self.headers.get("Authorization", ""))
        self.send_response(500)
        self.end_headers()
        self.wfile.write(b"down")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def secret_register() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SecretRegister)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed"
    server.shutdown()


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory, secret_register: str) -> Iterator[HubProcess]:
    secured = f"""
[[sources]]
key = "secured"
connector = "nzqa"
url = "{secret_register}"
retries = 0
headers = {{ Authorization = "{SOURCE_SECRET}" }}
"""
    with running(demo_config(tmp_path_factory.mktemp("strict"), STRICT, secured), 3) as hub:
        yield hub


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running(demo_config(tmp_path_factory.mktemp("dev"), "")) as hub:
        yield hub


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.text)
        return data

    @property
    def messages(self) -> list[str]:
        return [e["message"] for e in self.json.get("errors", [])]  # type: ignore[attr-defined]


class Client:
    def __init__(self, session: aiohttp.ClientSession, hub: HubProcess) -> None:
        self.session = session
        self.hub = hub

    async def call(self, method: str, path: str, **kwargs: object) -> Answer:
        async with self.session.request(method, self.hub.url + path, **kwargs) as resp:  # type: ignore[arg-type]
            answer = Answer(resp.status, dict(resp.headers), await resp.text(errors="replace"))
        for marker in INSTALL_MARKERS:
            assert marker not in answer.text, f"{marker!r} leaked in {answer.text[:300]}"
        return answer

    async def query(self, query: str, **body: object) -> Answer:
        return await self.call("POST", "/graphql", json={"query": query, **body})

    async def counter(self, name: str) -> float:
        text = (await self.call("GET", "/metrics")).text
        pattern = rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$"
        return sum(float(v) for v in re.findall(pattern, text, re.M))


@pytest.fixture
async def client_for() -> AsyncIterator[type[Client]]:
    async with aiohttp.ClientSession() as session:

        class Bound(Client):
            def __init__(self, hub: HubProcess) -> None:
                super().__init__(session, hub)

        yield Bound


LIMIT_CASES = {
    "max_depth": ("{ microcredentials(first: 2) { edges { node { awardingBodies { name } } } } }",
                  "exceeds max_depth 4"),
    "max_aliases": ("{ a: sources { key } b: sources { key } c: sources { key } d: sources { key } }",
                    "exceeding max_aliases 3"),
    "max_tokens": ("{ sources { " + "key " * 400 + "} }", "exceeding max_tokens 300"),
    "max_cost": ("{ microcredentials(first: 10) { edges { node { id localId title status "
                 "languages validFrom validUntil updatedAt url } } } }",
                 "exceeds max_cost 100"),
    "max_first": ("{ microcredentials(first: 11) { totalCount } }", "first 11 exceeds max_first 10"),
    "negative_first": ("{ providers(first: -1) { totalCount } }", "first must be 0 or more, got -1"),
}  # fmt: skip


@pytest.mark.parametrize("limit", list(LIMIT_CASES))
async def test_each_query_limit_is_refused_naming_the_setting_and_its_value(
    strict: HubProcess, client_for: type[Client], limit: str
) -> None:
    query, expected = LIMIT_CASES[limit]
    answer = await client_for(strict).query(query)
    assert answer.status == 200
    assert answer.json.get("data") is None
    assert any(expected in m for m in answer.messages), answer.messages
    if limit.startswith("max_") and limit != "max_first":
        error = answer.json["errors"][0]  # type: ignore[index]
        assert error["extensions"] == {
            "code": "LIMIT_EXCEEDED",
            "limit": limit,
            "value": error["extensions"]["value"],
        }


async def test_a_refused_query_is_400_for_graphql_response_json(
    strict: HubProcess, client_for: type[Client]
) -> None:
    query = LIMIT_CASES["max_aliases"][0]
    headers = {"Accept": "application/graphql-response+json"}
    answer = await client_for(strict).call(
        "POST", "/graphql", json={"query": query}, headers=headers
    )
    assert answer.status == 400
    assert "data" not in answer.json


@pytest.mark.parametrize("field", ["__schema { types { name } }", '__type(name: "Query") { name }'])
async def test_introspection_off_refuses_the_schema(
    strict: HubProcess, client_for: type[Client], field: str
) -> None:
    answer = await client_for(strict).query("{ " + field + " }")
    assert any("introspection" in m.lower() for m in answer.messages), answer.messages
    assert "data" not in answer.json or answer.json["data"] is None


async def test_production_hides_suggestions_that_development_gives(
    strict: HubProcess, dev: HubProcess, client_for: type[Client]
) -> None:
    typo = "{ microcredentialz { id } }"
    assert any("Did you mean" in m for m in (await client_for(dev).query(typo)).messages)
    refused = await client_for(strict).query(typo)
    assert refused.messages and not any("Did you mean" in m for m in refused.messages)


async def test_production_serves_no_graphiql_to_a_browser(
    strict: HubProcess, dev: HubProcess, client_for: type[Client]
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    shown = await client_for(dev).call("GET", "/graphql", headers=browser)
    assert shown.status == 200 and "graphiql" in shown.text.lower()
    for accept in (browser, {"Accept": "text/html"}):
        answer = await client_for(strict).call("GET", "/graphql", headers=accept)
        assert "graphiql" not in answer.text.lower()
        assert not answer.headers.get("Content-Type", "").startswith("text/html")


async def test_a_body_over_max_body_bytes_is_413_json(
    strict: HubProcess, client_for: type[Client]
) -> None:
    query = "{ sources { key } }" + " " * 25_000
    answer = await client_for(strict).query(query)
    assert answer.status == 413
    assert answer.messages == ["request body exceeds [server] max_body_bytes = 20000"]


async def test_a_request_slower_than_the_deadline_gets_503(
    strict: HubProcess, client_for: type[Client]
) -> None:
    async def slow_body() -> AsyncIterator[bytes]:
        yield b'{"query": "{ sources'
        await asyncio.sleep(3)
        yield b' { key } }"}'

    headers = {"Content-Type": "application/json"}
    answer = await client_for(strict).call("POST", "/graphql", data=slow_body(), headers=headers)
    assert answer.status == 503
    assert "1.5 s deadline ([server] request_timeout_seconds)" in answer.messages[0]


BAD_AUTH = [
    {},
    {"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}x"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}-and-more"},
    {"Authorization": "Bearer x"},
    {"Authorization": f"Basic {ADMIN_TOKEN}"},
    {"Authorization": ADMIN_TOKEN},
]


async def test_admin_refuses_missing_wrong_and_odd_tokens_and_changes_nothing(
    strict: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(strict)
    await client.query(ALLOWED)  # now cached
    harvests = await client.counter("mch_harvests_total")
    attempts = (await client.query(SOURCES)).json["data"]
    hits = await client.counter("mch_response_cache_total")
    for headers in BAD_AUTH:
        for path in ("/admin/harvest", "/admin/harvest?source=nzqa", "/admin/cache/clear"):
            answer = await client.call("POST", path, headers=headers)
            assert answer.status == 401, (path, headers)
            assert answer.messages == [
                "admin token missing or wrong (Authorization: Bearer <token>)"
            ]
    await asyncio.sleep(0.5)  # time for a wrongly started harvest to show
    assert await client.counter("mch_harvests_total") == harvests
    assert (await client.query(SOURCES)).json["data"] == attempts
    before = await client.counter("mch_response_cache_total")
    await client.query(ALLOWED)
    assert await client.counter('mch_response_cache_total{result="hit"}') > 0
    assert await client.counter("mch_response_cache_total") == before + 1 > hits
    # the right token does work, so the checks above could have seen a change
    ok = await client.call(
        "POST", "/admin/cache/clear", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert ok.status == 200


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}]
)
async def test_admin_is_off_when_no_token_is_configured(
    dev: HubProcess, client_for: type[Client], headers: dict[str, str]
) -> None:
    for path in ("/admin/harvest", "/admin/cache/clear"):
        assert (await client_for(dev).call("POST", path, headers=headers)).status == 401


async def test_json_logs_carry_request_ids_and_never_secrets(
    strict: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(strict)
    await client.call(
        "POST", "/admin/harvest", headers={"X-Request-Id": REQUEST_ID, "Authorization": "Bearer no"}
    )
    await client.call("POST", "/admin/harvest", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    await wait_for(lambda: _logged(strict, "source secured harvest failed"))
    assert SOURCE_SECRET in _SecretRegister.seen  # the header was really sent
    lines = [line for line in strict.output().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is JSON
    errors = [
        e for e in entries if e["logger"] == "microcred_hub.http" and "refused" in e["message"]
    ]
    assert errors and all(e.get("request_id") for e in errors)
    assert any(e.get("request_id") == REQUEST_ID for e in errors)
    for secret in (ADMIN_TOKEN, SOURCE_SECRET, SOURCE_SECRET.split()[1]):
        assert secret not in strict.output()


async def _logged(hub: HubProcess, text: str) -> bool:
    return text in hub.output()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    settings = "[server]\nrate_limit_per_second = 2\nrate_limit_burst = 3\n"
    with running(demo_config(tmp_path_factory.mktemp("limited"), settings)) as hub:
        yield hub


async def test_a_client_over_the_rate_limit_gets_429_with_retry_after(
    limited: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(limited)
    answers = [await client.query(ALLOWED) for _ in range(10)]
    refused = [a for a in answers if a.status == 429]
    assert refused and answers[0].status == 200
    assert all(int(a.headers["Retry-After"]) >= 1 for a in refused)
    assert "rate_limit_per_second = 2" in refused[0].messages[0]
    assert (await client.call("GET", "/healthz")).status == 200  # only /graphql is limited
    assert await client.counter("mch_rate_limited_total") >= len(refused)
    await asyncio.sleep(1.1)
    assert (await client.query(ALLOWED)).status == 200


# --- persisted queries ------------------------------------------------------------------------


def apq(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_apq_registers_a_query_then_serves_it_by_hash_over_get_and_post(
    dev: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(dev)
    text = "{ microcredentials(first: 3) { totalCount edges { node { id } } } }"
    get_params = {"extensions": json.dumps(apq(sha(text)))}
    unknown = await client.call("GET", "/graphql", params=get_params)
    assert unknown.status == 200
    assert unknown.json["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    assert "public" not in unknown.headers.get("Cache-Control", "")  # no CDN keeps the miss
    wrong = await client.query("{ sources { key } }", extensions=apq(sha(text)))
    assert wrong.json["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"  # type: ignore[index]
    registered = await client.query(text, extensions=apq(sha(text)))
    assert registered.status == 200 and "errors" not in registered.json
    by_post = await client.call("POST", "/graphql", json={"extensions": apq(sha(text))})
    by_get = await client.call("GET", "/graphql", params=get_params)
    assert by_post.json == by_get.json == registered.json
    hits = await client.counter('mch_response_cache_total{result="hit"}')
    again = await client.call("GET", "/graphql", params=get_params)
    assert again.json == registered.json and "public" in again.headers["Cache-Control"]
    assert await client.counter('mch_response_cache_total{result="hit"}') == hits + 1


async def test_apq_registers_a_query_whose_answer_is_already_cached(
    dev: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(dev)
    text = "{ microcredentials(first: 2) { totalCount } }"
    plain = await client.query(text)  # its answer is now in the response cache
    missing = await client.call("POST", "/graphql", json={"extensions": apq(sha(text))})
    assert missing.messages == ["PersistedQueryNotFound"]
    registered = await client.query(text, extensions=apq(sha(text)))  # the client's retry
    assert registered.json == plain.json
    by_hash = await client.call("POST", "/graphql", json={"extensions": apq(sha(text))})
    assert by_hash.json == plain.json
    mismatch = await client.query(text, extensions=apq(sha(SOURCES)))
    assert mismatch.json["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"  # type: ignore[index]


async def test_apq_refusals_are_request_errors_with_codes(
    dev: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(dev)
    strict_accept = {"Accept": "application/graphql-response+json"}
    missing = await client.call(
        "POST", "/graphql", json={"extensions": apq("0" * 64)}, headers=strict_accept
    )
    assert missing.status == 400 and missing.messages == ["PersistedQueryNotFound"]
    for bad, code in (
        ({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, "VERSION_UNSUPPORTED"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}}, "INVALID"),
        ({"persistedQuery": "yes"}, "INVALID"),
    ):
        answer = await client.call("POST", "/graphql", json={"extensions": bad})
        assert answer.json["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_" + code  # type: ignore[index]


@pytest.fixture(scope="module")
def allow_listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("allow")
    (folder / "queries.json").write_text(json.dumps([ALLOWED]), encoding="utf-8")
    settings = '[limits]\npersisted_only = true\npersisted_queries_file = "queries.json"\n'
    with running(demo_config(folder, settings)) as hub:
        yield hub


async def test_allow_list_runs_listed_queries_only_and_names_the_setting(
    allow_listed: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(allow_listed)
    expected = {"data": {"sources": [{"key": "edubadges"}, {"key": "nzqa"}]}}
    assert (await client.query(ALLOWED)).json == expected
    assert (await client.query("{\n  sources {\n    key\n  }\n}")).json == expected
    by_hash = await client.call("POST", "/graphql", json={"extensions": apq(sha(ALLOWED))})
    assert by_hash.json == expected
    other = "{ sources { key status } }"
    for body in ({"query": other}, {"query": other, "extensions": apq(sha(other))},
                 {"extensions": apq(sha(other))}):  # fmt: skip
        refused = await client.call("POST", "/graphql", json=body)
        assert "persisted_only = true" in refused.messages[0], refused.messages
        assert refused.json["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ONLY"  # type: ignore[index]


def test_persisted_only_without_a_file_stops_the_hub_naming_the_key(tmp_path: Path) -> None:
    config = demo_config(tmp_path, "[limits]\npersisted_only = true\n")
    done = subprocess.run(
        [*hub_command(), "serve", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "limits.persisted_queries_file" in done.stderr


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("listed")
    (folder / "queries.json").write_text(json.dumps([ALLOWED]), encoding="utf-8")
    with running(demo_config(folder, '[limits]\npersisted_queries_file = "queries.json"\n')) as hub:
        yield hub


async def test_a_persisted_queries_file_alone_serves_its_queries_by_hash_and_runs_others(
    listed: HubProcess, client_for: type[Client]
) -> None:
    client = client_for(listed)
    expected = {"data": {"sources": [{"key": "edubadges"}, {"key": "nzqa"}]}}
    # never sent in full to this hub: known from the file
    by_hash = await client.call("POST", "/graphql", json={"extensions": apq(sha(ALLOWED))})
    assert by_hash.json == expected
    assert "errors" not in (await client.query("{ sources { key status } }")).json  # no allow-list
    other = "{ sources { key lastError } }"
    unknown = await client.call("POST", "/graphql", json={"extensions": apq(sha(other))})
    assert unknown.messages == ["PersistedQueryNotFound"]  # APQ goes on as without a file
    registered = await client.query(other, extensions=apq(sha(other)))
    assert "errors" not in registered.json
    again = await client.call("POST", "/graphql", json={"extensions": apq(sha(other))})
    assert again.json == registered.json


@pytest.mark.parametrize("only", ["persisted_only = true\n", ""], ids=["only", "listed"])
def test_a_persisted_queries_file_that_is_not_there_stops_the_hub_naming_the_key(
    tmp_path: Path, only: str
) -> None:
    config = demo_config(tmp_path, f'[limits]\n{only}persisted_queries_file = "nope.json"\n')
    done = subprocess.run(
        [*hub_command(), "serve", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "limits.persisted_queries_file" in done.stderr
    assert "nope.json not found; give the path of a JSON file" in done.stderr


def test_listed_queries_are_never_evicted_by_the_apq_memory() -> None:
    listed = "{ sources { key } }"
    store = PersistedQueries(max_entries=1, listed={sha(listed): listed})
    for text in ("{ sources { status } }", "{ sources { url } }"):
        store.resolve(text, apq(sha(text)))
    assert store.resolve(None, apq(sha(listed))) == listed
    off = PersistedQueries(apq=False, listed={sha(listed): listed})
    assert off.resolve(None, apq(sha(listed))) == listed  # the file is not APQ registration


def test_the_apq_memory_is_bounded_least_recently_used_first() -> None:
    store = PersistedQueries(max_entries=2)
    a, b, c = "{ sources { key } }", "{ sources { status } }", "{ sources { url } }"
    for text in (a, b):
        store.resolve(text, apq(sha(text)))
    assert store.resolve(None, apq(sha(a))) == a  # a is now the most recently used
    store.resolve(c, apq(sha(c)))
    assert len(store) == 2
    assert store.resolve(None, apq(sha(a))) == a
    with pytest.raises(PersistedQueryError, match="PersistedQueryNotFound"):
        store.resolve(None, apq(sha(b)))


@pytest.mark.parametrize(
    "content",
    [
        {sha(ALLOWED): ALLOWED},
        [ALLOWED],
        {
            "format": "apollo-persisted-query-manifest",
            "operations": [{"id": sha(ALLOWED), "body": ALLOWED}],
        },
    ],
)
def test_an_allow_list_file_may_be_a_map_a_list_or_an_apollo_manifest(
    tmp_path: Path, content: object
) -> None:
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    assert load_allow_list(path, config_file="hub.toml") == {sha(ALLOWED): ALLOWED}


def test_an_allow_list_entry_under_a_wrong_hash_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "queries.json"
    path.write_text(json.dumps({"0" * 64: ALLOWED}), encoding="utf-8")
    with pytest.raises(ConfigError, match="not the sha256 of its query"):
        load_allow_list(path, config_file="hub.toml")
