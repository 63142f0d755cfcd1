"""The fetcher as registers meet it: a real aiohttp server on loopback for every case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.errors import FatalFetchError, RetryableFetchError
from microcred_hub.fetch import FetchPolicy, HttpFetcher


class Register:
    """A register whose answers a test sets; it counts what it was asked."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.seen_headers: list[dict[str, str]] = []
        self.flaky_failures = 2
        self.app = web.Application()
        self.app.router.add_get("/{name}", self.answer)

    async def answer(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits[name] = self.hits.get(name, 0) + 1
        self.seen_headers.append(dict(request.headers))
        if name == "ok":
            return web.json_response({"items": [1, 2]})
        if name == "flaky" and self.hits[name] <= self.flaky_failures:
            return web.Response(status=503)
        if name == "flaky":
            return web.json_response({"ok": True})
        if name == "missing":
            return web.Response(status=404)
        if name == "html":
            return web.Response(text="<html></html>", content_type="text/html")
        if name == "big":
            return web.json_response({"blob": "x" * 5000})
        if name == "elsewhere":
            raise web.HTTPFound("http://localhost:9/ok")
        if name == "tagged":
            if request.headers.get("If-None-Match") == '"v1"':
                return web.Response(status=304)
            return web.json_response({"v": 1}, headers={"ETag": '"v1"'})
        return web.Response(status=500)


class Validators:
    """The store's meta table, as the fetcher sees it."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    async def get_meta(self, key: str) -> bytes | None:
        return self.values.get(key)


@pytest.fixture
async def register() -> AsyncIterator[tuple[Register, str]]:
    reg = Register()
    runner = web.AppRunner(reg.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield reg, f"http://127.0.0.1:{port}"
    await runner.cleanup()


def policy(base: str, **overrides: object) -> FetchPolicy:
    fields: dict[str, object] = {
        "origins": (base,),
        "retries": 3,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
    }
    fields.update(overrides)
    return FetchPolicy(**fields)  # type: ignore[arg-type]


async def test_json_from_an_allowed_host(register: tuple[Register, str]) -> None:
    _, base = register
    async with HttpFetcher(policy(base)) as fetcher:
        assert await fetcher.get_json(f"{base}/ok") == {"items": [1, 2]}


async def test_a_host_not_allowed_is_refused_before_any_request(
    register: tuple[Register, str],
) -> None:
    reg, base = register
    only_elsewhere = policy(base, origins=(), allowed_hosts=("register.example",))
    async with HttpFetcher(only_elsewhere) as fetcher:
        with pytest.raises(FatalFetchError, match="not allowed"):
            await fetcher.get(f"{base}/ok")
    assert reg.hits == {}


async def test_a_redirect_to_another_host_is_refused(register: tuple[Register, str]) -> None:
    _, base = register
    async with HttpFetcher(policy(base)) as fetcher:
        with pytest.raises(FatalFetchError, match="localhost:9 is not allowed"):
            await fetcher.get(f"{base}/elsewhere")


async def test_a_5xx_is_retried_until_it_succeeds(register: tuple[Register, str]) -> None:
    reg, base = register
    async with HttpFetcher(policy(base)) as fetcher:
        assert await fetcher.get_json(f"{base}/flaky") == {"ok": True}
    assert reg.hits["flaky"] == 3


async def test_retries_give_up_with_a_retryable_error(register: tuple[Register, str]) -> None:
    reg, base = register
    reg.flaky_failures = 10
    async with HttpFetcher(policy(base, retries=1)) as fetcher:
        with pytest.raises(RetryableFetchError, match="HTTP 503"):
            await fetcher.get(f"{base}/flaky")
    assert reg.hits["flaky"] == 2


async def test_a_404_is_fatal_and_not_retried(register: tuple[Register, str]) -> None:
    reg, base = register
    async with HttpFetcher(policy(base)) as fetcher:
        with pytest.raises(FatalFetchError, match="HTTP 404"):
            await fetcher.get(f"{base}/missing")
    assert reg.hits["missing"] == 1


async def test_html_where_json_was_asked_for_is_fatal(register: tuple[Register, str]) -> None:
    _, base = register
    async with HttpFetcher(policy(base)) as fetcher:
        with pytest.raises(FatalFetchError, match="expected JSON"):
            await fetcher.get(f"{base}/html")


async def test_a_body_over_max_bytes_is_fatal(register: tuple[Register, str]) -> None:
    _, base = register
    async with HttpFetcher(policy(base, max_bytes=1000)) as fetcher:
        with pytest.raises(FatalFetchError, match="exceeds the limit of 1000"):
            await fetcher.get(f"{base}/big")


async def test_conditional_get_sends_the_stored_validator_and_reports_304(
    register: tuple[Register, str],
) -> None:
    reg, base = register
    store = Validators()
    async with HttpFetcher(policy(base), validators=store) as fetcher:
        first = await fetcher.get(f"{base}/tagged", conditional=True)
        assert not first.not_modified
        # kept pending until the harvest lands: a failed harvest must not turn into a 304
        assert store.values == {}
        store.values.update(fetcher.pending_validators)
    async with HttpFetcher(policy(base), validators=store) as fetcher:
        second = await fetcher.get(f"{base}/tagged", conditional=True)
    assert second.not_modified
    assert reg.seen_headers[-1].get("If-None-Match") == '"v1"'


async def test_file_urls_only_when_the_source_allows_them(tmp_path: Path) -> None:
    data = tmp_path / "register.json"
    data.write_text('{"items": []}')
    async with HttpFetcher(FetchPolicy()) as fetcher:
        with pytest.raises(FatalFetchError, match="file:// URLs are not allowed"):
            await fetcher.get(data.as_uri())
    async with HttpFetcher(FetchPolicy(allow_files=True)) as fetcher:
        assert await fetcher.get_json(data.as_uri()) == {"items": []}
