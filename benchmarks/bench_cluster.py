"""The Redis store on a Redis Cluster against the same store on one standalone Redis, same run.

    python benchmarks/bench_cluster.py [--records 100000] [--redis redis://127.0.0.1:6379/0]

Starts its own cluster (three primaries with one replica each, as the tests do), then on each
backend: writes N generated records through RedisStore.apply (what a harvest does, a replica's
WAIT included on the cluster), reads them all back (what a starting replica does), reads the
record digests (what a re-harvest diffs against). Prints seconds and cluster ÷ standalone.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from microcred_hub.generate import generate_list  # noqa: E402
from microcred_hub.record import Microcredential  # noqa: E402
from microcred_hub.store import ChangeSet  # noqa: E402
from microcred_hub.store.redis import RedisStore  # noqa: E402
from tests.store.helpers import drop_prefix  # noqa: E402
from tests.support.redis_cluster import RedisCluster, drop_cluster_prefix  # noqa: E402


async def measure(
    url: str, cluster: bool, by_source: dict[str, list[Microcredential]]
) -> dict[str, float]:
    prefix = f"mch-bench-{uuid.uuid4().hex[:8]}:"
    store = RedisStore(url, prefix=prefix, cluster=cluster)
    await store.open()
    try:
        started = time.perf_counter()
        for source, items in by_source.items():
            await store.apply(ChangeSet(source=source, upserts=tuple(items)))
        write = time.perf_counter() - started
        started = time.perf_counter()
        count = len(await store.records())
        read = time.perf_counter() - started
        assert count == sum(len(v) for v in by_source.values()), count
        started = time.perf_counter()
        for source in by_source:
            await store.digests(source)
        digests = time.perf_counter() - started
    finally:
        await store.close()
        await (drop_cluster_prefix if cluster else drop_prefix)(url, prefix)
    return {"write all": write, "read all": read, "read digests": digests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    by_source: dict[str, list[Microcredential]] = defaultdict(list)
    for record in generate_list(args.records, seed=7):
        by_source[record.source].append(record)
    cluster = RedisCluster()
    started = time.perf_counter()
    cluster.start()
    print(f"cluster of 3 primaries + 3 replicas started in {time.perf_counter() - started:.1f} s")
    try:
        standalone = asyncio.run(measure(args.redis, False, by_source))
        on_cluster = asyncio.run(measure(cluster.url, True, by_source))
    finally:
        cluster.stop()
    print(f"{args.records} records       standalone    cluster   cluster/standalone")
    for name, seconds in standalone.items():
        ratio = on_cluster[name] / seconds
        print(f"{name:<20} {seconds:>9.2f} s {on_cluster[name]:>8.2f} s {ratio:>12.2f}")


if __name__ == "__main__":
    main()
