"""The linker: keeps the duplicate groups of every record, updated record by record.

Records are filed under blocking keys (each identifier, each awarding body's distinctive
words, acronyms and initials); a record is compared only with the records sharing a key with
it, so linking costs grows with the records, not their square, and a changed record re-links
only against its blocks. Groups are recomputed only where links changed: the groups, and so
the group ids, of unrelated records stay as they were.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from microcred_hub.duplicates.evidence import GLOBAL_SCHEMES, Link, compare, conflict
from microcred_hub.duplicates.features import Features, features
from microcred_hub.duplicates.groups import Group, cluster, representative, strongest_paths
from microcred_hub.normalise.identity import URL
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


def _keys(f: Features, *, probe: bool) -> list[Hashable]:
    """Where a record is filed (``probe=False``) or looks for candidates (``probe=True``).

    Each identifier; each (awarding body word or id, title word) pair for the two longest
    words of each title (long words are the rare ones: two titles alike enough to link share
    one of them), so a body with thousands of offers still makes blocks of a few records;
    and an acronym or a name's initials, where the few bodies written as acronyms meet the
    names they abbreviate. The pairs are hashed to ints (a collision only adds a candidate)
    to keep a million records' keys small.
    """
    keys: list[Hashable] = ["i " + key for key in f.identifiers]
    names: list[str] = []
    for body in f.bodies:
        names.extend(body.blocks)
        if body.id:
            names.append("d " + body.id)
        if body.acronym is not None:
            keys.append(("n " if probe else "a ") + body.acronym)
        else:
            keys.extend(("a " if probe else "n ") + initials for initials in body.initials)
    keys.extend(hash((name, word)) for name in names for word in f.probe_words)
    return list(dict.fromkeys(keys))  # once each: filing twice would file nothing twice


class Linker:
    """Duplicate groups over a changing set of records."""

    def __init__(
        self, *, threshold: float = DEFAULT_THRESHOLD, overrides: Overrides | None = None
    ) -> None:
        self.threshold = threshold
        self.overrides = overrides or Overrides()
        self.version = 0
        self._features: dict[str, Features] = {}
        #: blocking key -> the id filed under it, or a set of ids when several (most keys
        #: hold one record: a str instead of a one-element set saves ~200 bytes a key)
        self._blocks: dict[Hashable, str | set[str]] = {}
        self._links: dict[str, dict[str, Link]] = {}
        self._groups: dict[str, Group] = {}  # only records in a group of two or more

    def __len__(self) -> int:
        return len(self._features)

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
        records = list(records)
        keep = {record.id for record in records}
        gone = [i for i, f in self._features.items() if f.source == source and i not in keep]
        return self.apply(records, gone)

    def apply(self, upserts: Iterable[Microcredential], deletes: Iterable[str]) -> set[str]:
        """Follow the store's changes; returns the ids whose group or representative changed."""
        affected: set[str] = set()
        for record_id in deletes:
            if record_id in self._features:
                self._forget(record_id, affected)
        fresh: list[Features] = []
        for record in upserts:
            new = features(record)
            old = self._features.get(record.id)
            if old == new:
                continue
            if old is not None:
                self._forget(record.id, affected)
            fresh.append(new)
        for new in fresh:
            self._features[new.id] = new
            blocks = self._blocks
            for key in _keys(new, probe=False):
                members = blocks.get(key)
                if members is None:
                    blocks[key] = new.id
                    continue
                if isinstance(key, str) and key.startswith("i " + URL):
                    # the page may now be an overview page: its holders' groups are rechecked
                    affected.update({members} if isinstance(members, str) else members)
                if isinstance(members, str):
                    blocks[key] = {members, new.id}
                else:
                    members.add(new.id)
            self._link(new, affected)
            affected.add(new.id)
        if not affected:
            return set()
        self.version += 1
        return self._regroup(affected)

    def _forget(self, record_id: str, affected: set[str]) -> None:
        old = self._features.pop(record_id)
        blocks = self._blocks
        for key in _keys(old, probe=False):
            members = blocks.get(key)
            if members is None:
                continue
            if isinstance(members, str):
                if members == record_id:
                    del blocks[key]
                continue
            members.discard(record_id)
            if len(members) == 1:
                blocks[key] = next(iter(members))
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
        found: set[str] = set()
        blocks = self._blocks
        for key in _keys(new, probe=True):
            members = blocks.get(key)
            if members is None:
                continue
            if isinstance(members, str):
                found.add(members)
            else:
                found |= members
        found.update(o for o in self.overrides.partners(new.id) if o in self._features)
        found.discard(new.id)
        return found

    def _link(self, new: Features, affected: set[str]) -> None:
        for other_id in self._candidates(new):
            other = self._features[other_id]
            link = self._compare(new, other)
            if link is None:
                continue
            self._links.setdefault(new.id, {})[other_id] = link
            self._links.setdefault(other_id, {})[new.id] = link
            affected.add(other_id)
            group = self._groups.get(other_id)
            if group is not None:
                affected.update(group.members)

    def _compare(self, a: Features, b: Features) -> Link | None:
        pair = frozenset((a.id, b.id))
        if pair in self.overrides.never:
            return None
        if pair in self.overrides.always:
            return Link(1.0, ("override",))
        if a.source == b.source:
            # two listings in one register are deliberate: only a shared identifier links them
            shared = {key for key in a.identifiers & b.identifiers if not key.startswith(URL)}
            return Link(1.0, ("identifier",)) if shared else None
        link = compare(a, b, self.threshold)
        if link is not None and link.evidence == ("url",) and self._generic_url(a, b):
            return None
        return link

    def _generic_url(self, a: Features, b: Features) -> bool:
        """Whether every landing page the two share is one a register uses for several
        records (an overview page, a provider's home page): that names no one offer."""
        for key in a.identifiers & b.identifiers:
            if not key.startswith(URL + " "):
                continue
            held = self._blocks.get("i " + key, set())
            holders = {held} if isinstance(held, str) else held
            sources = [self._features[h].source for h in holders if h in self._features]
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
        return any(not k.startswith(URL) for k in fx.identifiers & fy.identifiers)

    def _kept_apart(self, x: str, y: str) -> bool:
        pair = frozenset((x, y))
        if pair in self.overrides.never:
            return True
        if pair in self.overrides.always:
            return False
        fx, fy = self._features[x], self._features[y]
        if fx.identifiers & fy.identifiers and fx.source != fy.source:
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
                    lambda i: self._features[i].source,
                    self._may_share_source,
                    self._kept_apart,
                    self._still_identifying,
                ):
                    if len(members) < 2:
                        continue
                    group = Group(
                        id=members[0],
                        members=tuple(members),
                        representative=representative(
                            members, lambda i: self._features[i].completeness
                        ),
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


__all__ = ["GLOBAL_SCHEMES", "Linker", "Overrides", "SameAs"]
