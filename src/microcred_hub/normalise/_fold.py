"""Matching keys shared by the converters.

Kept apart so that text and languages need not import each other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: NFKD, combining marks dropped, casefolded."""
    if value.isascii():
        return value.casefold()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def compact_key(value: str) -> str:
    """fold() with all but letters and digits removed: "On-site", "on_site" -> "onsite"."""
    return _NON_ALNUM.sub("", fold(value))


def spaced_key(value: str) -> str:
    """fold() with punctuation runs turned into single spaces: "U.S.A." -> "u s a"."""
    return _NON_ALNUM.sub(" ", fold(value)).strip()
