"""Soak: a real `microcred-hub serve` under concurrent queries while a register flaps.

    python benchmarks/soak.py --seconds 120 [--clients 8] [--flap-seconds 3]

Loopback only: starts the NZQA-like and edubadges registers of the test suite, a hub that
re-harvests them every 2 s, and N aiohttp clients firing a mix of queries (search, filters,
facets, paging, sources, providers, cached GET repeats) while the NZQA register toggles between
500 and ok. Stops by itself after --seconds (and --max-requests); prints requests, errors by
status, p50/p99 latency, harvest results, and whether the served record count ever dropped
(it must not: a failing register keeps its last good data). Exit 1 on a 5xx or a drop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.hub_process import HubProcess  # noqa: E402
from tests.support.registers import edubadges_app, nzqa_app, start  # noqa: E402

COUNT = "{ microcredentials(first: 0) { totalCount } }"
READY = "{ sources { status } microcredentials(first: 0) { totalCount } }"
QUERIES = (
    '{ microcredentials(search: "data", first: 10) { totalCount edges { node { id title } } } }',
    "{ microcredentials(filter: {eqfLevelMin: 4, eqfLevelMax: 6}, sort: [HOURS_DESC], first: 20)"
    " { totalCount edges { node { id level { eqf } workload { hours ects } } } } }",
    '{ microcredentials(filter: {source: ["nzqa"], status: [ACTIVE]}, first: 5) { totalCount } }',
    "{ facets { source { value count } issuerCountry { value count } eqfLevel { value count } } }",
    "{ sources { key status recordCount lastError } }",
    "{ providers(first: 10) { totalCount edges { node { name microcredentialCount } } } }",
)
PAGE = """query($after: String) { microcredentials(first: 4, after: $after) {
  edges { node { id } } pageInfo { hasNextPage endCursor } } }"""


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()
        self.counts: list[int] = []


async def one(
    session: aiohttp.ClientSession, url: str, stats: Stats, body: dict[str, object], get: bool
) -> dict[str, object] | None:
    started = time.perf_counter()
    try:
        if get:
            params = {"query": str(body["query"])}
            request = session.get(url + "/graphql", params=params)
        else:
            request = session.post(url + "/graphql", json=body)
        async with request as resp:
            data: dict[str, object] = await resp.json(content_type=None)
            stats.statuses[resp.status] += 1
    except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
        stats.failures[type(exc).__name__] += 1
        return None
    stats.latencies.append(time.perf_counter() - started)
    return data


async def client(url: str, stats: Stats, until: float, budget: list[int], seed: int) -> None:
    rng = random.Random(seed)
    after: str | None = None
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        while time.monotonic() < until and budget[0] > 0:
            budget[0] -= 1
            roll = rng.random()
            if roll < 0.15:
                data = await one(
                    session, url, stats, {"query": PAGE, "variables": {"after": after}}, False
                )
                conn = ((data or {}).get("data") or {}).get("microcredentials")  # type: ignore[union-attr]
                info = conn["pageInfo"] if isinstance(conn, dict) else {}
                after = info.get("endCursor") if info.get("hasNextPage") else None
            elif roll < 0.25:
                data = await one(session, url, stats, {"query": COUNT}, False)
                total = ((data or {}).get("data") or {}).get("microcredentials") or {}  # type: ignore[union-attr]
                if isinstance(total, dict) and isinstance(total.get("totalCount"), int):
                    stats.counts.append(total["totalCount"])
            else:
                # GET repeats of the same few queries: the response cache's job
                await one(session, url, stats, {"query": rng.choice(QUERIES)}, rng.random() < 0.5)


async def flap(register_faults: object, until: float, every: float, log: list[str]) -> None:
    mode = "ok"
    while (left := until - time.monotonic()) > every:
        await asyncio.sleep(every)
        mode = "500" if mode == "ok" else "ok"
        register_faults.mode = mode  # type: ignore[attr-defined]
        log.append(mode)
    await asyncio.sleep(max(0.0, left))
    register_faults.mode = "ok"  # type: ignore[attr-defined]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def harvest_results(url: str) -> dict[str, float]:
    async with aiohttp.ClientSession() as session, session.get(url + "/metrics") as resp:
        text = await resp.text()
    out: dict[str, float] = {}
    for labels, value in re.findall(r"^mch_harvests_total{([^}]*)} (\S+)$", text, re.M):
        out[labels] = float(value)
    return out


async def main(args: argparse.Namespace) -> int:
    nzqa = nzqa_app()
    nzqa_runner, nzqa_url = await start(nzqa)
    edu_runner, edu_url = await start(edubadges_app())
    folder = Path(tempfile.mkdtemp(prefix="mch-soak-"))
    config = folder / "soak.toml"
    config.write_text(
        f"""
[server]
log_format = "json"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{nzqa_url}/microcredentials"
page_size = 5
interval_seconds = 2
retries = 0
timeout_seconds = 5

[[sources]]
key = "edubadges"
connector = "edubadges"
url = "{edu_url}"
interval_seconds = 2
retries = 0
timeout_seconds = 5
""",
        encoding="utf-8",
    )
    hub = HubProcess(config)
    try:
        await hub.__aenter__()
        async with aiohttp.ClientSession() as session:
            for _ in range(150):  # both registers harvested once (bounded wait)
                async with session.post(hub.url + "/graphql", json={"query": READY}) as resp:
                    data = (await resp.json())["data"]
                if all(s["status"] == "OK" for s in data["sources"]):
                    break
                await asyncio.sleep(0.2)
            baseline = data["microcredentials"]["totalCount"]
        print(f"hub {hub.url}: {baseline} records before the soak; {args.clients} clients, "
              f"{args.seconds} s, register flapping every {args.flap_seconds} s")  # fmt: skip
        stats = Stats()
        flaps: list[str] = []
        started = time.monotonic()
        until = started + args.seconds
        budget = [args.max_requests]
        await asyncio.gather(
            flap(nzqa["faults"], until, args.flap_seconds, flaps),
            *(client(hub.url, stats, until, budget, seed) for seed in range(args.clients)),
        )
        elapsed = time.monotonic() - started
        harvests = await harvest_results(hub.url)
    finally:
        hub.stop()
        await nzqa_runner.cleanup()
        await edu_runner.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    total = sum(stats.statuses.values()) + sum(stats.failures.values())
    dropped = any(c < baseline for c in stats.counts)
    server_errors = sum(n for s, n in stats.statuses.items() if s >= 500)
    print(f"requests        {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s)")
    print(f"by status       {dict(sorted(stats.statuses.items()))}")
    print(f"client errors   {dict(stats.failures) or 'none'}")
    print(f"latency         p50 {percentile(stats.latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(stats.latencies, 0.99) * 1000:.1f} ms")  # fmt: skip
    print(f"register flaps  {len(flaps)} (nzqa 500 <-> ok)")
    print("harvests        " + ", ".join(f"{k}: {v:.0f}" for k, v in sorted(harvests.items())))
    print(f"served records  baseline {baseline}, min {min(stats.counts, default=baseline)}, "
          f"max {max(stats.counts, default=baseline)}; dropped: {'YES' if dropped else 'no'}")  # fmt: skip
    return 1 if dropped or server_errors or stats.failures else 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--flap-seconds", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    args.seconds = min(max(args.seconds, 1.0), 3600.0)  # bounded whatever is asked
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
