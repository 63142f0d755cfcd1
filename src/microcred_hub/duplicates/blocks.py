"""The linker's blocks: blocking key -> the records filed under it, kept in two arrays.

A record is filed under ~6-15 keys. As a dict of Python ints to lists of ids that cost ~100
bytes a filing (the int, the dict's entry, the list); here a filing is one row of two sorted
arrays, the key (int64) and the record's id (a reference): 16 bytes. Changes go to a small
dict of the keys changed since (each with its whole membership), merged into the arrays when
it has grown to a sixteenth of them or at the end of a large change: a merge costs in
proportion to all the rows, so it is spread over the many changes before it.

Keys are ints with their kind in the two low bits (``kind``): whether a crowded block still
gives candidates and whether it is a landing page depends on the kind.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    """The block key of a hashable value (a collision only adds a candidate)."""
    return (hash(value) & HASH_BITS) | kind


def kind(key: int) -> int:
    return key & 3


class Blocks:
    """Blocking keys and the ids filed under each, in filing order."""

    __slots__ = ("_ids", "_keys", "_min_pending", "_pending")

    def __init__(self, *, min_pending: int = MIN_PENDING) -> None:
        self._min_pending = min_pending
        self._keys: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._ids: npt.NDArray[np.object_] = np.empty(0, object)
        #: keys changed since the last merge -> every id filed under them: one id as itself
        #: (most keys of a new record hold it alone), several as a list, none as []
        self._pending: dict[int, str | list[str]] = {}

    def __len__(self) -> int:
        """Keys with records filed under them."""
        self._merge()
        return len(np.unique(self._keys))

    def members(self, key: int) -> list[str]:
        """The ids filed under ``key`` (a list the caller must not change)."""
        held = self._pending.get(key)
        if held is not None:
            return [held] if isinstance(held, str) else held
        keys = self._keys
        lo = int(np.searchsorted(keys, key, "left"))
        if lo == len(keys) or keys[lo] != key:
            return []
        hi = int(np.searchsorted(keys, key, "right"))
        return self._ids[lo:hi].tolist()  # type: ignore[no-any-return]

    def members_of(self, keys: Sequence[int]) -> list[list[str]]:
        """``members`` of several keys: one search of the arrays for all of them."""
        if not keys:
            return []
        pending = self._pending
        wanted = np.fromiter(keys, np.int64, len(keys))
        # where each key's rows start and where the next key's would: one search for both
        bounds = np.searchsorted(self._keys, np.concatenate((wanted, wanted + 1))).tolist()
        los, his = bounds[: len(keys)], bounds[len(keys) :]
        ids = self._ids
        found: list[list[str]] = []
        for key, lo, hi in zip(keys, los, his, strict=True):
            held = pending.get(key)  # an empty list: none, whatever the arrays hold
            if held is None:
                found.append(ids[lo:hi].tolist() if hi > lo else [])
            else:
                found.append([held] if isinstance(held, str) else held)
        return found

    def size(self, key: int) -> int:
        return len(self.members(key))

    def file(self, record_id: str, keys: Sequence[int], members: Sequence[list[str]]) -> None:
        """File ``record_id`` under each of ``keys`` (``members``: what ``members_of(keys)``
        gave, just before)."""
        pending = self._pending
        for key, found in zip(keys, members, strict=True):
            held = pending.get(key)
            if held is None:
                pending[key] = [*found, record_id] if found else record_id
            elif isinstance(held, str):
                pending[key] = [held, record_id]
            else:
                held.append(record_id)
        if len(pending) >= max(self._min_pending, len(self._keys) >> 4):
            self._merge()

    def put(self, key: int, members: list[str]) -> None:
        """Make ``members`` (a new list) all that is filed under ``key``."""
        self._pending[key] = members[0] if len(members) == 1 else members
        if len(self._pending) >= max(self._min_pending, len(self._keys) >> 4):
            self._merge()

    def settle(self) -> None:
        """Merge what is held apart (at the end of a large change: what it held apart is
        freed now, not after the changes to come)."""
        self._merge()

    def clear(self) -> None:
        self._keys, self._ids, self._pending = np.empty(0, np.int64), np.empty(0, object), {}

    def _merge(self) -> None:
        """Fold the changed keys into the arrays: their old rows go, their members come in."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        changed = np.fromiter(pending, np.int64, len(pending))
        changed.sort()
        keys, ids = self._keys, self._ids
        if len(keys):
            at = np.searchsorted(changed, keys).clip(max=len(changed) - 1)
            keep = changed[at] != keys
            keys, ids = keys[keep], ids[keep]
        rows: list[str] = []
        counts = np.empty(len(changed), np.int64)
        for i, held in enumerate(map(pending.__getitem__, changed.tolist())):
            if isinstance(held, str):
                rows.append(held)
                counts[i] = 1
            else:
                rows += held
                counts[i] = len(held)
        del pending
        new_ids = np.empty(len(rows), object)
        new_ids[:] = rows
        del rows
        # the changed keys' rows go where their keys sort, in filing order (one pass)
        new_keys = np.repeat(changed, counts)
        at = np.searchsorted(keys, new_keys)
        self._keys, self._ids = np.insert(keys, at, new_keys), np.insert(ids, at, new_ids)
