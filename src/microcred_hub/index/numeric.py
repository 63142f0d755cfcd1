"""Numeric values per document for range filters and sorting."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from pyroaring import BitMap

_NAN = math.nan


class RangeIndex:
    """doc -> number, with inclusive range queries over a lazily rebuilt sorted array.

    Values live in one ``array('d')`` indexed by document (NaN = no value): 8 bytes a
    document instead of a dict entry and a float object. A harvest changes many documents at
    once and queries come in between, so sorting once on the first query after a change
    beats keeping the array sorted on every insert.
    """

    def __init__(self) -> None:
        self._values = array("d")
        self._present = BitMap()
        self._sorted_values: array[float] | None = None
        self._sorted_docs = array("I")

    def set(self, doc: int, value: float | None) -> None:
        if value is None:
            self.discard(doc)
            return
        values = self._values
        if len(values) <= doc:
            values.extend([_NAN] * (doc + 1 - len(values)))
        values[doc] = value
        self._present.add(doc)
        self._sorted_values = None

    def discard(self, doc: int) -> None:
        if doc in self._present:
            self._present.discard(doc)
            self._values[doc] = _NAN
            self._sorted_values = None

    def get(self, doc: int) -> float | None:
        return self._values[doc] if doc in self._present else None

    def items(self) -> Iterator[tuple[int, float]]:
        """(doc, value) of every document that has a value, in doc order."""
        values = self._values
        for doc in self._present:
            yield doc, values[doc]

    def _sorted(self) -> tuple[array[float], array[int]]:
        if self._sorted_values is None:
            values = self._values
            # Stable sort of doc ids by value: no (value, doc) tuple per document.
            docs = sorted(self._present, key=values.__getitem__)
            self._sorted_docs = array("I", docs)
            self._sorted_values = array("d", [values[doc] for doc in docs])
        return self._sorted_values, self._sorted_docs

    def range(self, low: float | None, high: float | None) -> BitMap:
        """Documents whose value is within [low, high]; a None bound is open."""
        values, docs = self._sorted()
        start = 0 if low is None else bisect_left(values, low)
        stop = len(values) if high is None else bisect_right(values, high)
        if start >= stop:
            return BitMap()
        return BitMap(docs[start:stop])
