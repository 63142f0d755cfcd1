"""Numeric values per document for range filters and sorting."""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

from pyroaring import BitMap


class RangeIndex:
    """doc -> number, with inclusive range queries over a lazily rebuilt sorted array.

    A harvest changes many documents at once and queries come in between, so sorting once
    on the first query after a change beats keeping the array sorted on every insert.
    """

    def __init__(self) -> None:
        self.values: dict[int, float] = {}
        self._sorted_values: list[float] | None = None
        self._sorted_docs = array("I")

    def set(self, doc: int, value: float | None) -> None:
        if value is None:
            self.discard(doc)
            return
        self.values[doc] = value
        self._sorted_values = None

    def discard(self, doc: int) -> None:
        if self.values.pop(doc, None) is not None:
            self._sorted_values = None

    def _sorted(self) -> tuple[list[float], array[int]]:
        if self._sorted_values is None:
            pairs = sorted(self.values.items(), key=lambda item: item[1])
            self._sorted_values = [value for _, value in pairs]
            self._sorted_docs = array("I", (doc for doc, _ in pairs))
        return self._sorted_values, self._sorted_docs

    def range(self, low: float | None, high: float | None) -> BitMap:
        """Documents whose value is within [low, high]; a None bound is open."""
        values, docs = self._sorted()
        start = 0 if low is None else bisect_left(values, low)
        stop = len(values) if high is None else bisect_right(values, high)
        if start >= stop:
            return BitMap()
        return BitMap(docs[start:stop])
