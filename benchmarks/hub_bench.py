"""The hub's side: index build time and memory, query latency, GraphQL execution, page cost."""

from __future__ import annotations

import asyncio
import enum
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import orjson
from questions import QUESTIONS, Answer, Question, graphql_query, hub_answer

from microcred_hub.config import QueryLimits
from microcred_hub.graphql import QueryContext, build_schema
from microcred_hub.index import Index, RecordFilter, SortField
from microcred_hub.record import (
    Microcredential,
    QuarantinedRecord,
    record_encoder,
)
from microcred_hub.state import SourceState

PAGE_QUERY = """query Page($after: String) {
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


def rss() -> int:
    """Resident set size of this process in bytes (counts pyroaring's C allocations too)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def build_index(records: list[Microcredential]) -> tuple[Index, dict[str, float]]:
    """Build, then warm the sort orders a first query builds; measure both and the memory."""
    gc.collect()
    before = rss()
    start = time.perf_counter()
    index = Index(records)
    built = time.perf_counter() - start
    start = time.perf_counter()
    index.search(first=20)  # TITLE order: rank table and global order
    index.search(RecordFilter(hours_min=1), first=20, sort=[SortField.HOURS])
    index.providers(first=1)
    warmed = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # a million long-lived records: keep the cyclic GC from rescanning them
    after = rss()
    n = len(records)
    return index, {
        "build_seconds": built,
        "first_query_seconds": warmed,
        "index_bytes_per_record": (after - before) / n,
    }


def generate_measured(
    make: Callable[[], list[Microcredential]],
) -> tuple[list[Microcredential], float, float]:
    """The records, the RSS growth per record while making them, and the seconds taken."""
    gc.collect()
    before = rss()
    start = time.perf_counter()
    records = make()
    generated = time.perf_counter() - start
    gc.collect()
    return records, (rss() - before) / max(len(records), 1), generated


def _deep_size(value: object, seen: set[int]) -> int:
    if value is None or isinstance(value, bool | enum.Enum) or id(value) in seen:
        return 0  # shared singletons and enum members cost nothing per record
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, msgspec.Struct):
        size += sum(_deep_size(getattr(value, f), seen) for f in value.__struct_fields__)
    elif isinstance(value, tuple | list):
        size += sum(_deep_size(item, seen) for item in value)
    return size


def store_bytes(records: list[Microcredential], sample: int = 5000) -> float:
    """Bytes per record as the store holds them: records decoded from JSON (every string its
    own object, as after a snapshot load or a Redis read), measured object by object."""
    step = max(1, len(records) // sample)
    raw = record_encoder.encode(records[::step])
    decoded = msgspec.json.decode(raw, type=list[Microcredential])
    return sum(_deep_size(r, set()) for r in decoded) / len(decoded)


async def _no_states() -> list[SourceState]:
    return []


async def _no_quarantine(_key: str) -> list[QuarantinedRecord]:
    return []


def context(index: Index) -> QueryContext:
    return QueryContext(
        index=index,
        source_states=_no_states,
        quarantined=_no_quarantine,
        limits=QueryLimits(),
    )


def query_latencies(index: Index, repeat: int) -> dict[str, Any]:
    """p50/p95 of the in-process query path and of full GraphQL execution, all questions."""
    schema = build_schema()
    ctx = context(index)
    loop = asyncio.new_event_loop()
    direct: list[float] = []
    graphql: list[float] = []
    answers: dict[str, Answer] = {}
    for question in QUESTIONS:
        answers[question.name] = hub_answer(index, question)  # also the warm-up
        direct += timed(lambda q=question: hub_answer(index, q), repeat)  # type: ignore[misc]
        query = graphql_query(question)
        result = loop.run_until_complete(schema.execute(query, context_value=ctx))
        assert not result.errors, result.errors

        def run(query: str = query) -> None:
            loop.run_until_complete(schema.execute(query, context_value=ctx))

        graphql += timed(run, repeat)
    loop.close()
    return {"direct": percentiles(direct), "graphql": percentiles(graphql), "answers": answers}


def page_cost(index: Index, repeat: int) -> dict[str, float]:
    """A 500-record page through GraphQL (uncached, JSON-encoded) vs orjson of the records."""
    schema = build_schema()
    ctx = context(index)
    loop = asyncio.new_event_loop()
    cursors: list[str | None] = [None]
    first = loop.run_until_complete(schema.execute(PAGE_QUERY, context_value=ctx))
    assert not first.errors, first.errors
    # Different pages each time: nothing reused between runs but the compiled selection.
    after = first.data["microcredentials"]["pageInfo"]["endCursor"]  # type: ignore[index]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = loop.run_until_complete(
            schema.execute(PAGE_QUERY, variable_values={"after": after}, context_value=ctx)
        )
        orjson.dumps({"data": result.data})
        samples.append(time.perf_counter() - start)
        after = result.data["microcredentials"]["pageInfo"]["endCursor"]  # type: ignore[index]
        cursors.append(after)
    loop.close()
    records = index.search(first=500, sort=[SortField.TITLE]).records
    builtins = msgspec.to_builtins(records)
    dumps = timed(lambda: orjson.dumps(builtins), repeat * 3)
    graphql_p50 = statistics.median(samples)
    orjson_p50 = statistics.median(dumps)
    return {
        "page500_graphql_ms": graphql_p50 * 1000,
        "page500_orjson_ms": orjson_p50 * 1000,
        "page500_ratio": graphql_p50 / orjson_p50,
    }


def question_of(name: str) -> Question:
    return next(q for q in QUESTIONS if q.name == name)
