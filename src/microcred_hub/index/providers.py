"""Awarding bodies aggregated over the records that name them."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from microcred_hub.index.cursor import decode_cursor, encode_cursor
from microcred_hub.index.model import Provider, ProviderPage, QueryError, SourceCount
from microcred_hub.index.text import search_fold, words
from microcred_hub.normalise.identity import organisation_key
from microcred_hub.record import Microcredential

_KIND = "p"


_GroupKey = tuple[str, str]  # (name key, country)


@dataclass(slots=True)
class _Group:
    spellings: Counter[str] = field(default_factory=Counter)
    records: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    ids: Counter[str] = field(default_factory=Counter)  # organisation ids its records give

    def absorb(self, other: _Group) -> None:
        self.spellings.update(other.spellings)
        self.records += other.records
        self.sources.update(other.sources)
        self.ids.update(other.ids)


def body_key(name: str) -> str:
    """One key per spelling family of a body's name ("Rijksuniversiteit Groningen",
    "University of Groningen" and "RUG" share one), the folded name when it has no words."""
    return organisation_key(name) or search_fold(name)


def keys_of(record: Microcredential) -> list[_GroupKey]:
    """The provider groups a record counts in, one per awarding body (each once)."""
    # The record's issuer country stands in when the body itself has none.
    fallback = record.issuer_country[0].upper() if len(record.issuer_country) == 1 else ""
    return list(
        dict.fromkeys(
            (body_key(body.name), body.country.upper() if body.country else fallback)
            for body in record.awarding_bodies
        )
    )


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
            key = (body_key(body.name), country)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group()
            group.spellings[body.name] += sign
            if body.id:
                group.ids[body.id.strip().lower()] += sign
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


def _merge(
    groups: dict[_GroupKey, _Group], pairs: Iterable[tuple[_GroupKey, _GroupKey]]
) -> dict[_GroupKey, _Group]:
    """Groups are one body when they carry the same organisation id in one country, or when
    ``pairs`` say so; each merged body keeps its smallest key (stable ids). The groups given
    are not changed (they are counted incrementally)."""
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
        for org_id, n in groups[key].ids.items():
            if n > 0:
                union(owner.setdefault((key[1], org_id), key), key)
    for a, b in pairs:
        if a in parent and b in parent and a[1] == b[1]:
            union(a, b)
    merged: dict[_GroupKey, _Group] = {}
    for key in sorted(groups):  # a root is the smallest key of its set: it comes first
        top = root(key)
        if top == key:
            merged[key] = _Group()
        merged[top].absorb(groups[key])
    return merged


class ProviderDirectory:
    """Providers of one data version, each awarding body once whatever its spelling or
    register; the same name in two countries is two providers."""

    def __init__(
        self,
        groups: ProviderGroups,
        same_body: Iterable[tuple[str, str]] = (),
        record: Callable[[str], Microcredential | None] = lambda _id: None,
    ) -> None:
        """``same_body``: pairs of record ids whose single awarding bodies are one body, as the
        duplicate linker found ("AMU Syd" and "AMU South Denmark"); ``record`` reads one."""
        pairs = []
        for a, b in same_body:
            ra, rb = record(a), record(b)
            if ra is not None and rb is not None:
                ka, kb = keys_of(ra), keys_of(rb)
                if len(ka) == 1 and len(kb) == 1:
                    pairs.append((ka[0], kb[0]))
        entries = []
        for (key, country), group in _merge(groups.groups, pairs).items():
            # Most common spelling wins; ties go to the alphabetically first for determinism.
            ranked = sorted(
                ((s, n) for s, n in group.spellings.items() if n > 0),
                key=lambda item: (-item[1], item[0]),
            )
            name = ranked[0][0]
            sources = sorted((s, n) for s, n in group.sources.items() if n > 0)
            provider = Provider(
                name=name,
                country=country or None,
                microcredential_count=group.records,
                sources=[s for s, _ in sources],
                id=f"{country or '-'}:{key.replace(' ', '-')}",
                aliases=[spelling for spelling, _ in ranked[1:]],
                source_counts=[SourceCount(s, n) for s, n in sources],
            )
            every_word = frozenset(w for spelling, _ in ranked for w in words(spelling))
            entries.append(
                _Entry((-group.records, search_fold(name), country), every_word, provider)
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
