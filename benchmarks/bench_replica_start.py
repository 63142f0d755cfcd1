"""Replica start to ready from a Redis already holding N records (default 100 000).

    python benchmarks/bench_replica_start.py [--records 100000] [--redis redis://127.0.0.1:6379/0]
        [--no-duplicates] [--prefix NAME] [--logs DIR]

Fills Redis through the RedisStore (as a harvesting replica would), then starts
`microcred-hub serve --no-harvest` as a subprocess and times spawn → /readyz counting every
record, with the duplicate groups there (``"duplicates"`` not ``"linking"``; linking is on
unless --no-duplicates). That first replica finds no index image, builds from the records
and writes one, then links every record in the background and writes one with the groups; a
second replica then starts from that image (timed the same way), and both must give the
same answers, duplicates included. Cleans its own key prefix up afterwards, except a
``--prefix`` given: its records stay for the next run, which skips the fill (a million
records take minutes to write).
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
from microcred_hub.store.images import _counts  # noqa: E402
from microcred_hub.store.redis import RedisStore  # noqa: E402
from tests.support.hub_process import free_port, hub_command  # noqa: E402

SOURCES = ("nzqa", "edubadges", "elm", "ctdl", "openbadges")
FILL_BATCH = 20_000


async def held(url: str, prefix: str) -> int:
    """Records the store under ``prefix`` holds already."""
    store = RedisStore(url, prefix=prefix)
    await store.open()
    found = sum((await _counts(store, list(SOURCES))).values())
    await store.close()
    return found


async def fill(url: str, prefix: str, records: int) -> float:
    by_source: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for record in generate_list(records, seed=7):
        by_source[record.source].append(record)
    store = RedisStore(url, prefix=prefix)
    await store.open()
    started = time.perf_counter()
    for source, items in by_source.items():
        # a change at a time that a busy Redis takes within the client's socket timeout
        for start in range(0, len(items), FILL_BATCH):
            batch = tuple(items[start : start + FILL_BATCH])
            await store.apply(ChangeSet(source=source, upserts=batch))
    elapsed = time.perf_counter() - started
    await store.close()
    return elapsed


async def clean(url: str, prefix: str) -> None:
    client = aioredis.from_url(url)
    async for key in client.scan_iter(match=prefix + "*", count=1000):
        await client.delete(key)
    await client.aclose()


def ready(base: str) -> tuple[int, str] | None:
    """Records served and the duplicates' status, once the replica is ready."""
    try:
        with urllib.request.urlopen(base + "/readyz") as resp:
            if resp.status == 200:
                body = json.loads(resp.read())
                return int(body["records"]), str(body.get("duplicates", "off"))
    except OSError:
        return None
    return None


QUERY = (
    '{ microcredentials(first: 20, search: "management", filter: {eqfLevelMin: 4}) '
    "{ totalCount edges { cursor node { id title groupId sameAs { record { id } confidence "
    "evidence } } } } "
    "facets { issuerCountry { value count } eqfLevel { value count } } "
    "distinct: facets(distinct: true) { issuerCountry { value count } } "
    "providers(first: 20) { totalCount edges { node { id name aliases } } } }"
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


def spawn(config: Path, log: Path | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    out = subprocess.DEVNULL if log is None else log.open("wb")
    proc = subprocess.Popen(
        [*hub_command(), "serve", "--config", str(config), "--port", str(port), "--no-harvest"],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def serving(
    base: str, started: float, records: int, *, grouped: bool, settled: bool = False
) -> tuple[float, str]:
    """Seconds from ``started`` until the replica serves all ``records`` (``grouped``: and
    the duplicate groups; ``settled``: and follows changes, ``linked``), and the duplicates'
    status then."""
    seen = None
    while time.perf_counter() - started < 3600:
        seen = ready(base)
        if (
            seen is not None
            and seen[0] == records
            and not (grouped and seen[1] == "linking")
            and not (settled and seen[1] not in ("linked", "off"))
        ):
            return time.perf_counter() - started, seen[1]
        time.sleep(0.05)
    raise AssertionError(f"replica serves {seen} of {records} records")


async def image_head(url: str, prefix: str) -> dict[str, object] | None:
    client = aioredis.from_url(url)
    head = await client.get(f"{prefix}{{{prefix}}}index:head")
    await client.aclose()
    return None if head is None else dict(json.loads(head))


def wait_for_image(url: str, prefix: str, started: float, *, linked: bool) -> float:
    """Seconds from ``started`` until an image (``linked``: one with the groups) is stored."""
    while True:
        head = asyncio.run(image_head(url, prefix))
        if head is not None and (head.get("linked") or not linked):
            return time.perf_counter() - started
        assert time.perf_counter() - started < 3600, "no index image written"
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--no-duplicates",
        action="store_true",
        help="[duplicates] enabled = false: the start without linking every record",
    )
    parser.add_argument(
        "--prefix", help="keep the records under this key prefix (filled once, reused)"
    )
    parser.add_argument("--logs", type=Path, help="keep the replicas' logs in this directory")
    args = parser.parse_args()
    logs: Path | None = args.logs
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
    prefix = args.prefix or f"mch-bench-{uuid.uuid4().hex[:8]}:"
    duplicates = not args.no_duplicates
    fill_seconds = None
    if args.prefix is None or asyncio.run(held(args.redis, prefix)) != args.records:
        asyncio.run(clean(args.redis, prefix))
        fill_seconds = asyncio.run(fill(args.redis, prefix, args.records))
    else:  # the records stay; the images of the last run do not
        asyncio.run(clean(args.redis, prefix + "index:"))
        asyncio.run(clean(args.redis, f"{prefix}{{{prefix}}}index:"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "replica.toml"
            write_config(config, args.redis, prefix, duplicates=duplicates)
            # The first replica finds no image: it builds from the records, then writes one.
            started = time.perf_counter()
            first, first_url = spawn(config, logs and logs / "first.log")
            procs.append(first)
            built, _ = serving(first_url, started, args.records, grouped=False)
            imaged = wait_for_image(args.redis, prefix, started, linked=False)
            linked, _ = serving(first_url, started, args.records, grouped=True)
            imaged_linked = wait_for_image(args.redis, prefix, started, linked=duplicates)
            # The next replica starts from the image.
            started = time.perf_counter()
            second, second_url = spawn(config, logs and logs / "second.log")
            procs.append(second)
            from_image, status = serving(second_url, started, args.records, grouped=True)
            same = answer(first_url) == answer(second_url)
            settled, _ = serving(second_url, started, args.records, grouped=True, settled=True)
            stopping = time.perf_counter()
            second.terminate()
            second.wait()
            stopped = time.perf_counter() - stopping
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
        if args.prefix is None:
            asyncio.run(clean(args.redis, prefix))
    filled = (
        "kept from an earlier run"
        if fill_seconds is None
        else f"written by the store in {fill_seconds:.1f} s"
    )
    print(f"records in Redis                   {args.records:,} ({filled})")
    print(f"duplicates linking                 {'on' if duplicates else 'off'}")
    print(f"replica spawn -> serving all, built from the records   {built:8.2f} s")
    print(f"  (its index image written {imaged:.1f} s after spawn)")
    if duplicates:
        print(
            f"  (duplicate groups linked {linked:.1f} s after spawn, image with them {imaged_linked:.1f} s)"
        )
    print(
        f"replica spawn -> serving all, from the index image     {from_image:8.2f} s   (goal <= 10 s)"
    )
    if duplicates:
        print(
            f"  (duplicates then: {status}; linked, following changes, {settled:.1f} s after spawn)"
        )
    print(f"ratio image / records                                  {from_image / built:8.3f}")
    print(f"same answers (search, filter, facets, duplicates)      {'yes' if same else 'NO'}")
    print(f"SIGTERM right after -> exited                          {stopped:8.2f} s")


if __name__ == "__main__":
    main()
