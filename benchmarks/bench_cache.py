"""Cached GraphQL throughput ÷ a static JSON response of the same size, same uvicorn+starlette stack.

    python benchmarks/bench_cache.py [--seconds 10] [--connections 32]

Uses wrk when installed (apt-get install wrk), else an aiohttp load loop (slower client: the ratio
is still measured in one run, but both sides are then client-bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERY = """{ microcredentials(filter: {eqfLevelMin: 4}, sort: [HOURS_DESC], first: 20) {
  totalCount edges { node { id title issuerCountry level { eqf } workload { hours ects } } } }
  facets { source { value count } eqfLevel { value count } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz") as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("hub not ready")


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> float:
    extra = ["-s", script] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(f"wrk failed or saw errors:\n{out}")
    return float(match.group(1))


async def _aiohttp_rate(url: str, seconds: int, connections: int) -> float:
    import aiohttp

    count = 0
    stop = time.monotonic() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal count
        while time.monotonic() < stop:
            async with session.get(url) as resp:
                await resp.read()
                assert resp.status == 200
            count += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    return count / seconds


def rate(url: str, seconds: int, connections: int) -> float:
    if shutil.which("wrk"):
        return wrk(url, seconds, connections)
    return asyncio.run(_aiohttp_rate(url, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    config = REPO / "src" / "microcred_hub" / "demo" / "demo.toml"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gql_url = base + "/graphql?" + urllib.parse.urlencode({"query": QUERY})
    with tempfile.TemporaryDirectory() as tmp:
        static = Path(tmp) / "static.json"
        server = [sys.executable, str(REPO / "benchmarks" / "serve_with_static.py")]
        proc = subprocess.Popen([*server, str(config), str(port), str(static)])
        try:
            wait_ready(base)
            time.sleep(1.0)  # let the demo harvest land so the answer is the real one
            with urllib.request.urlopen(gql_url) as resp:  # warms the response cache
                answer = resp.read()
            assert json.loads(answer)["data"]["microcredentials"]["totalCount"] > 0
            static.write_bytes(answer)  # the same bytes, served by /static from now on
            rate(base + "/static", 2, args.connections)  # warm-up both paths
            rate(gql_url, 2, args.connections)
            static_rps = rate(base + "/static", args.seconds, args.connections)
            cached_rps = rate(gql_url, args.seconds, args.connections)
            post_rps = None
            if shutil.which("wrk"):  # dashboards mostly POST: the same answer from the cache
                lua = Path(tmp) / "post.lua"
                body = json.dumps({"query": QUERY}).replace("\\", "\\\\").replace('"', '\\"')
                lua.write_text(
                    f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n'
                )
                post_rps = wrk(base + "/graphql", args.seconds, args.connections, str(lua))
        finally:
            proc.terminate()
            proc.wait()
    client = "wrk" if shutil.which("wrk") else "aiohttp"
    print(
        f"response size              {len(answer)} bytes   (client: {client}, {args.connections} connections)"
    )
    print(f"static JSON                {static_rps:10.0f} req/s")
    print(f"cached GraphQL (GET)       {cached_rps:10.0f} req/s")
    print(f"ratio cached / static      {cached_rps / static_rps:10.2f}   (target >= 0.8)")
    if post_rps is not None:
        print(f"cached GraphQL (POST)      {post_rps:10.0f} req/s")
        print(f"ratio POST / static        {post_rps / static_rps:10.2f}")


if __name__ == "__main__":
    main()
