"""Compact numeric columns for statistics: one float64 numpy array per field, by document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

#: the fields statistics summarise: workload hours, ECTS credits, the completeness score
COLUMNS: tuple[str, ...] = ("hours", "ects", "completeness")

FloatArray = npt.NDArray[np.float64]


class Columns:
    """doc -> number for each field, NaN where a record has no value.

    8 bytes a document and field, in arrays numpy reads directly: a group's values are one
    gather (``column[docs]``), never a walk over record objects. Capacity doubles as documents
    are added, so filing a million records copies each array only ~20 times.
    """

    def __init__(self, names: Iterable[str] = COLUMNS) -> None:
        self._names = tuple(names)
        self._data: dict[str, FloatArray] = {name: np.empty(0) for name in self._names}
        #: who has a value: a group's values are then gathered without a NaN pass
        self._present = {name: BitMap() for name in self._names}
        self._size = 0

    def set(self, doc: int, values: Mapping[str, float | None]) -> None:
        if doc >= self._size:
            self._grow(doc + 1)
        for name in self._names:
            value = values.get(name)
            if value is None:
                self._data[name][doc] = np.nan
                self._present[name].discard(doc)
            else:
                self._data[name][doc] = value
                self._present[name].add(doc)

    def clear(self, doc: int) -> None:
        if doc < self._size:
            for name, array in self._data.items():
                array[doc] = np.nan
                self._present[name].discard(doc)

    def present(self, name: str) -> BitMap:
        """The documents that have a value of ``name``."""
        return self._present[name]

    def gather(self, name: str, docs: BitMap) -> FloatArray:
        """The values of ``docs`` that have one, in document order."""
        positions = np.frombuffer((docs & self._present[name]).to_array(), dtype=np.uint32)
        return self._data[name][positions]

    def _grow(self, size: int) -> None:
        capacity = len(next(iter(self._data.values()), np.empty(0)))
        if size > capacity:
            capacity = max(size, 2 * capacity, 1024)
            for name, old in self._data.items():
                new = np.full(capacity, np.nan)
                new[: len(old)] = old
                self._data[name] = new
        self._size = size
