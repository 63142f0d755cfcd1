"""Browser tests: the hub started as users start it, pages in Debian's headless Chromium.

Every request a page makes to another origin is blocked and recorded, and every console error
kept; the ``visit`` fixture fails the test when either happened, so the pages are shown to work
with no internet access.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from microcred_hub.web import DASHBOARD_QUERIES
from tests.support.hub_process import HubProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

#: why the browser tests cannot run here, if they cannot; they are then skipped with it (a
#: module-level skip in a conftest would make ``pytest tests/web`` a collection error)
MISSING = ""
try:
    from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright
except ImportError:
    MISSING = "playwright is not installed (pip install -e '.[dev]')"
if not MISSING and not Path(CHROMIUM).exists():
    MISSING = (
        f"no Chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium); .ci/run does"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if MISSING:
        here = Path(__file__).parent
        for item in items:
            if here in item.path.parents:
                item.add_marker(pytest.mark.skip(reason=MISSING))


DEMO = Path(str(files("microcred_hub") / "demo"))


def dashboard_documents_by_name() -> dict[str, str]:
    manifest = json.loads(DASHBOARD_QUERIES.read_text(encoding="utf-8"))
    return {op["name"]: op["body"] for op in manifest["operations"]}


SOURCES_DOCUMENT = dashboard_documents_by_name()["DashboardSources"]


def hub_config(folder: Path, settings: str = "") -> Path:
    """The bundled demo's registers and config, with ``settings`` (TOML tables) added."""
    shutil.copytree(DEMO, folder, dirs_exist_ok=True)
    config = folder / "demo.toml"
    config.write_text(settings + "\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return config


def post_graphql(hub: HubProcess, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The API's answer, as any client gets it (the tests compare the page with it)."""
    request = urllib.request.Request(
        hub.url + "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def start_hub(config: Path) -> HubProcess:
    """Started and harvested: every source has left PENDING/HARVESTING."""
    hub = HubProcess(config)
    hub.start()
    try:
        asyncio.run(hub.wait_ready())
        for _ in range(300):
            answer = post_graphql(hub, "{ sources { status } }")
            if "data" not in answer:  # persisted_only: a dashboard document runs there
                answer = post_graphql(hub, SOURCES_DOCUMENT, {"filter": {}})
            sources = answer["data"]["sources"]
            if all(s["status"] not in ("PENDING", "HARVESTING") for s in sources):
                return hub
            asyncio.run(asyncio.sleep(0.1))
        raise TimeoutError(f"sources not harvested within 30 s:\n{hub.output()}")
    except BaseException:
        hub.stop()
        raise


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    started = start_hub(hub_config(tmp_path_factory.mktemp("hub")))
    yield started
    started.stop()


@dataclass
class Visit:
    """A browser context on the hub: other origins blocked and recorded, console errors kept."""

    hub: HubProcess
    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(self, path: str) -> Page:
        page = await self.context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and self.errors.append(message.text),
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        await page.goto(self.hub.url + path)
        return page


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield launched
        finally:
            await launched.close()


async def new_visit(
    browser: Browser, hub: HubProcess, *, width: int = 1400, height: int = 1000
) -> Visit:
    context = await browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    visit = Visit(hub, context)

    async def only_the_hub(route: Route) -> None:
        if route.request.url.startswith(hub.url + "/") or route.request.url.startswith(
            ("blob:", "data:")
        ):
            await route.continue_()
        else:
            visit.blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_hub)
    return visit


@pytest.fixture
async def visit(browser: Browser, hub: HubProcess) -> AsyncIterator[Visit]:
    """Fails the test if the page reached another origin or logged an error."""
    opened = await new_visit(browser, hub)
    yield opened
    await opened.context.close()
    assert opened.blocked == [], f"requests to other origins: {opened.blocked}"
    assert opened.errors == [], f"console errors: {opened.errors}"
