"""Replica start to ready from a Redis already holding N records (default 100 000).

    python benchmarks/bench_replica_start.py [--records 100000] [--redis redis://127.0.0.1:6379/0]

Fills Redis through the RedisStore (as a harvesting replica would), then starts
`microcred-hub serve --no-harvest` as a subprocess and times spawn → /readyz counting every
record. That first replica finds no index image, builds from the records and writes one; a
second replica then starts from the image (timed the same way), and both must give the same
answers. Cleans its own key prefix up afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
                return int(json.loads(resp.read())["records"])
    except OSError:
        return None
    return None


QUERY = (
    '{ microcredentials(first: 20, search: "management", filter: {eqfLevelMin: 4}) '
    "{ totalCount edges { cursor node { id title } } } "
    "facets { issuerCountry { value count } eqfLevel { value count } } }"
)


def answer(base: str) -> bytes:
    request = urllib.request.Request(
        base + "/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def write_config(config: Path, redis_url: str, prefix: str, *, duplicates: bool) -> None:
    """A replica's config over the filled Redis: the generated sources, never harvested."""
    lines = [f'[store]\nurl = "{redis_url}"\nprefix = "{prefix}"\n']
    if not duplicates:
        lines.append("[duplicates]\nenabled = false\n")
    for key in SOURCES:
        lines.append(
            f'[[sources]]\nkey = "{key}"\nconnector = "{key}"\nurl = "http://127.0.0.1:9/{key}"\n'
        )
    config.write_text("\n".join(lines))


def spawn(config: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [*hub_command(), "serve", "--config", str(config), "--port", str(port), "--no-harvest"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


def serving(base: str, started: float, records: int) -> float:
    """Seconds from ``started`` until the replica serves all ``records``."""
    loaded = None
    while loaded != records and time.perf_counter() - started < 900:
        loaded = ready_records(base)
        if loaded != records:
            time.sleep(0.05)
    assert loaded == records, f"replica serves {loaded} of {records} records"
    return time.perf_counter() - started


async def image_version(url: str, prefix: str) -> int | None:
    client = aioredis.from_url(url)
    head = await client.get(f"{prefix}{{{prefix}}}index:head")
    await client.aclose()
    return None if head is None else int(json.loads(head)["version"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--no-duplicates",
        action="store_true",
        help="[duplicates] enabled = false: the start without linking every record",
    )
    args = parser.parse_args()
    prefix = f"mch-bench-{uuid.uuid4().hex[:8]}:"
    fill_seconds = asyncio.run(fill(args.redis, prefix, args.records))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "replica.toml"
            write_config(config, args.redis, prefix, duplicates=not args.no_duplicates)
            # The first replica finds no image: it builds from the records, then writes one.
            started = time.perf_counter()
            first, first_url = spawn(config)
            procs.append(first)
            built = serving(first_url, started, args.records)
            while asyncio.run(image_version(args.redis, prefix)) is None:
                assert time.perf_counter() - started < 900, "no index image written"
                time.sleep(0.2)
            imaged = time.perf_counter() - started
            # The next replica starts from the image.
            started = time.perf_counter()
            second, second_url = spawn(config)
            procs.append(second)
            from_image = serving(second_url, started, args.records)
            same = answer(first_url) == answer(second_url)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
        asyncio.run(clean(args.redis, prefix))
    print(
        f"records in Redis                   {args.records:,} (written by the store in {fill_seconds:.1f} s)"
    )
    print(f"replica spawn -> serving all, built from the records   {built:8.2f} s")
    print(f"  (its index image written {imaged:.1f} s after spawn)")
    print(
        f"replica spawn -> serving all, from the index image     {from_image:8.2f} s   (goal <= 10 s)"
    )
    print(f"ratio image / records                                  {from_image / built:8.3f}")
    print(f"same answers (search + filter + facets)                {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
