"""``Loopback``: any aiohttp app as a register on 127.0.0.1, reached through the test fetcher."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from microcred_hub.testing import Loopback


def _app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"path": request.path_qs})

    app = web.Application()
    app.router.add_get("/{tail:.*}", hello)
    return app


async def test_serves_the_app_on_a_free_loopback_port_until_closed() -> None:
    async with Loopback(_app()) as server:
        assert server.base.startswith("http://127.0.0.1:")
        assert server.host == server.base.removeprefix("http://")
        async with aiohttp.ClientSession() as session, session.get(server.url("/a?b=1")) as resp:
            assert await resp.json() == {"path": "/a?b=1"}
        url = server.url("/")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            async with session.get(url):
                pass


def test_a_url_naming_a_host_is_kept() -> None:
    assert Loopback(_app()).url("https://other.example/x") == "https://other.example/x"
