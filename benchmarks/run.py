"""One command for every figure of the 1 M-record goals: ``python benchmarks/run.py [--records N] [--quick]``.

Generates N synthetic records (default 1 000 000; --quick: 50 000), builds the index, times
the dashboard question (filter + search + 8 facets + first 20) in the hub and in PostgreSQL
holding the same records, checks both give the same answer, and times a 500-record GraphQL
page and the normalisers. Prints a table; writes benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hub_bench  # noqa: E402
import normalise_bench  # noqa: E402
from questions import QUESTIONS, Answer  # noqa: E402

from microcred_hub.generate import generate_list  # noqa: E402

DEFAULT_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def compare(hub: dict[str, Answer], pg: dict[str, Answer]) -> list[str]:
    """Every difference between the two engines' answers (empty: they agree)."""
    problems = []
    for question in QUESTIONS:
        a, b = hub[question.name], pg[question.name]
        if a.total != b.total:
            problems.append(f"{question.name}: count hub {a.total} vs postgres {b.total}")
        if a.first_ids != b.first_ids:
            problems.append(f"{question.name}: first 20 ids differ")
        for facet, counts in a.facets.items():
            if counts != b.facets[facet]:
                problems.append(f"{question.name}: facet {facet} differs")
    return problems


def postgres(args: argparse.Namespace, records: list[Any]) -> dict[str, Any]:
    import pg_bench  # psycopg only when PostgreSQL is wanted

    start = time.perf_counter()
    loaded = pg_bench.load(args.dsn, records, args.seed)
    loaded["setup_seconds"] = time.perf_counter() - start
    samples, answers = pg_bench.latencies(args.dsn, args.repeat)
    p50, p95 = hub_bench.percentiles(samples)
    return {
        **loaded,
        "p50_ms": p50 * 1000,
        "p95_ms": p95 * 1000,
        "table_bytes_per_record": pg_bench.table_bytes(args.dsn) / len(records),
        "answers": answers,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50 000 records, under 2 minutes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each question (15; 7 above 100 000)"
    )
    parser.add_argument("--dsn", default=DEFAULT_DSN, help="PostgreSQL connection string")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    n = 50_000 if args.quick else args.records
    if args.repeat is None:
        args.repeat = 15 if n <= 100_000 else 7
    started = time.perf_counter()
    # First, in a small clean heap: the normalisers do not depend on the catalogue size.
    normalise = normalise_bench.measure(5000, args.seed)

    records, generated_rss, generated = hub_bench.generate_measured(
        lambda: generate_list(n, args.seed)
    )
    store_bpr = hub_bench.store_bytes(records)
    print(f"generated {n:,} records in {generated:.1f} s", flush=True)
    index, built = hub_bench.build_index(records)
    print(f"index built in {built['build_seconds']:.1f} s", flush=True)
    hub = hub_bench.query_latencies(index, args.repeat)
    page = hub_bench.page_cost(index, 20)
    pg = None if args.no_postgres else postgres(args, records)

    figures: dict[str, Any] = {
        "records": n,
        "seed": args.seed,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "generate_seconds": generated,
        "store_bytes_per_record": store_bpr,
        "generated_rss_bytes_per_record": generated_rss,
        **built,
        "hub_direct_p50_ms": hub["direct"][0] * 1000,
        "hub_direct_p95_ms": hub["direct"][1] * 1000,
        "hub_graphql_p50_ms": hub["graphql"][0] * 1000,
        "hub_graphql_p95_ms": hub["graphql"][1] * 1000,
        **page,
        "normalise": normalise,
    }
    if pg is not None:
        problems = compare(hub["answers"], pg.pop("answers"))
        figures["postgres"] = pg
        figures["speedup_direct_p50"] = pg["p50_ms"] / figures["hub_direct_p50_ms"]
        figures["speedup_graphql_p50"] = pg["p50_ms"] / figures["hub_graphql_p50_ms"]
        figures["answers_agree"] = not problems
        figures["disagreements"] = problems
    figures["questions"] = [q.name for q in QUESTIONS]
    figures["answers"] = {
        name: {"total": a.total, "first_ids": a.first_ids[:3]} for name, a in hub["answers"].items()
    }
    figures["total_seconds"] = time.perf_counter() - started
    print_table(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, default=_plain) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0 if figures.get("answers_agree", True) else 1


def _plain(value: object) -> object:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else str(value)  # type: ignore[arg-type]


def print_table(f: dict[str, Any]) -> None:
    rows: list[tuple[str, str]] = [
        ("records", f"{f['records']:,}"),
        ("generate", f"{f['generate_seconds']:.1f} s"),
        ("store (decoded record structs)", f"{f['store_bytes_per_record']:,.0f} B/record (RSS growth while generating: {f['generated_rss_bytes_per_record']:,.0f})"),
        ("index build", f"{f['build_seconds']:.1f} s (+ {f['first_query_seconds']:.1f} s sort orders on first query)"),
        ("index memory", f"{f['index_bytes_per_record']:,.0f} B/record (target <= 2048)"),
        ("question, hub in-process p50 / p95", f"{f['hub_direct_p50_ms']:.2f} / {f['hub_direct_p95_ms']:.2f} ms"),
        ("question, hub GraphQL p50 / p95", f"{f['hub_graphql_p50_ms']:.2f} / {f['hub_graphql_p95_ms']:.2f} ms"),
    ]  # fmt: skip
    pg = f.get("postgres")
    if pg:
        load = (
            "reused"
            if pg["reused"]
            else f"load {pg['load_seconds']:.0f} s + indexes {pg['index_seconds']:.0f} s"
        )
        rows += [
            ("question, PostgreSQL p50 / p95", f"{pg['p50_ms']:.2f} / {pg['p95_ms']:.2f} ms ({load})"),
            ("PostgreSQL table + indexes", f"{pg['table_bytes_per_record']:,.0f} B/record"),
            ("speed-up p50: in-process / GraphQL", f"{f['speedup_direct_p50']:.1f}x / {f['speedup_graphql_p50']:.1f}x (target >= 2x)"),
            ("answers agree (count, 8 facets, first 20)", "yes" if f["answers_agree"] else "NO: " + "; ".join(f["disagreements"][:5])),
        ]  # fmt: skip
    rows += [
        ("500-record page GraphQL / orjson", f"{f['page500_graphql_ms']:.2f} / {f['page500_orjson_ms']:.2f} ms = {f['page500_ratio']:.1f}x (target <= 10x)"),
    ]  # fmt: skip
    for source, m in f["normalise"].items():
        rows.append((
            f"normalise {source} / parse (msgspec; json)",
            f"{m['normalise_per_s']:,.0f} rec/s: {m['ratio_msgspec']:.2f}; {m['ratio_stdlib_json']:.2f} (target >= 0.2)",
        ))  # fmt: skip
    rows.append(("total benchmark time", f"{f['total_seconds']:.0f} s"))
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    raise SystemExit(main())
