"""A loopback register that serves a scenario folder: scenario.toml routes to fixture files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

#: written in fixtures where the register's own address belongs (e.g. `next` links)
BASE_PLACEHOLDER = "{base}"


@dataclass
class Scenario:
    """A scenario folder: what to serve, where the source points, what to expect."""

    folder: Path
    url: str = "/"
    options: dict[str, object] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)  # "/path?query" or "/path" -> file
    content_types: dict[str, str] = field(default_factory=dict)
    expected: dict[str, dict[str, object]] = field(default_factory=dict)
    empty_routes: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)  # check -> stated reason

    @classmethod
    def load(cls, folder: Path) -> Scenario:
        spec = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))
        expected: dict[str, dict[str, object]] = {}
        for path in (
            sorted((folder / "expected").glob("*.toml")) if (folder / "expected").is_dir() else []
        ):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            expected[str(data.pop("localId", path.stem))] = data
        return cls(
            folder=folder,
            url=str(spec.get("url", "/")),
            options=dict(spec.get("options", {})),
            routes={str(k): str(v) for k, v in spec.get("routes", {}).items()},
            content_types={str(k): str(v) for k, v in spec.get("content_types", {}).items()},
            expected=expected,
            empty_routes={str(k): str(v) for k, v in spec.get("empty_routes", {}).items()},
            skip={str(k): str(v) for k, v in spec.get("skip", {}).items()},
        )


class Loopback:
    """Any aiohttp app as a register on 127.0.0.1 (a free port), for an ``async with`` or between
    ``start()`` and ``close()``: a connector's own fetch tests need no server code of their own."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.base = ""  # http://127.0.0.1:<port>, once started
        self.host = "127.0.0.1"
        self._runner: web.AppRunner | None = None

    async def start(self) -> Loopback:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.host = f"127.0.0.1:{port}"
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Loopback:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def url(self, path: str = "/") -> str:
        """``path`` on this register; a URL that names a host is returned as it is."""
        return path if "://" in path else self.base + path


class ScenarioServer:
    """Serves a scenario's routes on 127.0.0.1; counts requests; can be told to fail."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.routes = scenario.routes
        self.request_count = 0
        self.fail_with: int | None = None
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._loopback = Loopback(app)

    def use_empty(self) -> None:
        self.routes = self.scenario.empty_routes

    def use_full(self) -> None:
        self.routes = self.scenario.routes

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.request_count += 1
        if self.fail_with is not None:
            return web.Response(
                status=self.fail_with, text="unavailable", headers={"Retry-After": "0"}
            )
        name = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if name is None:
            return web.Response(status=404, text=f"no route for {request.path_qs}")
        body = (
            (self.scenario.folder / name)
            .read_bytes()
            .replace(BASE_PLACEHOLDER.encode(), self.base.encode())
        )
        ctype = self.scenario.content_types.get(name) or (
            "text/csv" if name.endswith(".csv") else "application/json"
        )
        return web.Response(body=body, content_type=ctype)

    @property
    def base(self) -> str:
        return self._loopback.base

    @property
    def host(self) -> str:
        return self._loopback.host

    async def __aenter__(self) -> ScenarioServer:
        await self._loopback.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._loopback.close()

    def url(self, path: str) -> str:
        return self._loopback.url(path)
