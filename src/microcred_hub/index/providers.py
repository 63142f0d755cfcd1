"""Awarding bodies aggregated over the records that name them."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from microcred_hub.index.cursor import decode_cursor, encode_cursor
from microcred_hub.index.model import Provider, ProviderPage, QueryError
from microcred_hub.index.text import search_fold, words
from microcred_hub.record import Microcredential

_KIND = "p"


@dataclass(slots=True)
class _Group:
    spellings: Counter[str] = field(default_factory=Counter)
    records: int = 0
    sources: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class _Entry:
    key: tuple[int, str, str]  # (-count, folded name, country): the listing order
    words: frozenset[str]
    provider: Provider


def _narrowest(wanted: list[str]) -> list[str]:
    """The query words that decide a match: each once, longest (most selective) first, and
    none that merely starts another query word (whatever "auckland" starts, "auck" starts too).
    """
    ordered = sorted(set(wanted))
    # In sorted order, a word that starts any other word starts the one right after it.
    kept = [
        w for w, after in zip(ordered, [*ordered[1:], ""], strict=True) if not after.startswith(w)
    ]
    return sorted(kept, key=lambda word: (-len(word), word))


class ProviderGroups:
    """Awarding bodies counted as records are filed and unfiled, so the directory of a new
    data version is built from a few thousand groups, not from every record."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], _Group] = {}

    def add(self, record: Microcredential, sign: int = 1) -> None:
        """Count ``record`` in (``sign`` 1) or out (-1) of the groups it names."""
        # The record's issuer country stands in when the body itself has none.
        fallback = record.issuer_country[0].upper() if len(record.issuer_country) == 1 else ""
        seen: set[tuple[str, str]] = set()
        groups = self.groups
        for body in record.awarding_bodies:
            country = body.country.upper() if body.country else fallback
            key = (search_fold(body.name), country)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group()
            group.spellings[body.name] += sign
            if key not in seen:
                seen.add(key)
                group.records += sign
                group.sources[record.source] += sign
        if sign < 0:
            for key in seen:
                if groups[key].records <= 0:
                    del groups[key]

    def remove(self, record: Microcredential) -> None:
        self.add(record, -1)


class ProviderDirectory:
    """Providers of one data version; the same name in two countries is two providers."""

    def __init__(self, groups: ProviderGroups) -> None:
        entries = []
        for (folded, country), group in groups.groups.items():
            # Most common spelling wins; ties go to the alphabetically first for determinism.
            name = min(
                ((s, n) for s, n in group.spellings.items() if n > 0),
                key=lambda item: (-item[1], item[0]),
            )[0]
            provider = Provider(
                name=name,
                country=country or None,
                microcredential_count=group.records,
                sources=sorted(s for s, n in group.sources.items() if n > 0),
            )
            entries.append(
                _Entry((-group.records, folded, country), frozenset(words(name)), provider)
            )
        self._entries = sorted(entries, key=lambda entry: entry.key)

    def page(
        self,
        text: str | None,
        issuer_country: Sequence[str] | None,
        first: int,
        after: str | None,
    ) -> ProviderPage:
        entries = self._entries
        if issuer_country:
            countries = {c.upper() for c in issuer_country}
            entries = [e for e in entries if e.provider.country in countries]
        wanted = _narrowest(words(text)) if text else []
        if wanted:
            # Every query word must start a word of the name: "auck" finds Auckland.
            entries = [
                e for e in entries if all(any(w.startswith(q) for w in e.words) for q in wanted)
            ]
        start = 0
        if after:
            values = decode_cursor(after, _KIND, 3)
            count, folded, country = values
            if (
                not isinstance(count, int)
                or not isinstance(folded, str)
                or not isinstance(country, str)
            ):
                raise QueryError("after: malformed cursor; pass a cursor this API returned")
            start = bisect_right(entries, (-count, folded, country), key=lambda e: e.key)
        shown = entries[start : start + first]
        return ProviderPage(
            total=len(entries),
            providers=[e.provider for e in shown],
            cursors=[encode_cursor(_KIND, [-e.key[0], e.key[1], e.key[2]]) for e in shown],
            has_next=start + first < len(entries),
        )
