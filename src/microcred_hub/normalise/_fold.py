"""Matching keys shared by the converters.

Kept apart so that text and languages need not import each other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def match_fold(value: str) -> str:
    """The form vocabulary keys are matched in: NFKD, combining marks dropped, casefolded.

    Letters without a decomposition (ø, ł, æ) stay as they are, unlike ``index``'s
    ``search_fold``: register vocabularies are matched exactly, search is forgiving.
    """
    if value.isascii():
        return value.casefold()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def compact_key(value: str) -> str:
    """match_fold() with all but letters and digits removed: "On-site", "on_site" -> "onsite"."""
    return _NON_ALNUM.sub("", match_fold(value))


def spaced_key(value: str) -> str:
    """match_fold() with punctuation runs turned into single spaces: "U.S.A." -> "u s a"."""
    return _NON_ALNUM.sub(" ", match_fold(value)).strip()
