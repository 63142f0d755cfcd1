"""An unchanged re-harvest ÷ a full harvest of a 10 000-record NZQA-like loopback register.

    python benchmarks/bench_harvest.py [--records 10000] [--page-size 500] [--store memory|redis]

The register answers ETags; the unchanged re-harvest sends If-None-Match, gets 304s, and writes
nothing (content hashes unchanged, data version not bumped). Target ratio <= 0.05.

Then a second replica (its own store client on the same store, its own connector: another
process) re-harvests what the first harvested: with the connector state in the store it too
sends one conditional request per page and nothing more. Target ratio <= 0.05 as well.

Each timed phase starts after a garbage collection, so a phase does not pay for collecting what
the one before it left (a full collection after the full harvest scans every new record).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import sys
import time
import uuid
from pathlib import Path

import redis.asyncio

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from microcred_hub.config import SourceConfig  # noqa: E402
from microcred_hub.harvest import harvest_source  # noqa: E402
from microcred_hub.store import RedisStore  # noqa: E402
from microcred_hub.store.factory import open_store  # noqa: E402
from microcred_hub_connectors.nzqa import NzqaConnector, NzqaOptions  # noqa: E402
from tests.support.registers import nzqa_app, start  # noqa: E402

DEMO = REPO / "src" / "microcred_hub" / "demo" / "nzqa-feed.json"


def feed_pages(records: int, page_size: int) -> list[bytes]:
    """Distinct NZQA-like listings made from the demo feed's records."""
    templates = json.loads(DEMO.read_text())["items"]
    items = []
    for i in range(records):
        item = copy.deepcopy(templates[i % len(templates)])
        item["reference"] = f"MC{100000 + i}"
        item["title"] = f"{item['title']} ({i // len(templates) + 1})"
        items.append(item)
    pages = []
    count = (records + page_size - 1) // page_size
    for p in range(count):
        nxt = (
            f"http://register.invalid/microcredentials?page={p + 2}&pageSize={page_size}"
            if p + 1 < count
            else None
        )
        chunk = items[p * page_size : (p + 1) * page_size]
        doc = {
            "page": p + 1,
            "pageSize": page_size,
            "totalCount": records,
            "next": nxt,
            "items": chunk,
        }
        pages.append(json.dumps(doc).encode())
    return pages


def nzqa_source(url: str, records: int, page_size: int) -> tuple[SourceConfig, NzqaConnector]:
    """The source and connector for the loopback register ``feed_pages`` serves at ``url``."""
    # a benchmark register is bigger than the per-source defaults allow a real one to be
    source = SourceConfig(
        key="nzqa",
        connector="nzqa",
        url=f"{url}/microcredentials",
        max_records=records + 1,
        max_total_bytes=records * 20_000 + 1_000_000,
    )
    pages = (records + page_size - 1) // page_size + 1
    return source, NzqaConnector(NzqaOptions(page_size=page_size, max_pages=pages))


async def run(records: int, page_size: int, store_url: str) -> None:
    app = nzqa_app(pages=feed_pages(records, page_size))
    runner, url = await start(app)
    prefix = f"mch-bench-{uuid.uuid4().hex[:8]}:"
    store = open_store(store_url, prefix=prefix)
    await store.open()
    source, connector = nzqa_source(url, records, page_size)
    try:
        gc.collect()
        t0 = time.perf_counter()
        full = await harvest_source(source, connector, store)
        t_full = time.perf_counter() - t0
        version = await store.version()
        gc.collect()
        t0 = time.perf_counter()
        again = await harvest_source(source, connector, store)
        t_again = time.perf_counter() - t0
        assert full.ok and again.ok, (full.errors, again.errors)
        assert full.added == records and again.unchanged == records, (full, again)
        assert (again.added, again.changed, again.removed) == (0, 0, 0)
        assert await store.version() == version, "an unchanged re-harvest must not bump the version"
        faults = app["faults"]
        before = (faults.requests, faults.not_modified)
        # replica B: another store client on the same store (memory: the same process's store)
        other = store if store_url.startswith("memory") else open_store(store_url, prefix=prefix)
        if other is not store:
            await other.open()
        gc.collect()
        t0 = time.perf_counter()
        replica = await harvest_source(
            source, NzqaConnector(NzqaOptions(page_size=page_size)), other
        )
        t_replica = time.perf_counter() - t0
        if other is not store:
            await other.close()
        assert replica.ok and replica.unchanged == records, replica
        replica_requests = faults.requests - before[0]
        replica_304 = faults.not_modified - before[1]
    finally:
        if isinstance(store, RedisStore):
            client = redis.asyncio.Redis.from_url(store_url)
            keys = [k async for k in client.scan_iter(match=prefix + "*", count=10_000)]
            for at in range(0, len(keys), 10_000):
                await client.delete(*keys[at : at + 10_000])
            await client.aclose()
        await store.close()
        await runner.cleanup()
    print(
        f"register                  {records} records, {len(feed_pages(1, 1)) and (records + page_size - 1) // page_size} pages of {page_size}; store {store_url}"
    )
    print(f"full harvest              {t_full:8.3f} s   ({records / t_full:,.0f} records/s)")
    print(
        f"unchanged re-harvest      {t_again:8.3f} s   ({before[1]} answers were 304 Not Modified)"
    )
    print(f"ratio unchanged / full    {t_again / t_full:8.3f}   (target <= 0.05)")
    pages = (records + page_size - 1) // page_size
    print(
        f"re-harvest by replica B   {t_replica:8.3f} s   ({replica_requests} requests for {pages} pages, {replica_304} answered 304)"
    )
    print(f"ratio replica B / full    {t_replica / t_full:8.3f}   (target <= 0.05)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--store", default="memory://")
    args = parser.parse_args()
    asyncio.run(run(args.records, args.page_size, args.store))


if __name__ == "__main__":
    main()
