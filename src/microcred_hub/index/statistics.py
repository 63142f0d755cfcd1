"""Statistics over the index: groups from bitmaps, summaries and histograms from numeric columns.

Nothing here reads a record: a group is the intersection of the matching documents with one
posting per dimension, and its figures come from gathering the group's documents out of the
compact columns (``columns.py``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pyroaring import BitMap

from microcred_hub.index.columns import Columns, FloatArray
from microcred_hub.index.model import QueryError

_QUARTILES = (0.25, 0.5, 0.75)

Key = str | None


class LimitError(QueryError):
    """A configured limit refuses the query; ``extensions`` name it for the client."""

    def __init__(self, limit: str, value: int, message: str) -> None:
        super().__init__(message)
        self.extensions = {"code": "LIMIT_EXCEEDED", "limit": limit, "value": value}


@dataclass(frozen=True, slots=True)
class Summary:
    """One numeric field over a group's records that have it; all None when none has."""

    count: int = 0
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None


EMPTY = Summary()


@dataclass(frozen=True, slots=True)
class Group:
    keys: list[Key]
    count: int
    hours: Summary
    ects: Summary
    completeness: Summary
    quality_assured: int
    stackable: int


@dataclass(frozen=True, slots=True)
class Statistics:
    count: int
    groups: list[Group]


@dataclass(frozen=True, slots=True)
class Bucket:
    from_: float | None
    to: float | None
    count: int


@dataclass(frozen=True, slots=True)
class Dimension:
    """One groupBy dimension as the index holds it: key -> documents, and who has any key."""

    postings: Mapping[str, BitMap]
    with_value: BitMap


def split(
    matched: BitMap, dimensions: Sequence[Dimension], max_groups: int
) -> list[tuple[tuple[Key, ...], BitMap]]:
    """The non-empty groups of ``matched``: one per combination of keys, null = no value.

    A record with several keys of a dimension lands in the group of each. Every non-empty
    group splits into at least one non-empty group at the next dimension, so the count never
    falls: going over ``max_groups`` part-way is already the answer.
    """
    groups: list[tuple[tuple[Key, ...], BitMap]] = [((), matched)]
    for dimension in dimensions:
        finer: list[tuple[tuple[Key, ...], BitMap]] = []
        for keys, docs in groups:
            for key, posting in dimension.postings.items():
                part = docs & posting
                if part:
                    finer.append(((*keys, key), part))
            none = docs - dimension.with_value
            if none:
                finer.append(((*keys, None), none))
            if len(finer) > max_groups:
                raise LimitError(
                    "max_groups",
                    max_groups,
                    f"statistics has more than {max_groups} groups, exceeding max_groups "
                    f"{max_groups}; group by fewer dimensions or narrow the filter",
                )
        groups = finer
    return groups


def _order(item: tuple[tuple[Key, ...], BitMap]) -> tuple[object, ...]:
    keys, docs = item
    # count descending, then keys as strings in code-point order with null last
    return (-len(docs), *((key is None, key or "") for key in keys))


def percentile_cont(ordered_at: FloatArray, fraction: float, count: int) -> float:
    """PostgreSQL's percentile_cont over ``count`` values, from an array partitioned at the
    ranks it reads: the same arithmetic, so the answers are equal to the last bit."""
    rank = fraction * (count - 1)
    low, high = math.floor(rank), math.ceil(rank)
    first = float(ordered_at[low])
    if low == high:
        return first
    return first + (rank - low) * (float(ordered_at[high]) - first)


def summarise(values: FloatArray) -> Summary:
    """Summary of a group's values (those of its records that have one)."""
    count = len(values)
    if count == 0:
        return EMPTY
    # the ranks each quartile reads, and both ends (min and max): all put in place by one
    # partial sort, linear in the group's size
    kth = {0, count - 1}
    for fraction in _QUARTILES:
        kth.update((math.floor(fraction * (count - 1)), math.ceil(fraction * (count - 1))))
    ordered = np.partition(values, sorted(kth))
    p25, median, p75 = (percentile_cont(ordered, f, count) for f in _QUARTILES)
    return Summary(
        count=count,
        min=float(ordered[0]),
        max=float(ordered[count - 1]),
        mean=float(values.sum() / count),
        p25=p25,
        median=median,
        p75=p75,
    )


def statistics(
    matched: BitMap,
    dimensions: Sequence[Dimension],
    columns: Columns,
    *,
    quality_assured: BitMap,
    stackable: BitMap,
    summaries: Collection[str],
    max_groups: int,
) -> Statistics:
    """Groups in the API's order; only the ``summaries`` named are computed (the rest EMPTY)."""
    groups = sorted(split(matched, dimensions, max_groups), key=_order)
    result: list[Group] = []
    for keys, docs in groups:
        found = {name: summarise(columns.gather(name, docs)) for name in summaries}
        result.append(
            Group(
                keys=list(keys),
                count=len(docs),
                hours=found.get("hours", EMPTY),
                ects=found.get("ects", EMPTY),
                completeness=found.get("completeness", EMPTY),
                quality_assured=docs.intersection_cardinality(quality_assured),
                stackable=docs.intersection_cardinality(stackable),
            )
        )
    return Statistics(count=len(matched), groups=result)


def check_bounds(bounds: Sequence[float]) -> None:
    if not bounds:
        raise QueryError("histogram: bounds is empty; give increasing numbers, e.g. [10, 50]")
    for i, bound in enumerate(bounds):
        if not math.isfinite(bound):
            raise QueryError(f"histogram: bounds[{i}] is {bound}; bounds must be finite")
        if i and bound <= bounds[i - 1]:
            raise QueryError(
                f"histogram: bounds must increase, but bounds[{i}] = {bound:g} follows "
                f"{bounds[i - 1]:g}"
            )


def histogram(values: FloatArray, bounds: Sequence[float]) -> list[Bucket]:
    """(−∞, b0), [b0, b1), …, [bn, ∞): every bucket, over the values of the matching records
    that have one."""
    check_bounds(bounds)
    edges = np.asarray(bounds, dtype=np.float64)
    # the number of bounds <= v is v's bucket: 0 below b0, len(bounds) at or above bn
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    ends: list[float | None] = [None, *map(float, bounds), None]
    return [
        Bucket(from_=ends[i], to=ends[i + 1], count=int(counts[i])) for i in range(len(edges) + 1)
    ]
