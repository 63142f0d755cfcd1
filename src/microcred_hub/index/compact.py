"""Per-document structures without a Python object per document.

A dict entry and an int object cost ~75 bytes a record, a short str ~100: at a million
records that is more than the postings. ``DocIds`` finds a record's document through a table
of 4-byte slots (the ids themselves are the ones the index already holds); ``Texts`` keeps
strings as UTF-8 in one buffer, decoded when read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

_EMPTY = -1
_GONE = -2  # a removed entry: probing goes on past it


class DocIds:
    """record id -> document, an open-addressing hash table over ``ids`` (document -> id).

    The table holds only document numbers (4 bytes a slot, a third to two thirds full); a
    slot's key is ``ids[doc]``, so ``ids`` must name a document whenever it is looked up or
    popped (the index clears an id only after popping it). Linear probing: a filled table is
    built with numpy in a few vectorised rounds, and a lookup walks a short run of slots.
    """

    __slots__ = ("_gone", "_ids", "_live", "_slots")

    def __init__(self, ids: Sequence[str | None]) -> None:
        """The table of every id ``ids`` holds."""
        self._ids = ids
        self._slots = array("i")
        self._live = self._gone = 0
        self.fill()

    def __len__(self) -> int:
        return self._live

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self.get(record_id) is not None

    def get(self, record_id: str) -> int | None:
        slots, ids = self._slots, self._ids
        mask = len(slots) - 1
        i = hash(record_id) & mask
        while (doc := slots[i]) != _EMPTY:
            if doc >= 0 and ids[doc] == record_id:
                return doc
            i = (i + 1) & mask
        return None

    def __setitem__(self, record_id: str, doc: int) -> None:
        """File ``record_id``, which ``ids[doc]`` must already be, under ``doc`` (it must not
        be filed yet)."""
        if (self._live + self._gone + 1) * 3 >= len(self._slots) * 2:
            self.fill()  # files it too: it is in ids
            return
        slots = self._slots
        mask = len(slots) - 1
        i = hash(record_id) & mask
        while (found := slots[i]) >= 0:
            i = (i + 1) & mask
        if found == _GONE:
            self._gone -= 1
        slots[i] = doc
        self._live += 1

    def pop(self, record_id: str) -> int | None:
        """Forget ``record_id``; its document, or None when it was not filed."""
        slots, ids = self._slots, self._ids
        mask = len(slots) - 1
        i = hash(record_id) & mask
        while (doc := slots[i]) != _EMPTY:
            if doc >= 0 and ids[doc] == record_id:
                slots[i] = _GONE
                self._live -= 1
                self._gone += 1
                return doc
            i = (i + 1) & mask
        return None

    def fill(self) -> None:
        """File every id ``ids`` holds (after ``ids`` was filled or replaced wholesale)."""
        ids = self._ids
        if None in ids:  # (a C-level scan)
            docs = np.fromiter(
                (doc for doc, record_id in enumerate(ids) if record_id is not None),
                dtype=np.int32,
            )
            hashes = np.fromiter(map(hash, filter(None, ids)), np.int64, len(docs))
        else:
            docs = np.arange(len(ids), dtype=np.int32)
            hashes = np.fromiter(map(hash, ids), np.int64, len(ids))
        size = 8
        while size < len(docs) * 2:  # at most half full after a fill: short runs
            size *= 2
        mask = size - 1
        home = hashes & mask
        slots = np.full(size, _EMPTY, dtype=np.int32)
        # Taken in the order of their home slots, each id goes to its home or just after the
        # one before, whichever is later: every slot between an id's home and its own is then
        # taken, as lookups expect. That is a running maximum, done for all at once.
        order = np.argsort(home, kind="stable")
        rank = np.arange(len(order), dtype=np.int64)
        at = np.maximum.accumulate(home[order] - rank) + rank
        inside = at < size
        slots[at[inside]] = docs[order[inside]]
        # The few pushed past the end wrap round to the first free slots (their run goes on
        # from the table's start).
        free = 0
        for doc in docs[order[~inside]].tolist():
            while slots[free] != _EMPTY:
                free += 1
            slots[free] = doc
        self._slots = array("i", slots.tobytes())
        self._live = len(docs)
        self._gone = 0

    def items(self) -> Iterator[tuple[str, int]]:
        ids = self._ids
        for doc in self._slots:
            if doc >= 0:
                record_id = ids[doc]
                assert record_id is not None
                yield record_id, doc

    @property
    def nbytes(self) -> int:
        return self._slots.itemsize * len(self._slots)


class Texts(Sequence[str | None]):
    """Strings by document, UTF-8 in one buffer (a str object only while one is read).

    A replaced or cleared string's bytes stay in the buffer until the garbage exceeds the live
    bytes; then the buffer is rewritten once.
    """

    __slots__ = ("_data", "_garbage", "_lengths", "_starts")

    _NONE = 0xFFFFFFFF

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._data = bytearray()
        self._starts = array("Q")
        self._lengths = array("I")
        self._garbage = 0
        for value in values:
            self.append(value)

    def __len__(self) -> int:
        return len(self._starts)

    def buffers(self) -> tuple[bytes, bytes, bytes]:
        """The strings as three buffers (UTF-8, starts, lengths): ``from_buffers`` takes
        them back without a str object per string."""
        return bytes(self._data), self._starts.tobytes(), self._lengths.tobytes()

    @classmethod
    def from_buffers(cls, data: bytes, starts: bytes, lengths: bytes) -> Texts:
        """The strings ``buffers`` gave; ValueError when the buffers do not fit together."""
        texts = cls()
        texts._starts.frombytes(starts)
        texts._lengths.frombytes(lengths)
        begin = np.frombuffer(texts._starts, dtype=np.uint64)
        size = np.frombuffer(texts._lengths, dtype=np.uint32)
        present = size != cls._NONE
        used = size[present].astype(np.uint64)
        fits = len(begin) == len(size)
        if fits and len(used):
            fits = int((begin[present] + used).max()) <= len(data)
        if not fits:
            raise ValueError("the texts' starts and lengths do not fit their buffer")
        texts._data = bytearray(data)
        texts._garbage = len(data) - int(used.sum())
        return texts

    def _encode(self, value: str | None) -> tuple[int, int]:
        if value is None:
            return 0, self._NONE
        data = value.encode()
        start = len(self._data)
        self._data += data
        return start, len(data)

    def append(self, value: str | None) -> None:
        start, length = self._encode(value)
        self._starts.append(start)
        self._lengths.append(length)

    def __getitem__(self, doc: int) -> str | None:  # type: ignore[override]
        length = self._lengths[doc]
        if length == self._NONE:
            return None
        start = self._starts[doc]
        return self._data[start : start + length].decode()

    def __setitem__(self, doc: int, value: str | None) -> None:
        old = self._lengths[doc]
        if old != self._NONE:
            self._garbage += old
        start, length = self._encode(value)
        self._starts[doc] = start
        self._lengths[doc] = length
        if self._garbage > 4096 and self._garbage * 2 > len(self._data):
            self._compact()

    def __iter__(self) -> Iterator[str | None]:
        for doc in range(len(self._starts)):
            yield self[doc]

    def _compact(self) -> None:
        data, starts, lengths = self._data, self._starts, self._lengths
        packed = bytearray()
        for doc, length in enumerate(lengths):
            if length != self._NONE:
                start = starts[doc]
                starts[doc] = len(packed)
                packed += data[start : start + length]
        self._data = packed
        self._garbage = 0

    @property
    def nbytes(self) -> int:
        return len(self._data) + 12 * len(self._starts)
