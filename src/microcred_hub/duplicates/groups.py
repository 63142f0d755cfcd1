"""From links to duplicate groups: strongest links first, under the grouping rules.

A group never holds two records of one source unless they share an identifier (two listings
in one register are deliberate), nor a pair a register owner said never to link. Taking the
links strongest first means that when a weak link would break a rule, the weak one goes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from microcred_hub.duplicates.evidence import Link


@dataclass(frozen=True, slots=True)
class Group:
    """One duplicate group: its members (id order), its id and its representative."""

    id: str
    members: tuple[str, ...]
    representative: str


def cluster(
    nodes: Iterable[str],
    links: Mapping[str, Mapping[str, Link]],
    source_of: Callable[[str], str],
    may_share_source: Callable[[str, str], bool],
    never: Callable[[str, str], bool],
    usable: Callable[[str, str, Link], bool] = lambda _a, _b, _link: True,
) -> list[list[str]]:
    """``never(x, y)``: x and y may not share a group (an override or contradicting facts);
    ``usable(a, b, link)``: whether a link still stands (what it rests on may have changed)."""
    nodes = sorted(set(nodes))
    unsure = ambiguous(nodes, links, source_of)
    edges = sorted(
        (
            (link.confidence, a, b)
            for a in nodes
            for b, link in links.get(a, {}).items()
            if a < b and (a, b) not in unsure and usable(a, b, link)
        ),
        key=lambda edge: (-edge[0], edge[1], edge[2]),
    )
    parent = {node: node for node in nodes}
    members: dict[str, list[str]] = {node: [node] for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for _, a, b in edges:
        ra, rb = root(a), root(b)
        if ra == rb or b not in parent:
            continue
        left, right = members[ra], members[rb]
        if any(
            never(x, y) or (source_of(x) == source_of(y) and not may_share_source(x, y))
            for x in left
            for y in right
        ):
            continue
        if len(left) < len(right):
            ra, rb, left, right = rb, ra, right, left
        parent[rb] = ra
        left.extend(right)
        del members[rb]
    return [sorted(group) for group in members.values()]


#: two compared links closer than this in log-odds are equally strong: neither can be chosen.
#: 1.0 is the weight of an agreeing level; a workload (1.5) or level that agrees with one
#: listing and not the other tells them apart, a country both share does not
AMBIGUITY_MARGIN = 1.0


def _logit(confidence: float) -> float:
    confidence = min(max(confidence, 1e-6), 1 - 1e-6)
    return math.log(confidence / (1 - confidence))


_DECISIVE = frozenset({"identifier", "url", "override"})


def ambiguous(
    nodes: Iterable[str],
    links: Mapping[str, Mapping[str, Link]],
    source_of: Callable[[str], str],
) -> set[tuple[str, str]]:
    """Compared (not identified) links a record has to several records of one other source,
    equally strong: which of the register's two listings it is cannot be told, so neither.

    A sparse listing (no workload, no level) matching a level-4 and a level-5 version of one
    title is the case: linking it to either would be a guess.
    """
    unsure: set[tuple[str, str]] = set()
    for node in nodes:
        by_source: dict[str, list[tuple[float, str]]] = {}
        for other, link in links.get(node, {}).items():
            if not _DECISIVE & set(link.evidence):
                by_source.setdefault(source_of(other), []).append((link.confidence, other))
        for found in by_source.values():
            if len(found) < 2:
                continue
            found.sort(reverse=True)
            if _logit(found[0][0]) - _logit(found[1][0]) < AMBIGUITY_MARGIN:
                unsure.update((min(node, o), max(node, o)) for _, o in found)
    return unsure


def representative(members: Iterable[str], completeness: Callable[[str], float]) -> str:
    """The most complete record; ties to the smallest id (code-point order)."""
    return min(members, key=lambda member: (-completeness(member), member))


def strongest_paths(
    start: str, members: Iterable[str], links: Mapping[str, Mapping[str, Link]]
) -> dict[str, float]:
    """Per other member, the confidence of its strongest chain of links from ``start``.

    A chain is as strong as its weakest link (the widest path); a direct link is a chain.
    """
    allowed = set(members)
    best: dict[str, float] = {start: 1.0}
    frontier = [start]
    while frontier:
        frontier.sort(key=lambda node: -best[node])
        node = frontier.pop(0)
        for other, link in links.get(node, {}).items():
            if other not in allowed:
                continue
            strength = min(best[node], link.confidence)
            if strength > best.get(other, 0.0):
                best[other] = strength
                frontier.append(other)
    del best[start]
    return best
