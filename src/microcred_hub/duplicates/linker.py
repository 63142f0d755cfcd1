"""The linker: keeps the duplicate groups of every record, updated record by record.

Records are filed under blocking keys (each identifier; each awarding body's distinctive
words, id, acronym or initials with the title's words); a record is compared only with the
records sharing a key with it, and a key shared by more than ``BLOCK_CAP`` records gives no
candidates, so the cost of linking grows with the records, not their square, and a changed record
re-links only against its blocks. Groups are recomputed only where links changed: the
groups, and so the group ids, of unrelated records stay as they were."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field

from microcred_hub.duplicates.blocks import (
    HASH_BITS,
    REGISTER_ID,
    URL_PAGE,
    WORLD_WIDE,
    Blocks,
    key_of,
    kind,
)
from microcred_hub.duplicates.evidence import GLOBAL_SCHEMES, Link, compare, conflict
from microcred_hub.duplicates.features import Features, features, shared_identifiers
from microcred_hub.duplicates.groups import Group, cluster, representative, strongest_paths
from microcred_hub.duplicates.table import FeatureTable
from microcred_hub.normalise.identity import CTID, URI, URL
from microcred_hub.record import Microcredential

#: the default confidence threshold: on the labelled benchmark it keeps precision at 1.0;
#: lowering it to 0.8 gains recall only from pairs whose titles share four words in five
DEFAULT_THRESHOLD = 0.9
#: a link this sure also says the two awarding bodies are one (0.98 needs identical titles
#: or an identifier: a merely related body name never reaches it without workload or level)
SAME_BODY_LINK = 0.98


@dataclass(frozen=True, slots=True)
class SameAs:
    """Another record of a group, as ``Microcredential.sameAs`` lists it."""

    id: str
    confidence: float
    evidence: tuple[str, ...]


@dataclass(slots=True)
class Overrides:
    """Pairs a register owner says to always or never link, whatever the evidence."""

    always: set[frozenset[str]] = field(default_factory=set)
    never: set[frozenset[str]] = field(default_factory=set)

    def partners(self, record_id: str) -> Iterator[str]:
        for pair in self.always:
            if record_id in pair:
                yield from (other for other in pair if other != record_id)


#: a blocking key shared by more records than this gives no candidates. Such a key is like
#: an overview landing page: "Auckland" with "project management" is every Auckland body's
#: every such offer, and names no one offer. Comparing a record with all of them is what
#: made linking grow with the square of the records (a block grows with the records it draws
#: from). 16: on the labelled benchmark it costs 4 of 7,708 true pairs (recall 0.9533 to
#: 0.9528: they meet through another key), and on generated records a record's candidates
#: stay ~25-30 from 20k to 100k records, where a cap of 64 lets them grow from 33 to 82.
#: A record has ~15 keys, so it is compared with at most a few hundred others.
BLOCK_CAP = 16


def _ranked(words: frozenset[str]) -> list[str]:
    return sorted(words, key=lambda w: (-len(w), w))


def _title_keys(f: Features) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """(single words, word pairs, longest words) a record's titles are filed by.

    Word pairs among each title's three longest words (long words are the rare ones): two
    titles alike enough to link (their words agree two in three, see ``_title_weight``)
    share two of them, whatever word one adds or drops. A pair block stays small where a
    single word's block does not ("Auckland" with "management" is every Auckland body's
    every management offer; with "management" and "project" a few). Titles of one or two
    words are filed by each word too: "Leadership" and "Leadership essentials" share no pair;
    a title of one word also by the word alone (its pair with nothing), so that two identical
    one-word titles still meet when the word's block is oversized. The two longest words are
    what acronyms are filed with (``_keys``).
    """
    singles: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    longest: set[str] = set()
    for words, _markers in f.titles:
        ranked = _ranked(words)
        longest.update(ranked[:2])
        if len(ranked) <= 2:
            singles.update(ranked)
        top = sorted(ranked[:3])
        if len(top) == 1:
            pairs.add((top[0], ""))
        pairs.update((a, b) for i, a in enumerate(top) for b in top[i + 1 :])
    return singles, pairs, longest


#: a hash with its kind bits cleared: a FUZZY key (``key_of``; FUZZY is 0)
_FUZZY = HASH_BITS


def _identifier_key(identifier: str) -> int:
    """The block key of an identifier ("scheme value"), its kind in its low bits."""
    if identifier.startswith(URL + " "):
        return key_of(identifier, URL_PAGE)
    if identifier.startswith((URI + " ", CTID + " ")):
        return key_of(identifier, WORLD_WIDE)
    return key_of(identifier, REGISTER_ID)


def _keys(f: Features, *, probe: bool) -> list[int]:
    """Where a record is filed (``probe=False``) or looks for candidates (``probe=True``).

    Each identifier; each awarding body's distinctive words and id with the title's words
    (``_title_keys``), so a body with thousands of offers still makes blocks of a few records;
    and an acronym or a name's initials with the title's longest words, where the few bodies
    written as acronyms meet the names they abbreviate. Every key is hashed to an int (a
    collision only adds a candidate) with its kind in its low bits, so an identifier's key
    never meets a fuzzy one.
    """
    keys = [_identifier_key(identifier) for identifier in f.identifiers]
    names: list[str] = []
    initials: list[str] = []
    for body in f.bodies:
        names.extend(body.blocks)
        if body.id:
            names.append("d " + body.id)
        if body.acronym is not None:
            initials.append(("N " if probe else "A ") + body.acronym)
        else:
            initials.extend(("A " if probe else "N ") + letters for letters in body.initials)
    if names or initials:
        singles, pairs, longest = _title_keys(f)
        for name in names:
            # key_of(..., FUZZY) written out: this is the linker's most frequent line
            keys.extend(hash((name, word)) & _FUZZY for word in singles)
            keys.extend(hash((name, a, b)) & _FUZZY for a, b in pairs)
        keys.extend(hash((letters, word)) & _FUZZY for letters in initials for word in longest)
    return list(dict.fromkeys(keys))  # once each: filing twice would file nothing twice


def _capped(key: int) -> bool:
    """Whether the key stops giving candidates when oversized: all but the world-wide
    identifiers. Many listings sharing a URI or CTID are one offer and must all link; a
    landing page held by more listings than there are registers is an overview page,
    which links nothing (``Linker._generic_url``)."""
    return kind(key) != WORLD_WIDE


#: a change of this many records leaves the blocks merged (``Blocks.settle``); smaller ones
#: leave theirs to be merged with later changes, as merging costs in proportion to all blocks
SETTLE_AT = 4096


def _register_link(a: tuple[str, ...], b: tuple[str, ...]) -> Link | None:
    """The link between two listings of one register (given their identifiers): they are
    deliberate, so only a shared identifier other than a landing page links them."""
    if not a or not b:
        return None
    shared = set(a).intersection(b)
    return Link(1.0, ("identifier",)) if any(not k.startswith(URL) for k in shared) else None


class Linker:
    """Duplicate groups over a changing set of records."""

    def __init__(
        self, *, threshold: float = DEFAULT_THRESHOLD, overrides: Overrides | None = None
    ) -> None:
        self.threshold = threshold
        self.overrides = overrides or Overrides()
        self.version = 0
        self._features = FeatureTable()
        self._blocks = Blocks()
        self._links: dict[str, dict[str, Link]] = {}
        self._groups: dict[str, Group] = {}  # only records in a group of two or more

    def __len__(self) -> int:
        return len(self._features)

    def ids_of(self, source: str) -> list[str]:
        """The ids of every record of ``source`` the linker holds."""
        return self._features.ids_of(source)

    # -- reading ---------------------------------------------------------------------------

    def group(self, record_id: str) -> Group | None:
        """The record's group, or None when it stands alone (or is unknown)."""
        return self._groups.get(record_id)

    def group_id(self, record_id: str) -> str:
        group = self._groups.get(record_id)
        return record_id if group is None else group.id

    def is_representative(self, record_id: str) -> bool:
        group = self._groups.get(record_id)
        return group is None or group.representative == record_id

    def hidden(self) -> Iterator[str]:
        """Every record that is not its group's representative (what ``distinct`` leaves out)."""
        for record_id, group in self._groups.items():
            if group.representative != record_id:
                yield record_id

    def same_bodies(self) -> Iterator[tuple[str, str]]:
        """Pairs of grouped records linked by an identifier or with the same awarding body:
        what the providers listing takes as one body under two names."""
        for a, links in self._links.items():
            group = self._groups.get(a)
            if group is None:
                continue
            for b, link in links.items():
                if a < b and b in group.members and link.confidence >= SAME_BODY_LINK:
                    yield a, b

    def groups(self) -> Iterator[Group]:
        seen: set[str] = set()
        for group in self._groups.values():
            if group.id not in seen:
                seen.add(group.id)
                yield group

    def same_as(self, record_id: str) -> list[SameAs]:
        """The other members of the record's group, strongest first, then by id."""
        group = self._groups.get(record_id)
        if group is None:
            return []
        links = self._links.get(record_id, {})
        strengths = strongest_paths(record_id, group.members, self._links)
        found = []
        for other in group.members:
            if other == record_id:
                continue
            direct = links.get(other)
            if direct is not None:
                found.append(SameAs(other, direct.confidence, direct.evidence))
            else:
                found.append(SameAs(other, strengths.get(other, 0.0), ("transitive",)))
        found.sort(key=lambda item: (-item.confidence, item.id))
        return found

    # -- updating --------------------------------------------------------------------------

    def replace_all(self, records: Iterable[Microcredential]) -> set[str]:
        """Start over with exactly these records; the ids whose group changed."""
        before = set(self._groups)
        self._features.clear()
        self._blocks.clear()
        self._links.clear()
        self._groups.clear()
        changed = self.apply(records, ())
        return changed | before

    def replace_source(self, source: str, records: Iterable[Microcredential]) -> set[str]:
        """Make ``records`` the complete record set of ``source`` (a store's full resync)."""
        latest = self._latest(records)
        gone = [i for i in self._features.ids_of(source) if i not in latest]
        return self._apply(latest, gone)

    def apply(self, upserts: Iterable[Microcredential], deletes: Iterable[str]) -> set[str]:
        """Follow the store's changes; returns the ids whose group or representative changed.

        Every change is filed first and compared after, so what links depends on the records,
        not on their order: a block grown past ``BLOCK_CAP`` by this change stops giving
        candidates to every record, not only to later ones.
        """
        return self._apply(self._latest(upserts), deletes)

    def _latest(self, records: Iterable[Microcredential]) -> dict[str, bytes]:
        """The packed features of each record (one listed twice: the later counts), by id.

        Each record is decoded, reduced to its features, packed and dropped before the next:
        a change of a whole harvest never holds its records, nor their features, as objects
        all at once (memory freed after would stay in the process, scattered between what
        lives on)."""
        table = self._features
        return {new.id: table.pack(new) for new in map(features, records)}

    def _apply(self, latest: dict[str, bytes], deletes: Iterable[str]) -> set[str]:
        table = self._features
        affected: set[str] = set()
        # a linker that held nothing (a start) has no block to recheck: all records are fresh
        tracked = bool(self._features)
        unfile: dict[int, set[str]] = {}
        for record_id in deletes:
            old = self._features.pop(record_id)
            if old is not None:
                self._forget(old, affected)
                for key in _keys(old, probe=False):
                    unfile.setdefault(key, set()).add(record_id)
        fresh: dict[str, bytes] = {}
        changed_keys: dict[str, list[int]] = {}  # a changed record's new keys only
        for record_id, packed in latest.items():
            before = table.packed(record_id)
            if before == packed:  # equal features pack to equal bytes
                continue
            if before is not None:
                old, new = table.unpack(record_id, before), table.unpack(record_id, packed)
                del table[record_id]
                self._forget(old, affected)
                # a changed record mostly keeps its keys: leave those blocks as they are
                new_keys = _keys(new, probe=False)
                kept = set(new_keys)
                for key in _keys(old, probe=False):
                    if key in kept:
                        kept.discard(key)
                    else:
                        unfile.setdefault(key, set()).add(record_id)
                changed_keys[record_id] = [key for key in new_keys if key in kept]
            fresh[record_id] = packed
        del latest
        sizes: dict[int, int] = {}
        self._unfile(unfile, sizes)
        for record_id, packed in fresh.items():
            keys = changed_keys.get(record_id)
            if keys is None:
                keys = _keys(table.unpack(record_id, packed), probe=False)
            self._file(record_id, keys, sizes, tracked, affected)
        for record_id, packed in fresh.items():
            table.put(record_id, packed)
        self._recheck(sizes, fresh, affected)
        done: set[str] = set()
        for record_id in fresh:
            self._link(table[record_id], affected, done)
            done.add(record_id)
            affected.add(record_id)
        if len(fresh) >= SETTLE_AT:
            self._blocks.settle()
        if not affected:
            return set()
        self.version += 1
        return self._regroup(affected)

    def _unfile(self, unfile: dict[int, set[str]], sizes: dict[int, int]) -> None:
        """Take records out of blocks, noting each block's size before."""
        blocks = self._blocks
        for key, gone in unfile.items():
            members = blocks.members(key)
            if not members:
                continue
            sizes[key] = len(members)
            blocks.put(key, [m for m in members if m not in gone])

    def _file(
        self,
        record_id: str,
        keys: list[int],
        sizes: dict[int, int],
        tracked: bool,
        affected: set[str],
    ) -> None:
        """File a record, noting the size before of the blocks it joins (when ``tracked``:
        a block new in this change had nothing to compare)."""
        # a start (nothing tracked) needs the holders of landing pages only
        wanted = keys if tracked else [key for key in keys if kind(key) == URL_PAGE]
        for key, members in zip(wanted, self._blocks.members_of(wanted), strict=True):
            if members:
                if tracked and key not in sizes:
                    sizes[key] = len(members)
                if kind(key) == URL_PAGE and len(members) <= BLOCK_CAP:
                    # the page may now be an overview page: its holders' groups are rechecked
                    # (past the cap it already was one)
                    affected.update(members)
        self._blocks.file(record_id, keys)

    def _recheck(self, sizes: dict[int, int], fresh: Container[str], affected: set[str]) -> None:
        """Blocks that crossed the cap: links that rested only on a block grown past it go;
        the records of a block shrunk under it are compared (the fresh ones compare later)."""
        for key, before in sizes.items():
            if not _capped(key):
                continue
            members = self._blocks.members(key)
            after = len(members)
            if (before > BLOCK_CAP) == (after > BLOCK_CAP) or not members:
                continue
            old = [m for m in members if m not in fresh]
            if after > BLOCK_CAP:
                inside = set(old)
                for a in old:
                    for b in [b for b in self._links.get(a, {}) if a < b and b in inside]:
                        if not self._meet(a, b):
                            self._unlink(a, b, affected)
                continue
            for i, a in enumerate(old):
                fa = self._features[a]
                for b in old[i + 1 :]:
                    if b not in self._links.get(a, {}):
                        self._add_link(fa, self._features[b], affected)

    def _meet(self, a: str, b: str) -> bool:
        """Whether two records are candidates: a key they share still gives candidates."""
        if frozenset((a, b)) in self.overrides.always:
            return True
        filed = set(_keys(self._features[b], probe=False))
        blocks = self._blocks
        return any(
            key in filed and not (_capped(key) and blocks.size(key) > BLOCK_CAP)
            for key in _keys(self._features[a], probe=True)
        )

    def _unlink(self, a: str, b: str, affected: set[str]) -> None:
        for x, y in ((a, b), (b, a)):
            links = self._links.get(x)
            if links is not None:
                links.pop(y, None)
                if not links:
                    del self._links[x]
            affected.add(x)
            group = self._groups.get(x)
            if group is not None:
                affected.update(group.members)

    def _forget(self, old: Features, affected: set[str]) -> None:
        """Drop a record's links (its blocks are the caller's)."""
        record_id = old.id
        for other in self._links.pop(record_id, {}):
            affected.add(other)
            links = self._links.get(other)
            if links is not None:
                links.pop(record_id, None)
                if not links:
                    del self._links[other]
        affected.add(record_id)
        group = self._groups.get(record_id)
        if group is not None:
            affected.update(group.members)

    def _candidates(self, new: Features) -> set[str]:
        found = self._blocks.union(_keys(new, probe=True), BLOCK_CAP)
        found.update(o for o in self.overrides.partners(new.id) if o in self._features)
        found.discard(new.id)
        return found

    def _link(self, new: Features, affected: set[str], done: set[str]) -> None:
        """Compare a fresh record with its candidates (but the fresh ones that compared with
        it already)."""
        table = self._features
        overrides = self.overrides.never or self.overrides.always
        for other_id in self._candidates(new):
            if other_id in done:
                continue
            if not overrides:
                source, identifiers = table.source_and_identifiers(other_id)
                if source == new.source:
                    # one register's: its identifiers decide (``_compare``), not the rest
                    link = _register_link(new.identifiers, identifiers)
                    if link is not None:
                        self._put_link(new.id, other_id, link, affected)
                    continue
            self._add_link(new, table[other_id], affected)

    def _add_link(self, new: Features, other: Features, affected: set[str]) -> None:
        link = self._compare(new, other)
        if link is not None:
            self._put_link(new.id, other.id, link, affected)

    def _put_link(self, a: str, b: str, link: Link, affected: set[str]) -> None:
        self._links.setdefault(a, {})[b] = link
        self._links.setdefault(b, {})[a] = link
        affected.add(a)
        affected.add(b)
        for record_id in (a, b):
            group = self._groups.get(record_id)
            if group is not None:
                affected.update(group.members)

    def _compare(self, a: Features, b: Features) -> Link | None:
        if self.overrides.never or self.overrides.always:
            pair = frozenset((a.id, b.id))
            if pair in self.overrides.never:
                return None
            if pair in self.overrides.always:
                return Link(1.0, ("override",))
        if a.source == b.source:
            return _register_link(a.identifiers, b.identifiers)
        link = compare(a, b, self.threshold)
        if link is not None and link.evidence == ("url",) and self._generic_url(a, b):
            return None
        return link

    def _generic_url(self, a: Features, b: Features) -> bool:
        """Whether every landing page the two share is one a register uses for several
        records (an overview page, a provider's home page): that names no one offer."""
        for key in shared_identifiers(a, b):
            if not key.startswith(URL + " "):
                continue
            holders = self._blocks.members(_identifier_key(key))
            if len(holders) > BLOCK_CAP:
                continue  # more holders than registers: some register holds it twice
            sources = [self._features.source(h) for h in holders if h in self._features]
            if len(sources) == len(set(sources)):
                return False
        return True

    def _still_identifying(self, a: str, b: str, link: Link) -> bool:
        """A link resting on a landing page only: false once the page became an overview
        page (a register gave it to another listing since the link was made)."""
        if link.evidence != ("url",):
            return True
        return not self._generic_url(self._features[a], self._features[b])

    def _may_share_source(self, x: str, y: str) -> bool:
        fx, fy = self._features[x], self._features[y]
        if frozenset((x, y)) in self.overrides.always:
            return True
        return any(not k.startswith(URL) for k in shared_identifiers(fx, fy))

    def _kept_apart(self, x: str, y: str) -> bool:
        pair = frozenset((x, y))
        if pair in self.overrides.never:
            return True
        if pair in self.overrides.always:
            return False
        fx, fy = self._features[x], self._features[y]
        if shared_identifiers(fx, fy) and fx.source != fy.source:
            return False  # what the registers say about identity beats our comparison
        return conflict(fx, fy)

    def _regroup(self, affected: set[str]) -> set[str]:
        """Recompute the groups of the affected records' linked parts; the ids that moved."""
        changed: set[str] = set()
        seen: set[str] = set()
        for gone in affected:
            if gone not in self._features and self._groups.pop(gone, None) is not None:
                changed.add(gone)
        for start in sorted(affected):
            if start in seen:
                continue
            part = self._component(start)
            seen |= part
            old = {member: self._groups.get(member) for member in part}
            for member in part:
                self._groups.pop(member, None)
            if len(part) > 1:
                for members in cluster(
                    part,
                    self._links,
                    self._features.source,
                    self._may_share_source,
                    self._kept_apart,
                    self._still_identifying,
                ):
                    if len(members) < 2:
                        continue
                    group = Group(
                        id=members[0],
                        members=tuple(members),
                        representative=representative(members, self._features.completeness),
                    )
                    for member in members:
                        self._groups[member] = group
            changed.update(m for m in part if old[m] != self._groups.get(m))
        # a deleted record is affected but gone: report it so views drop it
        changed.update(a for a in affected if a not in self._features)
        return changed

    def _component(self, start: str) -> set[str]:
        if start not in self._features:
            return set()
        part = {start}
        frontier = [start]
        while frontier:
            node = frontier.pop()
            for other in self._links.get(node, {}):
                if other not in part:
                    part.add(other)
                    frontier.append(other)
        return part

    # -- snapshots and background rebuilds (the runtime's start from an index image) -----------

    def snapshot(
        self,
    ) -> tuple[
        list[tuple[str, tuple[str, ...], str]], list[tuple[str, str, float, tuple[str, ...]]]
    ]:
        """The groups (id, members, representative) and every link (a < b, confidence,
        evidence): what a linker needs to answer as this one does, without the records."""
        groups = [(group.id, group.members, group.representative) for group in self.groups()]
        links = [
            (a, b, link.confidence, link.evidence)
            for a, found in self._links.items()
            for b, link in found.items()
            if a < b
        ]
        return groups, links

    def restore(
        self,
        groups: Iterable[tuple[str, tuple[str, ...], str]],
        links: Iterable[tuple[str, str, float, tuple[str, ...]]],
    ) -> None:
        """Answer with a snapshot's groups and links. Until ``file`` has been given every
        record the snapshot was taken over, the linker answers but cannot follow changes."""
        self._features, self._blocks, self._links, self._groups = FeatureTable(), Blocks(), {}, {}
        for a, b, confidence, evidence in links:
            link = Link(confidence, tuple(evidence))
            self._links.setdefault(a, {})[b] = link
            self._links.setdefault(b, {})[a] = link
        for group_id, members, chosen in groups:
            group = Group(id=group_id, members=tuple(members), representative=chosen)
            for member in group.members:
                self._groups[member] = group
        self.version += 1

    def file(self, records: Iterable[Microcredential]) -> None:
        """File records under their blocking keys without comparing them: after ``restore``,
        the records whose links the snapshot already holds (so later changes re-link)."""
        for record in records:
            new = features(record)
            self._features[new.id] = new
            self._file(new.id, _keys(new, probe=False), {}, False, set())

    def settle(self) -> None:
        """Merge the blocks changed by many small changes (``file`` or ``apply`` in batches)."""
        self._blocks.settle()

    def adopt(self, other: Linker) -> set[str]:
        """Take ``other``'s records, links and groups (linked apart, off the path of the
        answers this one serves meanwhile); the ids whose group changed."""
        before, after = self._groups, other._groups
        changed = {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}
        self._features, self._blocks = other._features, other._blocks
        self._links, self._groups = other._links, other._groups
        other._features, other._blocks = FeatureTable(), Blocks()
        other._links, other._groups = {}, {}
        self.version += 1
        return changed


__all__ = ["GLOBAL_SCHEMES", "Linker", "Overrides", "SameAs"]
