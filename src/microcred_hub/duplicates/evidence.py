"""Evidence that two records describe one micro-credential, combined into a confidence.

Identifiers decide on their own. Otherwise each piece of evidence adds its weight to the
log-odds of a match (a Fellegi-Sunter style model with hand-set weights): the awarding body
must agree, and the title, workload, level and country then move the odds up or down. The
weights and cut-offs below were set on the labelled benchmark (benchmarks/dup_bench.py) and
each says why it has its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from microcred_hub.duplicates.features import Body, Features, shared_identifiers
from microcred_hub.normalise.identity import CTID, URI, URL

#: schemes that name one thing world-wide; another scheme ("course code" C012) is a register's
#: own numbering and identifies only together with the same awarding body
GLOBAL_SCHEMES = frozenset({URL, URI, CTID})

#: log-odds before any evidence, for two records of one awarding body in different registers:
#: a provider lists tens of offers, and a register pair shares a few of them, so about 1 in 20
PRIOR = -3.0
#: a body with this score or more is the same body (alias, id, or every distinctive word)
SAME_BODY = 0.99
#: below this the bodies are different; 0.5 = half the words of the shorter name agree,
#: which "Hogeschool Utrecht" / "HU University of Applied Sciences Utrecht" passes and two
#: bodies sharing only a city name do not (the kind word differs, see ``body_score``)
RELATED_BODY = 0.6

#: workload ratios (smaller / larger). One ECTS is 25-30 hours depending on the country and
#: the hub converts at 27.5, so the same offer can differ by 30/27.5 = 1.09 after conversion:
#: within 0.9 is "the same workload". Below 0.75 (e.g. 5 vs 7.5 ECTS) they are other offers.
SAME_WORKLOAD = 0.9
CLOSE_WORKLOAD = 0.75


_EVIDENCE: dict[tuple[str, ...], tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class Link:
    """Why two records are one: 0-1 confidence and the names of the evidence."""

    confidence: float
    evidence: tuple[str, ...]


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def title_score(a: Features, b: Features) -> tuple[float, bool]:
    """(best word similarity over the two records' titles in any language, stage conflict).

    The stage markers of the best-matching pair must agree ("Data Analysis I" is not "II");
    a conflict in that pair vetoes the link whatever the words say.
    """
    best, conflict = 0.0, False
    for words_a, marks_a in a.titles:
        for words_b, marks_b in b.titles:
            score = _dice(words_a, words_b)
            if score > best or (score == best and conflict and marks_a == marks_b):
                best, conflict = score, marks_a != marks_b
    return best, conflict


def body_score(a: Body, b: Body) -> float:
    """1 for the same body (same id, key or acronym), word overlap otherwise, 0 for others."""
    if (a.id is not None and a.id == b.id) or (a.key and a.key == b.key):
        return 1.0
    if a.acronym is not None and (a.acronym in b.initials or a.acronym == b.acronym):
        return 1.0
    if b.acronym is not None and b.acronym in a.initials:
        return 1.0
    kinds_a, kinds_b = a.kinds, b.kinds
    if kinds_a and kinds_b and kinds_a != kinds_b:
        # a university, a university of applied sciences and a university of technology in
        # one city are three bodies
        return 0.0
    names_a, names_b = a.names, b.names
    if not names_a or not names_b:
        return 0.0
    shared = len(names_a & names_b)
    # overlap of the shorter name: "HU UAS Utrecht" contains "UAS Utrecht"
    return shared / min(len(names_a), len(names_b)) * (0.98 if shared else 0.0)


def bodies_score(a: Features, b: Features) -> float:
    return max((body_score(x, y) for x in a.bodies for y in b.bodies), default=0.0)


def _workload(a: Features, b: Features) -> float | None:
    """Smaller / larger hours (1 = equal); None when either has no workload."""
    if a.hours is None or b.hours is None:
        return None
    return min(a.hours, b.hours) / max(a.hours, b.hours)


def _level(a: Features, b: Features) -> bool | None:
    """Whether the levels agree; None when they cannot be compared."""
    if a.eqf is not None and b.eqf is not None:
        return a.eqf == b.eqf
    if a.level is not None and b.level is not None and a.level[0] == b.level[0]:
        return a.level[1] == b.level[1]
    return None


def shared_identifier(a: Features, b: Features, *, same_body: bool) -> str | None:
    """The evidence name when the records share an identifier that may link them."""
    shared = shared_identifiers(a, b)
    if not shared:
        return None
    schemes = {key.split(" ", 1)[0] for key in shared}
    if schemes & {URI, CTID}:
        return "identifier"
    if URL in schemes:
        return "url"
    return "identifier" if same_body else None


def _title_weight(title: float) -> float:
    """Identical words (after case, punctuation, order, stems and translations) decide with
    the body. 0.8 = one word in five differs: a typo, but as often a sibling offer ("Academic
    Writing" and "Academic Writing for Professionals"), so it needs workload or level too.
    0.65 = half-different titles need both."""
    if title >= 0.999:
        return 6.0
    if title >= 0.8:
        return 3.0
    return 1.0 if title >= 0.65 else -2.0


def conflict(a: Features, b: Features) -> bool:
    """Whether two records cannot be one offer, whatever links them through others.

    Checked between every two members of a group as it forms, so that a record with little
    to compare (no workload, no level) cannot join two records that contradict each other.
    """
    if a.countries and b.countries and not a.countries & b.countries:
        return True
    ratio = _workload(a, b)
    if ratio is not None and ratio < CLOSE_WORKLOAD:
        return True
    if _level(a, b) is False:
        return True
    _title, stage_conflict = title_score(a, b)
    return stage_conflict


def compare(a: Features, b: Features, threshold: float) -> Link | None:
    """The link between two records of different sources, or None below ``threshold``."""
    body = bodies_score(a, b)
    kind = shared_identifier(a, b, same_body=body >= SAME_BODY)
    if kind is not None:
        return Link(1.0, (kind,))
    if body < RELATED_BODY:
        return None  # a title alone, without the awarding body, is no evidence of identity
    if a.countries and b.countries and not a.countries & b.countries:
        return None  # the same title from providers in different countries
    title, stage_conflict = title_score(a, b)
    # below 0.5 most words differ: no weight of the rest could make one offer of them
    if stage_conflict or title < 0.5:
        return None
    evidence = ["awardingBody", "title"]
    odds = PRIOR + _title_weight(title)
    # the same body (alias, id, every word) is worth three times a merely related name
    # ("Nijmegen College" / "Nijmegen Community College" may be two colleges)
    odds += 1.5 if body >= SAME_BODY else 0.5
    ratio = _workload(a, b)
    if ratio is not None:
        if ratio >= SAME_WORKLOAD:
            # as much as the same body: a body's sibling offers seldom share the workload
            odds += 1.5
            evidence.append("workload")
        elif ratio >= CLOSE_WORKLOAD:
            odds -= 0.5  # rounding or a different conversion, or a longer variant: doubtful
        else:
            return None  # a level-4 and a level-5 version with different workloads
    level = _level(a, b)
    if level is False:
        return None
    if level:
        # less than workload: many offers of one body share a level, fewer a workload
        odds += 1.0
        evidence.append("level")
    if a.countries and a.countries & b.countries:
        # little: the body already implies the country; it mostly guards against its absence
        odds += 0.5
        evidence.append("country")
    confidence = 1.0 / (1.0 + math.exp(-odds))
    if confidence < threshold:
        return None
    names = tuple(evidence)
    # a few combinations of evidence names repeat over every link: one tuple each
    return Link(round(confidence, 4), _EVIDENCE.setdefault(names, names))
