"""The linker's blocks: blocking key -> the records filed under it, kept in two arrays.

A record is filed under ~6-15 keys. As a dict of Python ints to lists of ids that cost ~100
bytes a filing (the int, the dict's entry, the list); here a filing is one row of two sorted
arrays, the key (int64) and the record's id (a reference): 16 bytes. Changes wait in two
small dicts (the ids filed under a key since; the keys whose ids were replaced), merged into
the arrays when they have grown to a sixteenth of them or at the end of a large change: a
merge costs in proportion to all the rows, so it is spread over the many changes before it.

Keys are ints with their kind in the two low bits (``kind``): whether a crowded block still
gives candidates and whether it is a landing page depends on the kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

#: kinds of keys, in their two low bits
FUZZY, URL_PAGE, WORLD_WIDE, REGISTER_ID = 0, 1, 2, 3
#: changed keys held apart before a merge, at least (a smaller merge costs more than it saves)
MIN_PENDING = 8192


#: the bits of a hash a key keeps: not its kind's, nor the sign's and the top one, so that
#: key + 1 is an int64 too (``members_of`` searches for it)
HASH_BITS = (1 << 62) - 4


def key_of(value: object, kind: int) -> int:
    """The block key of a hashable value. Two values of one kind whose keys collide share a
    block (a candidate more, a landing page's holder more): at 62 bits, not in practice."""
    return (hash(value) & HASH_BITS) | kind


def kind(key: int) -> int:
    return key & 3


class Blocks:
    """Blocking keys and the ids filed under each, in filing order."""

    __slots__ = ("_adds", "_ids", "_keys", "_min_pending", "_puts")

    def __init__(self, *, min_pending: int = MIN_PENDING) -> None:
        self._min_pending = min_pending
        self._keys: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._ids: npt.NDArray[np.object_] = np.empty(0, object)
        #: ids filed since the last merge, after the key's rows: one as itself (most keys of
        #: a new record hold it alone), several as a list
        self._adds: dict[int, str | list[str]] = {}
        #: keys whose ids were replaced since the last merge -> all their ids (the rows no
        #: longer count)
        self._puts: dict[int, list[str]] = {}

    def __len__(self) -> int:
        """Keys with records filed under them."""
        self._merge()
        return len(np.unique(self._keys))

    def members(self, key: int) -> list[str]:
        """The ids filed under ``key`` (a list the caller must not change)."""
        return self.members_of((key,))[0]

    def members_of(self, keys: Sequence[int]) -> list[list[str]]:
        """``members`` of several keys: one search of the arrays for all of them."""
        if not keys:
            return []
        puts, adds = self._puts, self._adds
        wanted = np.fromiter(keys, np.int64, len(keys))
        # where each key's rows start and where the next key's would: one search for both
        bounds = np.searchsorted(self._keys, np.concatenate((wanted, wanted + 1))).tolist()
        ids = self._ids
        found: list[list[str]] = []
        for key, lo, hi in zip(keys, bounds[: len(keys)], bounds[len(keys) :], strict=True):
            put = puts.get(key)
            if put is not None:
                found.append(put)
                continue
            held: list[str] = ids[lo:hi].tolist() if hi > lo else []
            add = adds.get(key)
            if add is not None:
                held = [*held, add] if isinstance(add, str) else held + add
            found.append(held)
        return found

    def union(self, keys: Sequence[int], cap: int) -> set[str]:
        """The ids filed under any of ``keys`` whose block holds at most ``cap`` ids, or any
        number for a world-wide identifier (``members_of`` without a list per key)."""
        found: set[str] = set()
        if not keys:
            return found
        puts, adds = self._puts, self._adds
        wanted = np.fromiter(keys, np.int64, len(keys))
        bounds = np.searchsorted(self._keys, np.concatenate((wanted, wanted + 1))).tolist()
        ids = self._ids
        for key, lo, hi in zip(keys, bounds[: len(keys)], bounds[len(keys) :], strict=True):
            uncapped = key & 3 == WORLD_WIDE
            put = puts.get(key)
            if put is not None:
                if len(put) <= cap or uncapped:
                    found.update(put)
                continue
            add = adds.get(key)
            rows = hi - lo
            if add is None:
                if rows == 1:
                    found.add(ids[lo])
                elif rows and (rows <= cap or uncapped):
                    found.update(ids[lo:hi].tolist())
                continue
            extra = [add] if isinstance(add, str) else add
            if rows + len(extra) <= cap or uncapped:
                found.update(extra)
                if rows:
                    found.update(ids[lo:hi].tolist())
        return found

    def size(self, key: int) -> int:
        return len(self.members(key))

    def file(self, record_id: str, keys: Iterable[int]) -> None:
        """File ``record_id`` under each of ``keys``."""
        puts, adds = self._puts, self._adds
        for key in keys:
            put = puts.get(key)
            if put is not None:
                put.append(record_id)
                continue
            add = adds.get(key)
            if add is None:
                adds[key] = record_id
            elif isinstance(add, str):
                adds[key] = [add, record_id]
            else:
                add.append(record_id)
        self._merge_if_due()

    def put(self, key: int, members: list[str]) -> None:
        """Make ``members`` (a new list) all that is filed under ``key``."""
        self._puts[key] = members
        self._adds.pop(key, None)
        self._merge_if_due()

    def settle(self) -> None:
        """Merge what is held apart (at the end of a large change: what it held apart is
        freed now, not after the changes to come)."""
        self._merge()

    def clear(self) -> None:
        self._keys, self._ids = np.empty(0, np.int64), np.empty(0, object)
        self._adds, self._puts = {}, {}

    def _merge_if_due(self) -> None:
        if len(self._adds) + len(self._puts) >= max(self._min_pending, len(self._keys) >> 4):
            self._merge()

    def _merge(self) -> None:
        """Fold the held-apart changes into the arrays: the replaced keys' rows go, and every
        id filed since goes in after its key's rows."""
        adds, puts = self._adds, self._puts
        self._adds, self._puts = {}, {}
        if not adds and not puts:
            return
        keys, ids = self._keys, self._ids
        if puts and len(keys):
            replaced = np.fromiter(puts, np.int64, len(puts))
            replaced.sort()
            at = np.searchsorted(replaced, keys).clip(max=len(replaced) - 1)
            keep = replaced[at] != keys
            keys, ids = keys[keep], ids[keep]
        changed = np.fromiter([*adds, *puts], np.int64, len(adds) + len(puts))
        changed.sort()
        rows: list[str] = []
        counts = np.empty(len(changed), np.int64)
        for i, key in enumerate(changed.tolist()):
            held = puts[key] if key in puts else adds[key]
            if isinstance(held, str):
                rows.append(held)
                counts[i] = 1
            else:
                rows += held
                counts[i] = len(held)
        del adds, puts
        new_ids = np.empty(len(rows), object)
        new_ids[:] = rows
        del rows
        # in one pass: each key's new rows after its rows, in filing order
        new_keys = np.repeat(changed, counts)
        at = np.searchsorted(keys, new_keys, "right")
        self._keys, self._ids = np.insert(keys, at, new_keys), np.insert(ids, at, new_ids)
