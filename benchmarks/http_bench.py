"""The HTTP query path against static bytes through the same stack: ``python benchmarks/http_bench.py``.

One command; it starts the hub as ``microcred-hub serve`` does (uvicorn, uvloop, httptools,
the app of ``create_app``) on N generated records from a memory-store snapshot, plus a
``/static`` route answering fixed bytes through the same Guard and router, then loads it with
wrk (``apt-get install wrk``; 2 threads, 32 connections):

- static: ``GET /static``, the bytes of the 20-record answer;
- cached: the 20-record query as a GET, answered from the response cache;
- uncached: the same query POSTed with a variable no operation uses, different in every
  request (``{"n": <counter>}``): a response-cache miss every time, everything else as
  usual (the parsed document and the validation verdict are reused, as for any repeated
  query text);
- uncached p99 ÷ p50 under that load (wrk's latency distribution);
- a 500-record page, uncached, through the whole ASGI app in process (Guard, cache miss,
  GraphQL, the JSON bytes) ÷ ``json.dumps`` of the same 500 records as plain values
  (``msgspec.to_builtins``), both p50; and, stricter, ÷ ``json.dumps`` of the response's own
  data (only the selected fields).

The server runs on one core; wrk takes the other one of this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
QUERY20 = (
    "{ microcredentials(filter: {eqfLevelMin: 4}, first: 20) { totalCount edges { cursor node "
    "{ id title issuerCountry credentialType level { eqf } workload { hours ects } } } "
    "pageInfo { hasNextPage endCursor } } }"
)
PAGE500 = """query Page($after: String) {
  microcredentials(first: 500, after: $after, sort: [TITLE]) {
    totalCount
    edges { cursor node {
      id title source credentialType issuerCountry languages status updatedAt
      awardingBodies { name country }
      workload { ects hours derived originalValue originalUnit }
      level { eqf framework frameworkLevel }
      participationForms assessmentTypes completeness { score missing }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""
#: Every request's variable is unique across wrk's threads and runs: each thread counts on
#: its own from 1, so "n" is "<run>-<thread>-<count>" (the run's nonce comes after ``--``);
#: a plain counter repeats in the other thread and in every later run, and those repeats
#: are response-cache hits.
UNCACHED_LUA = """
local counter = 0
local threads = 0
local prefix = ""
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
init = function(args)
  prefix = (args[1] or "") .. "-" .. thread_number .. "-"
end
request = function()
  counter = counter + 1
  local body = '{"query": %s, "variables": {"n": "' .. prefix .. counter .. '"}}'
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, body)
end
"""


#: the generated records' sources; never harvested here (the server runs without a schedule)
SOURCES = ("nzqa", "elm", "edubadges", "ctdl", "openbadges")


def config_text(snapshot: Path) -> str:
    text = f'[store]\nurl = "memory://"\nsnapshot = "{snapshot}"\n\n[cache]\nurl = "memory://"\n'
    for key in SOURCES:
        text += f'\n[[sources]]\nkey = "{key}"\nconnector = "{key}"\nurl = "https://{key}.invalid/feed"\n'
    return text


def write_snapshot(path: Path, n: int, seed: int) -> None:
    from microcred_hub.generate import generate_list
    from microcred_hub.store.memory import Snapshot
    from microcred_hub.store.memory import write_snapshot as write

    write(path, Snapshot(version=1, records=generate_list(n, seed)))


# -- the server ---------------------------------------------------------------------------


class Collections:
    """The cyclic GC's collections in this process since the last ``take``: how many of each
    generation, the time the process stood still in them, the longest one."""

    def __init__(self) -> None:
        self._started = 0.0
        self.figures = self._none()

    @staticmethod
    def _none() -> dict[str, Any]:
        return {"count": [0, 0, 0], "paused_ms": 0.0, "longest_ms": 0.0}

    def take(self) -> dict[str, Any]:
        taken, self.figures = self.figures, self._none()
        return taken

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = (time.perf_counter() - self._started) * 1000
        self.figures["count"][info["generation"]] += 1
        self.figures["paused_ms"] += took
        self.figures["longest_ms"] = max(self.figures["longest_ms"], took)


def serve(config_path: str, port: int, static_file: str) -> None:
    import uvicorn
    from starlette.responses import Response
    from starlette.routing import Route

    from microcred_hub.app import create_app
    from microcred_hub.cli import server_implementation
    from microcred_hub.config import load_config
    from microcred_hub.runtime import Hub

    hub = Hub(load_config(Path(config_path)))
    guard = create_app(hub, schedule=False)
    body: list[bytes] = []

    async def static(_request: object) -> Response:
        if not body:
            body.append(Path(static_file).read_bytes())  # noqa: ASYNC240 - once, before measuring
        return Response(body[0], media_type="application/json")

    app = getattr(guard, "app", guard)
    while not hasattr(app, "router"):  # under the telemetry wrapper and the Guard
        app = app.app
    app.router.routes.append(Route("/static", static))
    collections = Collections()
    gc.callbacks.append(collections)

    async def collected(_request: object) -> Response:
        return Response(json.dumps(collections.take()), media_type="application/json")

    app.router.routes.append(Route("/gc", collected))
    loop, http = server_implementation()
    uvicorn.run(
        guard,
        host="127.0.0.1",
        port=port,
        loop=loop,
        http=http,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )


# -- the load -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz") as resp:
                body = json.loads(resp.read())
                # duplicate linking runs in the hub after it is ready: measured during it,
                # every path would share the CPU with it
                if (
                    resp.status == 200
                    and body["records"] > 0
                    and body.get("duplicates") in (None, "off", "linked", "restored")
                ):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("hub not ready")


#: wrk's own summary gives four percentiles: every script ends with this one, which prints
#: the distribution (ms) on one line
DISTRIBUTION_LUA = """
done = function(summary, latency, requests)
  io.write("distribution")
  for _, p in ipairs({ {PERCENTILES} }) do
    io.write(string.format(" %g=%.3f", p, latency:percentile(p) / 1000))
  end
  io.write(string.format(" max=%.3f\\n", latency.max / 1000))
end
"""
PERCENTILES = (50, 75, 90, 95, 99, 99.9)


def lua_script(path: Path, body: str = "") -> str:
    percentiles = ", ".join(f"{p:g}" for p in PERCENTILES)
    path.write_text(body + DISTRIBUTION_LUA.replace("{PERCENTILES}", percentiles))
    return str(path)


def wrk(
    url: str, seconds: int, connections: int, script: str, *script_args: str
) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url, "--", *script_args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    found = re.search(r"^distribution (.*)$", out, re.M)
    if not rate or not found or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk failed or saw errors:\n{out}")
    figures = {"rps": float(rate.group(1))}
    for item in found.group(1).split():
        name, value = item.split("=")
        figures["max_ms" if name == "max" else f"p{name}_ms"] = float(value)
    return figures


def cache_lookups(base: str) -> tuple[float, float]:
    """The hub's response-cache hits and misses so far (from /metrics)."""
    with urllib.request.urlopen(base + "/metrics") as resp:
        text = resp.read().decode()
    found = dict(re.findall(r'^mch_response_cache_total\{result="(\w+)"\} ([\d.e+]+)$', text, re.M))
    return float(found["hit"]), float(found["miss"])


# -- the 500-record page, in process --------------------------------------------------------


async def linked(hub: Any) -> None:
    """Until the hub's duplicate linking is done (at most 5 minutes): it runs in slices on
    the same loop, and a request measured meanwhile would count the slices it waited for."""
    async with asyncio.timeout(300):
        linking = hub.feed.linking
        while linking is not None and not linking.in_step:  # noqa: ASYNC110 - no event for it
            await asyncio.sleep(0.1)


async def page_ratio(config_path: Path, repeat: int) -> dict[str, float]:
    import msgspec

    from microcred_hub.app import create_app
    from microcred_hub.config import load_config
    from microcred_hub.runtime import Hub

    hub = Hub(load_config(config_path))
    app = create_app(hub, schedule=False)
    startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    done: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, startup.get, done.put)
    )  # type: ignore[arg-type]
    assert (await done.get())["type"] == "lifespan.startup.complete"
    await linked(hub)

    async def post(body: bytes) -> bytes:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
            "headers": [(b"host", b"hub"), (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        out = bytearray()

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                out.extend(message.get("body", b""))

        await app(scope, receive, send)  # type: ignore[arg-type]
        return bytes(out)

    samples: list[float] = []
    dumps: list[float] = []
    dumps_selected: list[float] = []
    after = None
    for i in range(repeat + 1):
        # "n" makes every request a cache miss, even a page seen before
        body = json.dumps({"query": PAGE500, "variables": {"after": after, "n": i}}).encode()
        start = time.perf_counter()
        answer = await post(body)
        elapsed = time.perf_counter() - start
        page = json.loads(answer)["data"]["microcredentials"]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
        ids = [edge["node"]["id"] for edge in page["edges"]]
        assert len(ids) == 500, (
            f"the 500-record page needs more records: {page['totalCount']} {answer[:300]!r}"
        )
        records = [hub.index.get(record_id) for record_id in ids]
        plain = msgspec.to_builtins(records)
        start = time.perf_counter()
        json.dumps(plain)
        dumped = time.perf_counter() - start
        selected = json.loads(answer)
        start = time.perf_counter()
        json.dumps(selected)
        dumped_selected = time.perf_counter() - start
        if i:  # the first one compiles the selection
            samples.append(elapsed)
            dumps.append(dumped)
            dumps_selected.append(dumped_selected)
    await startup.put({"type": "lifespan.shutdown"})
    await lifespan
    p50, dump50 = statistics.median(samples), statistics.median(dumps)
    selected50 = statistics.median(dumps_selected)
    return {
        "page_ms": p50 * 1000,
        "dumps_ms": dump50 * 1000,
        "ratio": p50 / dump50,
        "dumps_selected_ms": selected50 * 1000,
        "ratio_selected": p50 / selected50,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=int, default=5, help="of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="of static, cached, uncached")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--serve", nargs=3, metavar=("CONFIG", "PORT", "STATIC"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return 0
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_snapshot(folder / "snapshot.json", args.records, args.seed)
        config = folder / "hub.toml"
        config.write_text(config_text(folder / "snapshot.json"))
        page = asyncio.run(page_ratio(config, 15))
        gc.collect()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        static = folder / "static.json"
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(config), str(port), str(static)]
        )
        try:
            wait_ready(base)
            get_url = base + "/graphql?" + urllib.parse.urlencode({"query": QUERY20})
            with urllib.request.urlopen(get_url) as resp:  # also fills the response cache
                answer = resp.read()
            assert json.loads(answer)["data"]["microcredentials"]["totalCount"] > 0
            static.write_bytes(answer)
            query = json.dumps(QUERY20).replace("\\", "\\\\").replace("'", "\\'")
            lua = lua_script(folder / "uncached.lua", UNCACHED_LUA.replace("%s", query))
            plain = lua_script(folder / "plain.lua")
            nonces = itertools.count()

            def uncached_run(seconds: int) -> dict[str, Any]:
                hits, misses = cache_lookups(base)
                urllib.request.urlopen(base + "/gc").close()  # from here
                figures: dict[str, Any] = wrk(
                    base + "/graphql", seconds, args.connections, lua, str(next(nonces))
                )
                with urllib.request.urlopen(base + "/gc") as resp:
                    figures["gc"] = json.loads(resp.read())
                hits_after, misses_after = cache_lookups(base)
                if hits_after != hits:  # (the /metrics GETs themselves are not looked up)
                    raise RuntimeError(f"{hits_after - hits:.0f} uncached requests hit the cache")
                figures["misses"] = misses_after - misses
                return figures

            wrk(base + "/static", 2, args.connections, plain)  # warm-up
            wrk(get_url, 2, args.connections, plain)
            uncached_run(2)
            # Interleaved rounds, the best of each: on a shared machine the load drifts over
            # seconds, and one long run per path would compare different moments.
            runs: dict[str, list[dict[str, Any]]] = {"static": [], "cached": [], "uncached": []}
            for _ in range(args.rounds):
                runs["static"].append(wrk(base + "/static", args.seconds, args.connections, plain))
                runs["cached"].append(wrk(get_url, args.seconds, args.connections, plain))
                runs["uncached"].append(uncached_run(args.seconds))
            figures = {name: max(found, key=lambda f: f["rps"]) for name, found in runs.items()}
        finally:
            proc.terminate()
            proc.wait()
    static_rps = figures["static"]["rps"]
    uncached = figures["uncached"]
    print(
        f"\n{args.records:,} records; 20-record answer {len(answer):,} bytes; wrk -t2 -c{args.connections} -d{args.seconds}s, best of {args.rounds} interleaved rounds"
    )
    print(
        f"{'':<10} {'req/s':>9}   latency ms: "
        + "".join(f"{f'p{p:g}':>8}" for p in PERCENTILES)
        + f"{'max':>8}"
    )
    for name, f in figures.items():
        row = "".join(f"{f[f'p{p:g}_ms']:8.2f}" for p in PERCENTILES)
        print(f"{name:<10} {f['rps']:>9,.0f}               {row}{f['max_ms']:8.2f}")
    print(f"(uncached: {uncached['misses']:,.0f} requests, every one a response-cache miss)")
    collected = uncached["gc"]
    print(
        f"cyclic GC in that uncached run: {'/'.join(map(str, collected['count']))} collections "
        f"(generation 0/1/2), {collected['paused_ms']:.0f} ms paused, the longest "
        f"{collected['longest_ms']:.1f} ms"
    )
    print(f"uncached ÷ static             {uncached['rps'] / static_rps:6.3f}   (goal >= 0.2)")
    print(
        f"cached ÷ static               {figures['cached']['rps'] / static_rps:6.3f}   (goal >= 0.8)"
    )
    print(
        f"uncached p99 ÷ p50            {uncached['p99_ms'] / uncached['p50_ms']:6.2f}   (goal <= 3)"
    )
    print(
        f"500-record page ÷ json.dumps  {page['ratio']:6.2f}   ({page['page_ms']:.2f} vs {page['dumps_ms']:.2f} ms; goal <= 2)"
    )
    print(
        f"  ÷ json.dumps of just the selected fields (the response's own data): {page['ratio_selected']:.2f} ({page['dumps_selected_ms']:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
