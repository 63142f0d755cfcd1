"""Screenshot the bundled demo's dashboard into docs/dashboard.png (the README shows it).

Starts ``microcred-hub serve`` on the demo as a user would, opens /dashboard in Debian's
headless Chromium (as tests/web does), waits for every panel, and saves the page:

    python scripts/screenshot.py [--out docs/dashboard.png] [--width 1400]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(url: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready within {within} s")


def wait_harvested(url: str, within: float = 60.0) -> None:
    """Every source past its first harvest, so the picture shows all of the demo."""
    query = json.dumps({"query": "{ sources { status } }"}).encode()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            url + "/graphql", data=query, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            sources = json.loads(response.read())["data"]["sources"]
        if all(s["status"] not in ("PENDING", "HARVESTING") for s in sources):
            return
        time.sleep(0.2)
    raise TimeoutError(f"sources not harvested within {within} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--path", default="/dashboard", help="page and query string to show")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    script = Path(sys.executable).parent / "microcred-hub"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [str(script), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(url)
        wait_harvested(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": args.width, "height": 900})
            page.goto(url + args.path)
            expect(page.locator('.panel[data-state="loading"]')).to_have_count(0, timeout=30_000)
            expect(page.locator('.panel[data-state="error"]')).to_have_count(0)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        hub.terminate()
        hub.wait(timeout=15)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
