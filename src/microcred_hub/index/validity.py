"""The valid-from date range filter, over the postings of start years.

The index files a record's start year, not its date (a date column would change the index
image's format), so a range is the union of the years it touches, narrowed by reading the
start dates of the records in a part-covered end year; a range of whole years reads none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from pyroaring import BitMap


def years_touched(years: Mapping[str, BitMap], low: date | None, high: date | None) -> BitMap:
    """Documents valid from a year that [low, high] touches: a superset of the range."""
    return BitMap.union(
        BitMap(),
        *(
            docs
            for year, docs in years.items()
            if (low is None or int(year) >= low.year) and (high is None or int(year) <= high.year)
        ),
    )


def within(
    matched: BitMap,
    years: Mapping[str, BitMap],
    low: date | None,
    high: date | None,
    valid_from: Callable[[int], date | None],
) -> BitMap:
    """``matched`` (already cut by ``years_touched``) without the documents of a part-covered
    end year whose start date (``valid_from(doc)``) is outside [low, high]."""
    partial: list[BitMap] = []
    if low is not None and (low.month, low.day) != (1, 1):
        partial.append(years.get(str(low.year), BitMap()))
    if high is not None and (high.month, high.day) != (12, 31):
        partial.append(years.get(str(high.year), BitMap()))
    if not partial:
        return matched
    outside = BitMap()
    for doc in matched & BitMap.union(*partial):
        start = valid_from(doc)
        if (
            start is None
            or (low is not None and start < low)
            or (high is not None and start > high)
        ):
            outside.add(doc)
    return matched - outside if outside else matched
