"""Sort orders with nulls last and the id as final tiebreak, and cursors that resume them.

Each sortable column gets a rank table per data version: distinct values sorted, a document's
rank is 2i+1 for the i-th value, so a cursor value that no longer exists still falls between
two ranks (2i) and paging resumes at the right place. Nulls rank last in both directions.
"""

from __future__ import annotations

import functools
import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING

from microcred_hub.index.cursor import CursorValue, decode_cursor, encode_cursors
from microcred_hub.index.model import QueryError, SortField

if TYPE_CHECKING:
    from pyroaring import BitMap

    from microcred_hub.index.numeric import RangeIndex

NULL_RANK = 1 << 62
SortKey = tuple[float | int | str, ...]

#: sort field -> (column, descending); RELEVANCE has no column
COLUMNS: dict[SortField, tuple[str, bool]] = {
    SortField.TITLE: ("title", False),
    SortField.TITLE_DESC: ("title", True),
    SortField.ECTS: ("ects", False),
    SortField.ECTS_DESC: ("ects", True),
    SortField.HOURS: ("hours", False),
    SortField.HOURS_DESC: ("hours", True),
    SortField.EQF: ("eqf", False),
    SortField.EQF_DESC: ("eqf", True),
    SortField.UPDATED: ("updated", False),
    SortField.UPDATED_DESC: ("updated", True),
}


def timestamp(value: datetime) -> float:
    """Seconds since the epoch; a zone-less datetime is read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


class RankTable:
    __slots__ = ("distinct", "ranks")

    def __init__(
        self, values: Iterable[tuple[int, str]] | Iterable[tuple[int, float]], size: int
    ) -> None:
        pairs: list[tuple[int, str | float]] = list(values)
        self.distinct: list[str | float] = sorted({value for _, value in pairs})
        position = {value: 2 * i + 1 for i, value in enumerate(self.distinct)}
        self.ranks = ranks = array("q", [NULL_RANK]) * size
        for doc, value in pairs:
            ranks[doc] = position[value]

    def rank_of(self, value: CursorValue) -> int:
        if value is None:
            return NULL_RANK
        i = bisect_left(self.distinct, value)
        return 2 * i + 1 if i < len(self.distinct) and self.distinct[i] == value else 2 * i


class Ordering:
    """Rank tables and global sort orders of one data version (built lazily, then reused)."""

    def __init__(
        self,
        ids: Sequence[str | None],
        titles: Sequence[str | None],
        alive: BitMap,
        numeric: dict[str, RangeIndex],
    ) -> None:
        self._ids = ids
        self._titles = titles  # folded (search_fold), as the title order compares them
        self._alive = alive
        self._numeric = numeric
        self._tables: dict[str, RankTable] = {}
        self._orders: dict[tuple[SortField, ...], tuple[array[int], array[int]]] = {}
        self._by_id: list[int] | None = None

    def table(self, column: str) -> RankTable:
        table = self._tables.get(column)
        if table is None:
            values: Iterable[tuple[int, str]] | Iterable[tuple[int, float]]
            if column == "title":
                titles = self._titles
                values = ((doc, titles[doc]) for doc in self._alive)  # type: ignore[assignment]
            else:
                values = self._numeric[column].items()
            table = self._tables[column] = RankTable(values, len(self._ids))
        return table

    def key_function(
        self, spec: Sequence[SortField], scores: dict[int, float]
    ) -> Callable[[int], SortKey]:
        ids = self._ids
        parts: list[tuple[array[int] | None, bool]] = []
        for field in spec:
            if field is SortField.RELEVANCE:
                parts.append((None, False))
            else:
                column, descending = COLUMNS[field]
                parts.append((self.table(column).ranks, descending))

        def key(doc: int) -> SortKey:
            values: list[float | int | str] = []
            for ranks, descending in parts:
                if ranks is None:
                    values.append(-scores.get(doc, 0.0))
                else:
                    rank = ranks[doc]
                    values.append(-rank if descending and rank != NULL_RANK else rank)
            values.append(ids[doc])  # type: ignore[arg-type]
            return tuple(values)

        return key

    def cursors(
        self, spec: Sequence[SortField], docs: Sequence[int], scores: dict[int, float]
    ) -> list[str]:
        """The cursor of each of ``docs`` (a page's worth): what each field reads is looked
        up once for the page, not once per record."""
        readers: list[Callable[[int], CursorValue]] = []
        for field in spec:
            if field is SortField.RELEVANCE:
                readers.append(functools.partial(_score, scores))
            elif COLUMNS[field][0] == "title":
                # The folded title is already in the rank table: no second search_fold per record.
                table = self.table("title")
                readers.append(functools.partial(_title, table.ranks, table.distinct))
            else:
                readers.append(self._numeric[COLUMNS[field][0]].get)
        ids = self._ids
        rows: list[list[CursorValue]]
        if len(readers) == 1:  # the usual one sort field
            (read,) = readers
            rows = [[read(doc), ids[doc]] for doc in docs]
        else:
            rows = [[*[read(doc) for read in readers], ids[doc]] for doc in docs]
        return encode_cursors(_kind(spec), rows)

    def cursor_key(self, spec: Sequence[SortField], cursor: str) -> SortKey:
        values = decode_cursor(cursor, _kind(spec), len(spec) + 1)
        key: list[float | int | str] = []
        for field, value in zip(spec, values, strict=False):
            if field is SortField.RELEVANCE:
                if not isinstance(value, int | float):
                    raise QueryError("after: malformed cursor (relevance is not a number)")
                key.append(-float(value))
                continue
            column, descending = COLUMNS[field]
            wanted = str if column == "title" else (int, float)
            if value is not None and not isinstance(value, wanted):
                raise QueryError(f"after: malformed cursor ({column} has the wrong type)")
            rank = self.table(column).rank_of(value)
            key.append(-rank if descending and rank != NULL_RANK else rank)
        if not isinstance(values[-1], str):
            raise QueryError("after: malformed cursor (no record id)")
        key.append(values[-1])
        return tuple(key)

    def global_order(self, spec: tuple[SortField, ...]) -> tuple[array[int], array[int]]:
        """Every live document in ``spec`` order, and each document's position in it."""
        cached = self._orders.get(spec)
        if cached is None:
            if self._by_id is None:
                self._by_id = sorted(self._alive, key=self._ids.__getitem__)  # type: ignore[arg-type]
            # Stable sorts from the last key to the first give the (key..., id) order while
            # every pass sorts by a C-level array lookup instead of a Python tuple per doc.
            order = self._by_id
            for field in reversed(spec):
                column, descending = COLUMNS[field]
                ranks = self.table(column).ranks
                if descending:
                    ranks = array("q", [r if r == NULL_RANK else -r for r in ranks])
                order = sorted(order, key=ranks.__getitem__)
            position = array("I", [0]) * len(self._ids)
            for i, doc in enumerate(order):
                position[doc] = i
            cached = self._orders[spec] = (array("I", order), position)
        return cached

    def page(
        self,
        spec: tuple[SortField, ...],
        matched: BitMap,
        first: int,
        after: str | None,
        scores: dict[int, float],
    ) -> Sequence[int]:
        """Up to ``first + 1`` matching documents after the cursor, in order."""
        after_key = self.cursor_key(spec, after) if after else None
        wanted = first + 1
        if SortField.RELEVANCE in spec:
            key = self.key_function(spec, scores)
            docs: list[int] | BitMap = matched
            if after_key is not None:
                docs = [doc for doc in matched if key(doc) > after_key]
            return heapq.nsmallest(wanted, docs, key=key)
        order, position = self.global_order(spec)
        start = 0
        if after_key is not None:
            start = bisect_right(order, after_key, key=self.key_function(spec, {}))
        if len(matched) == len(order):
            return order[start : start + wanted]
        if wanted * len(order) < len(matched) * len(matched):
            # Dense match: walking the global order meets enough matches quickly.
            found: list[int] = []
            for doc in islice(order, start, None):
                if doc in matched:
                    found.append(doc)
                    if len(found) == wanted:
                        break
            return found
        candidates = [doc for doc in matched if position[doc] >= start]
        return heapq.nsmallest(wanted, candidates, key=position.__getitem__)


def _score(scores: dict[int, float], doc: int) -> float:
    return scores.get(doc, 0.0)


def _title(ranks: array[int], distinct: Sequence[str | float], doc: int) -> CursorValue:
    rank = ranks[doc]
    return None if rank == NULL_RANK else distinct[rank >> 1]


def _kind(spec: Sequence[SortField]) -> str:
    return "m:" + ",".join(spec)
