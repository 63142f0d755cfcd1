"""The dashboard's page weight and load time on N records (default 100 000), in Chromium.

    flock /tmp/microcred-bench.lock python benchmarks/bench_dashboard.py [--records 100000]

Fills Redis with generated records (as bench_replica_start does), starts `microcred-hub serve
--no-harvest` on them, and loads /dashboard in Debian's headless Chromium until every panel is
drawn: cold (empty browser cache, empty response cache) and warm (browser cache and the hub's
response cache filled). Page weight is the bytes on the wire (headers and gzip'd bodies).

Baseline, same run, same browser: the page with its GraphQL answers replayed from memory
(route.fulfill of the bytes recorded in the cold load), so the ratio is what the hub's
statistics add on top of loading and drawing the page.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from playwright.async_api import Browser, Page, Route, async_playwright, expect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_replica_start import (  # noqa: E402
    clean,
    fill,
    ready_records,
    write_config,
)

from tests.support.hub_process import free_port, hub_command  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


async def drawn(page: Page) -> None:
    await expect(page.locator('.panel[data-state="loading"]')).to_have_count(0, timeout=120_000)
    await expect(page.locator('.panel[data-state="error"]')).to_have_count(0)


async def load(
    browser: Browser, url: str, replay: dict[str, bytes] | None = None, repeat: bool = False
) -> tuple[float, int, int, dict[str, bytes], float]:
    """Seconds to every panel drawn, bytes on the wire, requests, GraphQL answers, and the
    seconds of a second load in the same context (warm browser cache) when ``repeat``."""
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    sizes: list[int] = []
    answers: dict[str, bytes] = {}

    async def finished(request) -> None:  # type: ignore[no-untyped-def]
        size = await request.sizes()
        sizes.append(size["responseBodySize"] + size["responseHeadersSize"])
        if request.url.endswith("/graphql") and replay is None:
            response = await request.response()
            answers[request.post_data_json["operationName"]] = await response.body()

    pending: list[asyncio.Future[None]] = []
    page.on("requestfinished", lambda r: pending.append(asyncio.ensure_future(finished(r))))
    if replay is not None:

        async def fulfil(route: Route) -> None:
            name = route.request.post_data_json["operationName"]
            await route.fulfill(body=replay[name], content_type="application/json")

        await page.route("**/graphql", fulfil)
    started = time.perf_counter()
    await page.goto(url + "/dashboard")
    await drawn(page)
    seconds = time.perf_counter() - started
    await asyncio.gather(*pending)  # sizes and bodies, before a reload drops them
    weight, requests = sum(sizes), len(sizes)
    warm = 0.0
    if repeat:
        started = time.perf_counter()
        await page.reload()
        await drawn(page)
        warm = time.perf_counter() - started
    await context.close()
    return seconds, weight, requests, answers, warm


async def measure(url: str, runs: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        cold, weight, requests, answers, warm = await load(browser, url, repeat=True)
        warm_runs = [warm]
        replayed = []
        for _ in range(runs):
            replayed.append((await load(browser, url, replay=answers))[0])
            warm_runs.append((await load(browser, url, repeat=True))[4])
        await browser.close()
    base = statistics.median(replayed)
    print(f"page weight (cold)         {weight:12,} bytes in {requests} requests")
    print(f"load, cold hub cache       {cold:12.3f} s   ({cold / base:.1f}x the replayed page)")
    print(f"load, warm (median of {len(warm_runs)})  {statistics.median(warm_runs):10.3f} s")
    print(f"baseline: answers replayed {base:12.3f} s   (same page, GraphQL bytes from memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--no-duplicates",
        action="store_true",
        help="[duplicates] enabled = false: the start without linking every record",
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    prefix = f"mch-bench-{uuid.uuid4().hex[:8]}:"
    asyncio.run(fill(args.redis, prefix, args.records))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "hub.toml"
            write_config(config, args.redis, prefix, duplicates=not args.no_duplicates)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            proc = subprocess.Popen(
                [
                    *hub_command(),
                    "serve",
                    "--config",
                    str(config),
                    "--port",
                    str(port),
                    "--no-harvest",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + 600
                while ready_records(url) != args.records and time.monotonic() < deadline:
                    time.sleep(0.1)
                print(f"records                    {args.records:12,}")
                asyncio.run(measure(url, args.runs))
            finally:
                proc.terminate()
                proc.wait()
    finally:
        asyncio.run(clean(args.redis, prefix))


if __name__ == "__main__":
    main()
