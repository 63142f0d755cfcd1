"""Give the C heap's free pages back to the system after a large change.

Filing or replacing many records frees far more than it keeps (decoded records, parsed
pages), and glibc returns freed memory only from the top of its heap: the rest stays in the
process's RSS although nothing uses it. ``malloc_trim`` releases those free pages (Dask's
workers do the same for the same reason). Elsewhere than glibc it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: changes of at least this many records are followed by a trim
LARGE_CHANGE = 10_000


def _trimmer() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _trimmer()


def trim() -> None:
    """Return the C heap's free pages to the system (glibc only)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
