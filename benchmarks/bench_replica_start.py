"""Replica start to ready from a Redis already holding N records (default 100 000).

    python benchmarks/bench_replica_start.py [--records 100000] [--redis redis://127.0.0.1:6379/0]

Fills Redis through the RedisStore (as a harvesting replica would), then starts
`microcred-hub serve --no-harvest` as a subprocess and times spawn → /readyz 200 (the replica
has loaded every record into its in-memory index). Cleans its own key prefix up afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path

import redis.asyncio as aioredis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from microcred_hub.generate import generate_list  # noqa: E402
from microcred_hub.store import ChangeSet  # noqa: E402
from microcred_hub.store.redis import RedisStore  # noqa: E402
from tests.support.hub_process import free_port, hub_command  # noqa: E402

SOURCES = ("nzqa", "edubadges", "elm", "ctdl", "openbadges")


async def fill(url: str, prefix: str, records: int) -> float:
    by_source: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for record in generate_list(records, seed=7):
        by_source[record.source].append(record)
    store = RedisStore(url, prefix=prefix)
    await store.open()
    started = time.perf_counter()
    for source, items in by_source.items():
        await store.apply(ChangeSet(source=source, upserts=tuple(items)))
    elapsed = time.perf_counter() - started
    await store.close()
    return elapsed


async def clean(url: str, prefix: str) -> None:
    client = aioredis.from_url(url)
    async for key in client.scan_iter(match=prefix + "*", count=1000):
        await client.delete(key)
    await client.aclose()


def ready_records(base: str) -> int | None:
    try:
        with urllib.request.urlopen(base + "/readyz") as resp:
            if resp.status == 200:
                import json

                return int(json.loads(resp.read())["records"])
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    prefix = f"mch-bench-{uuid.uuid4().hex[:8]}:"
    fill_seconds = asyncio.run(fill(args.redis, prefix, args.records))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "replica.toml"
        lines = [f'[store]\nurl = "{args.redis}"\nprefix = "{prefix}"\n']
        for key in SOURCES:
            lines.append(
                f'[[sources]]\nkey = "{key}"\nconnector = "{key}"\nurl = "http://127.0.0.1:9/{key}"\n'
            )
        config.write_text("\n".join(lines))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*hub_command(), "serve", "--config", str(config), "--port", str(port), "--no-harvest"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            loaded = None
            while loaded is None and time.perf_counter() - started < 600:
                loaded = ready_records(base)
                if loaded is None:
                    time.sleep(0.05)
            ready = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait()
    asyncio.run(clean(args.redis, prefix))
    assert loaded == args.records, f"replica loaded {loaded} of {args.records} records"
    print(
        f"records in Redis           {args.records:,} (written by the store in {fill_seconds:.1f} s)"
    )
    print(f"replica spawn -> ready     {ready:8.2f} s   (process start, Redis load, index build)")
    print(f"records per second         {args.records / ready:10,.0f}")


if __name__ == "__main__":
    main()
