"""How many offers each pair of sources shares: duplicate groups with a matching record in
both. The groups are the duplicate linker's; the index only says which members match and
which source each is of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from pyroaring import BitMap


@dataclass(frozen=True, slots=True)
class SourceOverlap:
    """Two source keys (code-point order) and the duplicate groups listed in both."""

    sources: list[str]
    offers: int


def overlap(
    groups: Iterable[Sequence[str]],
    doc_of: Callable[[str], int | None],
    matched: BitMap,
    by_source: Mapping[str, BitMap],
) -> list[SourceOverlap]:
    """Per pair of sources with a group in common, the groups with a matching member in each:
    most offers first, then the pair in code-point order."""
    sources = sorted(by_source.items())
    counts: Counter[tuple[str, ...]] = Counter()
    for members in groups:
        docs = BitMap(d for m in members if (d := doc_of(m)) is not None) & matched
        if len(docs) < 2:
            continue
        listed = [key for key, held in sources if docs.intersect(held)]
        counts.update(combinations(listed, 2))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [SourceOverlap(sources=list(pair), offers=n) for pair, n in ordered]


def spanning(
    groups: Iterable[Sequence[str]],
    doc_of: Callable[[str], int | None],
    matched: BitMap,
    by_source: Mapping[str, BitMap],
    sources: Sequence[str],
) -> BitMap:
    """The matching members of the groups with a matching record in every one of ``sources``
    (the records behind one ``overlap`` figure when ``sources`` is its pair)."""
    wanted = [by_source.get(key, BitMap()) for key in dict.fromkeys(sources)]
    found = BitMap()
    for members in groups:
        docs = BitMap(d for m in members if (d := doc_of(m)) is not None) & matched
        if docs and all(docs.intersect(held) for held in wanted):
            found |= docs
    return found
