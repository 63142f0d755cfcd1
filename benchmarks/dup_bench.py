"""Cross-register duplicates: precision and recall on labelled listings, and the cost of linking.

    python benchmarks/dup_bench.py [--labelled 20000] [--records 100000] [--show 10]
    flock /tmp/microcred-bench.lock python benchmarks/dup_bench.py --records 1000000
    flock /tmp/microcred-bench.lock python benchmarks/dup_bench.py --generated 1000000

Quality: ``dup_data.corpus`` lists offers in one to three registers with the variations real
registers have and the hard negatives (sequels I/II, level-4 and level-5 versions, one title
from bodies of one name in different countries). Pairs of records the linker groups are
compared with the pairs that list the same offer: precision and recall of the pairs (goal
>= 0.98 and >= 0.9).

Cost: linking ``--records`` listings from scratch, against harvesting as many records from a
loopback NZQA-like register through the real pipeline (connector, normalise, memory store) in
the same run: the goal is linking <= harvesting. Then one record changes: the time to re-link
it, how many records' groups moved, and that every other group id stayed.

Generated (``--generated N``): the same cost on ``microcred_hub.generate.generate(N)``, the
hub's synthetic records. Their vocabulary is small (a few hundred providers per country, a
few dozen topics), so blocks grow with the records: the case the block cap is for. It prints
the link time per record (which must not grow with N), the linker's memory and the ratio to
a harvest of as many records; the labelled quality run is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import msgspec  # noqa: E402
from dup_data import corpus  # noqa: E402

from microcred_hub.duplicates import Linker  # noqa: E402
from microcred_hub.record import Workload  # noqa: E402


def rss() -> int:
    """Resident set size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pairs_of(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for members in groups.values():
        found.update(itertools.combinations(sorted(members), 2))
    return found


def quality(records: int, show: int, threshold: float | None) -> None:
    listing, labels = corpus(records, seed=11)
    linker = Linker() if threshold is None else Linker(threshold=threshold)
    t0 = time.perf_counter()
    linker.replace_all(listing)
    took = time.perf_counter() - t0
    predicted = pairs_of({g.id: list(g.members) for g in linker.groups()})
    by_offer: dict[str, list[str]] = defaultdict(list)
    for record_id, offer in labels.items():
        by_offer[offer].append(record_id)
    truth = pairs_of(by_offer)
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    print(
        f"labelled listings         {len(listing):>9,}  ({len(by_offer):,} offers, {len(truth):,} true pairs)"
    )
    print(
        f"linked pairs              {len(predicted):>9,}  in {took:.2f} s (threshold {linker.threshold})"
    )
    print(f"precision                 {precision:9.4f}   (goal >= 0.98)")
    print(f"recall                    {recall:9.4f}   (goal >= 0.9)")
    if show:
        records_by_id = {r.id: r for r in listing}

        def describe(record_id: str) -> str:
            r = records_by_id[record_id]
            body = r.awarding_bodies[0].name if r.awarding_bodies else "-"
            work = r.workload.hours if r.workload else None
            level = r.level.eqf if r.level else None
            return f"{record_id} [{' | '.join(t.value for t in r.titles)}] {body} {r.issuer_country} h={work} eqf={level}"

        for name, wrong in (("false positive", predicted - truth), ("missed", truth - predicted)):
            for a, b in sorted(wrong)[:show]:
                print(f"  {name}: {describe(a)}\n  {' ' * len(name)}  {describe(b)}")


async def harvest_seconds(records: int) -> float:
    """A full harvest of ``records`` NZQA-like listings from a loopback register."""
    from bench_harvest import feed_pages, nzqa_source

    from microcred_hub.harvest import harvest_source
    from microcred_hub.store.factory import open_store
    from tests.support.registers import nzqa_app, start

    page_size = 500
    app = nzqa_app(pages=feed_pages(records, page_size))
    runner, url = await start(app)
    store = open_store("memory://", prefix="mch-dup-bench:")
    await store.open()
    source, connector = nzqa_source(url, records, page_size)
    try:
        t0 = time.perf_counter()
        summary = await harvest_source(source, connector, store)
        took = time.perf_counter() - t0
        assert summary.ok and summary.added == records, summary
    finally:
        await store.close()
        await runner.cleanup()
    return took


def cost(records: int, skip_harvest: bool) -> None:
    listing, _labels = corpus(records, seed=5)
    gc.collect()
    gc.disable()  # as the feed does for the long-lived index: no rescans of a growing heap
    rss_before = rss()
    linker = Linker()
    t0 = time.perf_counter()
    linker.replace_all(listing)
    t_link = time.perf_counter() - t0
    grown = rss() - rss_before
    gc.enable()
    groups = list(linker.groups())
    before = {r.id: linker.group_id(r.id) for r in listing}
    # one record changes: its workload doubles (another offer now); only its blocks re-link
    grouped = next(g for g in groups if len(g.members) >= 2)
    changed = next(r for r in listing if r.id == grouped.members[-1])
    edited = msgspec.structs.replace(changed, workload=Workload(hours=2000.0))
    t0 = time.perf_counter()
    moved = linker.apply([edited], ())
    t_one = time.perf_counter() - t0
    related = set(grouped.members)
    unrelated_moved = [
        record_id
        for record_id, group_id in before.items()
        if record_id not in related and linker.group_id(record_id) != group_id
    ]
    print(f"records linked            {len(listing):>9,}  ({len(groups):,} groups of 2+)")
    print(f"linking from scratch      {t_link:9.2f} s  ({len(listing) / t_link:,.0f} records/s)")
    print(
        f"linker memory             {grown / len(listing):9.0f} B/record (RSS growth while linking)"
    )
    print(
        f"one record changed        {t_one * 1000:9.2f} ms  ({len(moved)} records' groups changed, in its group of {len(related)})"
    )
    print(f"unrelated group ids moved {len(unrelated_moved):>9}  (must be 0)")
    del listing, linker, before
    gc.collect()
    if skip_harvest:
        return
    t_harvest = asyncio.run(harvest_seconds(records))
    print(
        f"harvest of as many        {t_harvest:9.2f} s  (NZQA-like loopback register, memory store)"
    )
    print(f"ratio linking / harvest   {t_link / t_harvest:9.3f}   (goal <= 1)")


def generated(records: int, seed: int, skip_harvest: bool) -> None:
    from microcred_hub.generate import generate

    listing = list(generate(records, seed=seed))
    gc.collect()
    gc.disable()  # as the feed does for the long-lived index
    rss_before = rss()
    linker = Linker()
    t0, c0 = time.perf_counter(), time.process_time()
    linker.replace_all(listing)
    t_link, c_link = time.perf_counter() - t0, time.process_time() - c0
    grown = rss() - rss_before
    gc.enable()
    groups = sum(1 for _ in linker.groups())
    print(f"generated records linked  {records:>9,}  (seed {seed}, {groups:,} groups of 2+)")
    print(
        f"linking from scratch      {t_link:9.2f} s  ({t_link / records * 1e6:.0f} us/record,"
        f" cpu {c_link / records * 1e6:.0f} us/record)"
    )
    print(f"linker memory             {grown / records:9.0f} B/record (RSS growth while linking)")
    del listing, linker
    gc.collect()
    if skip_harvest:
        return
    t_harvest = asyncio.run(harvest_seconds(records))
    print(
        f"harvest of as many        {t_harvest:9.2f} s  (NZQA-like loopback register, memory store)"
    )
    print(f"ratio linking / harvest   {t_link / t_harvest:9.3f}   (goal <= 1)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labelled", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--show", type=int, default=0, help="print this many errors of each kind")
    parser.add_argument("--no-harvest", action="store_true", help="skip the harvest baseline")
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument(
        "--generated", type=int, default=0, metavar="N", help="cost on N generated records"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of --generated")
    args = parser.parse_args()
    if args.generated:
        generated(args.generated, args.seed, args.no_harvest)
        return
    quality(args.labelled, args.show, args.threshold)
    if not args.quality_only:
        cost(args.records, args.no_harvest)


if __name__ == "__main__":
    main()
