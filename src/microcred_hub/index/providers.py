"""Awarding bodies aggregated over the records that name them."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from microcred_hub.index.cursor import decode_cursor, encode_cursor
from microcred_hub.index.model import Provider, ProviderPage, QueryError, SourceCount
from microcred_hub.index.text import search_fold, words
from microcred_hub.normalise.identity import organisation_key
from microcred_hub.record import Microcredential

_KIND = "p"


@dataclass(slots=True)
class _Group:
    spellings: Counter[str] = field(default_factory=Counter)
    records: set[str] = field(default_factory=set)
    sources: Counter[str] = field(default_factory=Counter)
    ids: set[str] = field(default_factory=set)

    def absorb(self, other: _Group) -> None:
        self.spellings.update(other.spellings)
        for record_id, source in other.records_by_source():
            if record_id not in self.records:
                self.records.add(record_id)
                self.sources[source] += 1
        self.ids |= other.ids

    def records_by_source(self) -> list[tuple[str, str]]:
        return [(r, r.split(":", 1)[0]) for r in self.records]


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


def _key(name: str) -> str:
    """One key per spelling family of a body's name ("Rijksuniversiteit Groningen",
    "University of Groningen" and "RUG" share one), the folded name when it has no words."""
    return organisation_key(name) or search_fold(name)


_GroupKey = tuple[str, str]


def _merge(
    groups: dict[_GroupKey, _Group], pairs: Iterable[tuple[_GroupKey, _GroupKey]]
) -> dict[_GroupKey, _Group]:
    """Groups are one body when they carry the same organisation id in one country, or when
    ``pairs`` say so; each merged body keeps its smallest key (stable ids)."""
    parent = {key: key for key in groups}

    def root(key: _GroupKey) -> _GroupKey:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: _GroupKey, b: _GroupKey) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner: dict[tuple[str, str], _GroupKey] = {}
    for key in sorted(groups):
        for i in groups[key].ids:
            union(owner.setdefault((key[1], i), key), key)
    for a, b in pairs:
        if a in parent and b in parent and a[1] == b[1]:
            union(a, b)
    merged: dict[_GroupKey, _Group] = {}
    for key in sorted(groups):  # roots are the smallest keys: they come first
        top = root(key)
        if top == key:
            merged[key] = groups[key]
        else:
            merged[top].absorb(groups[key])
    return merged


class ProviderDirectory:
    """Providers of one data version, each awarding body once whatever its spelling or
    register; the same name in two countries is two providers."""

    def __init__(
        self, records: Iterable[Microcredential], same_body: Iterable[tuple[str, str]] = ()
    ) -> None:
        """``same_body``: pairs of record ids whose (single) awarding bodies are one body, as
        the duplicate linker found ("Te Pūkenga – Otago Polytechnic" and "Otago Polytechnic")."""
        groups: dict[tuple[str, str], _Group] = {}
        body_of: dict[str, _GroupKey] = {}
        for record in records:
            # The record's issuer country stands in when the body itself has none.
            fallback = record.issuer_country[0].upper() if len(record.issuer_country) == 1 else ""
            for body in record.awarding_bodies:
                country = body.country.upper() if body.country else fallback
                group = groups.setdefault((_key(body.name), country), _Group())
                group.spellings[body.name] += 1
                if body.id:
                    group.ids.add(body.id.strip().lower())
                if record.id not in group.records:
                    group.records.add(record.id)
                    group.sources[record.source] += 1
            if len(record.awarding_bodies) == 1:
                body = record.awarding_bodies[0]
                body_of[record.id] = (
                    _key(body.name),
                    body.country.upper() if body.country else fallback,
                )
        pairs = [(body_of[a], body_of[b]) for a, b in same_body if a in body_of and b in body_of]
        entries = []
        for (key, country), group in _merge(groups, pairs).items():
            # Most common spelling wins; ties go to the alphabetically first for determinism.
            ranked = sorted(group.spellings.items(), key=lambda item: (-item[1], item[0]))
            name = ranked[0][0]
            count = len(group.records)
            provider = Provider(
                name=name,
                country=country or None,
                microcredential_count=count,
                sources=sorted(group.sources),
                id=f"{country or '-'}:{key.replace(' ', '-')}",
                aliases=[spelling for spelling, _ in ranked[1:]],
                source_counts=[SourceCount(s, n) for s, n in sorted(group.sources.items())],
            )
            every_word = frozenset(w for spelling, _ in ranked for w in words(spelling))
            entries.append(_Entry((-count, search_fold(name), country), every_word, provider))
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
