"""Statistics vs PostgreSQL: ``python benchmarks/stats_bench.py [--records N]`` (default 100 000).

The dashboard's cross-tab — records per issuer country x EQF level with workload (hours)
count, min, max, mean and quartiles — asked of the hub (``Index.statistics`` in-process, and
the ``statistics`` query through ``schema.execute``, uncached) and of PostgreSQL holding the
same records (``GROUP BY ... percentile_cont``). Checks the answers agree group by group,
prints p50s and the hub / PostgreSQL ratio (goal <= 0.5), writes
benchmarks/results/stats-<N>.json. Exits 1 when the answers differ.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hub_bench  # noqa: E402

from microcred_hub.generate import generate_list  # noqa: E402
from microcred_hub.graphql import build_schema  # noqa: E402
from microcred_hub.index import Index  # noqa: E402
from microcred_hub.record import Microcredential  # noqa: E402

DEFAULT_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
SCHEMA = "mch_stats_bench"  # our own: benchmarks/run.py drops and reloads mch_bench at will
LAYOUT = "1"
GROUP_BY = ["ISSUER_COUNTRY", "EQF_LEVEL"]
FIGURES = ("count", "min", "max", "mean", "p25", "median", "p75")
QUERY = """{ statistics(groupBy: [ISSUER_COUNTRY, EQF_LEVEL]) {
  count groups { keys count hours { count min max mean p25 median p75 } } } }"""
# Records with several countries count in each (unnest), none in the null group; quartiles
# are percentile_cont; groups in the API's order (count desc, keys in code-point order, nulls
# last), so both engines do all the work the answer needs.
SQL = f"""
SELECT c, eqf::text, count(*), count(hours), min(hours), max(hours), avg(hours),
       percentile_cont(0.25) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY hours)
FROM {SCHEMA}.records
CROSS JOIN LATERAL unnest(CASE WHEN cardinality(issuer_country) = 0 THEN ARRAY[NULL::text]
                               ELSE issuer_country END) AS c
GROUP BY c, eqf
ORDER BY count(*) DESC, c COLLATE "C" NULLS LAST, eqf::text COLLATE "C" NULLS LAST
"""

Group = tuple[tuple[str | None, ...], int, dict[str, Any]]


def connect(dsn: str) -> Any:
    import psycopg  # only when PostgreSQL is wanted

    conn = psycopg.connect(dsn, autocommit=True)
    # as benchmarks/pg_bench.py: no JIT compile per query, room for the sorts in memory;
    # server settings (parallel workers, shared_buffers) are left as they are
    conn.execute("SET jit = off")
    conn.execute("SET work_mem = '64MB'")
    return conn


def load(dsn: str, records: Sequence[Microcredential], seed: int) -> dict[str, Any]:
    """The columns the question reads, loaded once; a re-run with the same size and seed
    reuses them (marker table)."""
    with connect(dsn) as conn:
        marker = conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'marker'", (SCHEMA,)
        ).fetchone()
        if marker and conn.execute(f"SELECT n, seed, layout FROM {SCHEMA}.marker").fetchone() == (
            len(records),
            seed,
            LAYOUT,
        ):
            return {"reused": True, "load_seconds": None}
        start = time.perf_counter()
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        conn.execute(
            f"CREATE TABLE {SCHEMA}.records (id text PRIMARY KEY, issuer_country text[] NOT NULL,"
            " eqf smallint, hours float8, ects float8, completeness float8)"
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                f"COPY {SCHEMA}.records (id, issuer_country, eqf, hours, ects, completeness) "
                "FROM STDIN"
            ) as copy,
        ):
            for r in records:
                level, workload = r.level, r.workload
                copy.write_row((
                    r.id,
                    sorted({c.upper() for c in r.issuer_country}),
                    level.eqf if level else None,
                    workload.hours if workload else None,
                    workload.ects if workload else None,
                    r.completeness.score,
                ))  # fmt: skip
        conn.execute(f"VACUUM ANALYZE {SCHEMA}.records")
        conn.execute(f"CREATE TABLE {SCHEMA}.marker (n int, seed int, layout text)")
        conn.execute(
            f"INSERT INTO {SCHEMA}.marker VALUES (%s, %s, %s)", (len(records), seed, LAYOUT)
        )
        return {"reused": False, "load_seconds": time.perf_counter() - start}


def pg_answer(conn: Any) -> list[Group]:
    groups: list[Group] = []
    for country, eqf, count, n, low, high, mean, p25, median, p75 in conn.execute(SQL):
        hours = dict(zip(FIGURES, (n, low, high, mean, p25, median, p75), strict=True))
        groups.append(((country, eqf), count, hours))
    return groups


def graphql_answer(data: Any) -> list[Group]:
    return [(tuple(g["keys"]), g["count"], g["hours"]) for g in data["statistics"]["groups"]]


def differences(hub: list[Group], pg: list[Group]) -> list[str]:
    """Every group where the engines disagree: keys and order, counts, min/max and quartiles
    to the bit (the same arithmetic), means to 1e-12 (a sum's order differs)."""
    problems: list[str] = []
    if [g[0] for g in hub] != [g[0] for g in pg]:
        problems.append(f"groups or their order differ ({len(hub)} vs {len(pg)} groups)")
        return problems
    for (keys, count, mine), (_, their_count, theirs) in zip(hub, pg, strict=True):
        if count != their_count:
            problems.append(f"{keys}: count {count} vs {their_count}")
        for figure in FIGURES:
            a, b = mine[figure], theirs[figure]
            same = (
                a == b
                if figure != "mean" or a is None or b is None
                else math.isclose(a, b, rel_tol=1e-12)
            )
            if not same:
                problems.append(f"{keys}: hours.{figure} {a!r} vs {b!r}")
    return problems


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    return hub_bench.timed(function, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each (15; 7 above 100 000)"
    )
    parser.add_argument("--dsn", default=DEFAULT_DSN, help="PostgreSQL connection string")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    n = args.records
    repeat = args.repeat or (15 if n <= 100_000 else 7)
    started = time.perf_counter()

    records = generate_list(n, args.seed)
    print(f"generated {n:,} records in {time.perf_counter() - started:.1f} s", flush=True)
    start = time.perf_counter()
    index = Index(records)
    print(f"index built in {time.perf_counter() - start:.1f} s", flush=True)

    # the hub: in-process, then the GraphQL query (resolver, types, serialisable result)
    direct = timed(lambda: index.statistics(group_by=GROUP_BY, summaries={"hours"}), repeat)
    schema = build_schema()
    context = hub_bench.context(index)
    loop = asyncio.new_event_loop()

    def run() -> Any:
        result = loop.run_until_complete(schema.execute(QUERY, context_value=context))
        assert not result.errors, result.errors
        return result.data

    hub_groups = graphql_answer(run())  # also the warm-up
    through_graphql = timed(run, repeat)
    loop.close()

    loaded = load(args.dsn, records, args.seed)
    if not loaded["reused"]:
        print(f"PostgreSQL loaded in {loaded['load_seconds']:.1f} s", flush=True)
    with connect(args.dsn) as conn:
        pg_groups = pg_answer(conn)  # warm-up: the table in shared buffers / page cache
        postgres = timed(lambda: pg_answer(conn), repeat)

    problems = differences(hub_groups, pg_groups)
    figures = {
        "records": n,
        "seed": args.seed,
        "repeat": repeat,
        "groups": len(hub_groups),
        "hub_direct_p50_ms": p50_ms(direct),
        "hub_graphql_p50_ms": p50_ms(through_graphql),
        "postgres_p50_ms": p50_ms(postgres),
        "ratio_direct": p50_ms(direct) / p50_ms(postgres),
        "ratio_graphql": p50_ms(through_graphql) / p50_ms(postgres),
        "postgres_reused": loaded["reused"],
        "answers_agree": not problems,
        "disagreements": problems[:20],
        "total_seconds": time.perf_counter() - started,
    }
    rows = [
        ("records", f"{n:,} ({len(hub_groups)} country x EQF-level groups)"),
        ("hub in-process p50", f"{figures['hub_direct_p50_ms']:.1f} ms"),
        ("hub GraphQL p50 (uncached)", f"{figures['hub_graphql_p50_ms']:.1f} ms"),
        ("PostgreSQL GROUP BY ... percentile_cont p50", f"{figures['postgres_p50_ms']:.1f} ms"),
        ("ratio hub / PostgreSQL p50: in-process, GraphQL", f"{figures['ratio_direct']:.3f}x, {figures['ratio_graphql']:.3f}x (goal <= 0.5x)"),
        ("answers agree (groups, order, counts, hours summaries)", "yes" if not problems else "NO: " + "; ".join(problems[:5])),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    out = args.out or HERE / "results" / f"stats-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
