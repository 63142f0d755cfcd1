"""What the linker compares of a record, computed once per record version."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TypeVar

import snowballstemmer

from microcred_hub.normalise._fold import spaced_key
from microcred_hub.normalise.identity import (
    KNOWN_ALIASES,
    URL,
    canonical_url,
    distinctive_tokens,
    identifier,
    is_kind,
    organisation_tokens,
)
from microcred_hub.record import Microcredential

T = TypeVar("T")

#: hours per ECTS credit when a record has ECTS but no hours (RECORD.md's default)
HOURS_PER_ECTS = 27.5

_STEMMERS = {
    "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
    "de": "german", "it": "italian", "no": "norwegian", "nb": "norwegian", "pt": "portuguese",
    "es": "spanish", "sv": "swedish",
}  # fmt: skip

#: words that say what kind of offer it is or join words, never what it teaches
_TITLE_STOP = frozenset(
    {
        # English
        "a", "an", "the", "of", "in", "and", "for", "to", "on", "with", "at", "by", "from",
        "micro", "credential", "credentials", "microcredential", "microcredentials", "mc",
        "certificate", "cert", "course", "badge", "programme", "program", "module", "award",
        # Dutch, German, French, Spanish, Italian, Danish
        "de", "het", "een", "van", "voor", "en", "met", "op", "der", "die", "das", "und",
        "fur", "zu", "mit", "im", "le", "la", "les", "des", "du", "et", "pour", "el",
        "los", "las", "y", "para", "il", "lo", "di", "e", "per", "og", "i", "til", "af",
        "microcredentie", "cursus", "zertifikat", "kurs", "certificat", "cours", "curso",
        "certificado", "corso", "certificato", "kursus", "certifikat",
    }
)  # fmt: skip

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10}  # fmt: skip
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "een": 1, "twee": 2,
                 "drie": 3, "vier": 4, "eins": 1, "zwei": 2, "drei": 3, "un": 1, "deux": 2,
                 "trois": 3}  # fmt: skip
#: words that tell a course from its sequel or its introduction, in the registers' languages
_STAGE_WORDS = {
    "introduction": "intro", "introductory": "intro", "intro": "intro", "inleiding": "intro",
    "einfuhrung": "intro", "introduccion": "intro", "introduzione": "intro",
    "basic": "basic", "basics": "basic", "beginner": "basic", "beginners": "basic",
    "basis": "basic", "grundlagen": "basic", "fundamentals": "basic", "foundation": "basic",
    "foundations": "basic",
    "intermediate": "mid", "gevorderden": "adv", "advanced": "adv", "gevorderd": "adv",
    "fortgeschritten": "adv", "fortgeschrittene": "adv", "avance": "adv", "avanzado": "adv",
    "avanzato": "adv", "expert": "adv",
}  # fmt: skip
_YEAR = re.compile(r"^(19|20)\d\d$")


@lru_cache(maxsize=262144)
def _stem(lang: str, word: str) -> str:
    algorithm = _STEMMERS.get(lang)
    if algorithm is None or len(word) < 4:
        return word
    return str(_stemmer(algorithm).stemWord(word))


@cache
def _stemmer(algorithm: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(algorithm)


#: titles seen again (one offer in several registers, a record re-harvested) skip the work;
#: small, as the linker keeps features packed: a larger cache would hold ~250 bytes a title
@lru_cache(maxsize=16384)
def title_parts(text: str, lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(subject words, stage markers) of a title: word order, case and accents ignored.

    Stage markers (numbers, roman numerals, "introduction", "advanced") are kept apart: they
    are what tells "Data Analysis I" from "Data Analysis II", which share every other word.
    """
    words: set[str] = set()
    markers: set[str] = set()
    for word in spaced_key(text).split():
        if word in _ROMAN:
            markers.add(str(_ROMAN[word]))
        elif word.isdigit() and not _YEAR.match(word):
            markers.add(str(int(word)))
        elif word in _NUMBER_WORDS:
            markers.add(str(_NUMBER_WORDS[word]))
        elif word in _STAGE_WORDS:
            markers.add(_STAGE_WORDS[word])
        elif word not in _TITLE_STOP and not word.isdigit():
            words.add(_stem(lang, word))
    return frozenset(words), frozenset(markers)


@dataclass(frozen=True, slots=True)
class Body:
    """An awarding body as compared: its words, a key per spelling family, its id."""

    tokens: frozenset[str]
    key: str
    id: str | None
    acronym: str | None  # the name itself when written like one ("TUD", "UvA")
    initials: frozenset[str]  # what the name abbreviates to, with and without small words
    kinds: frozenset[str]  # the kinds of institution its name says
    names: frozenset[str]  # its other words
    blocks: tuple[str, ...] = ()  # where it is filed for comparison (see body_blocks)


@dataclass(frozen=True, slots=True)
class Features:
    id: str
    source: str
    titles: tuple[tuple[frozenset[str], frozenset[str]], ...]  # per language: words, markers
    bodies: tuple[Body, ...]
    countries: frozenset[str]  # one shared set per combination (see ``_interned``)
    hours: float | None
    eqf: int | None
    level: tuple[str, str] | None  # (framework, level) when there is no EQF level
    #: "scheme value" keys, sorted: a tuple, as most records have one or two (a one-element
    #: frozenset costs 216 bytes, a tuple 48; see ``shared_identifiers``)
    identifiers: tuple[str, ...]
    completeness: float


def shared_identifiers(a: Features, b: Features) -> set[str]:
    """The identifier keys two records share."""
    if not a.identifiers or not b.identifiers:
        return set()
    return set(a.identifiers).intersection(b.identifiers)


#: countries and national levels repeat across a million records: one object each
_INTERNED: dict[object, object] = {}


def _interned(value: T) -> T:
    return _INTERNED.setdefault(value, value)  # type: ignore[return-value]


def _acronym(name: str) -> str | None:
    """The name itself, folded, when it is written like an acronym ("TUD", "UvA")."""
    text = name.strip()
    if " " in text or not 2 <= len(text) <= 6 or spaced_key(text) in KNOWN_ALIASES:
        return None
    capitals = sum(c.isupper() for c in text)
    return spaced_key(text).replace(" ", "") if capitals >= 2 else None


def _initials(name: str) -> frozenset[str]:
    """What a name abbreviates to: first letters of all its words, or of its long words."""
    words = spaced_key(name).split()
    return frozenset(
        {"".join(w[0] for w in words), "".join(w[0] for w in words if len(w) > 3)} - {""}
    )


@lru_cache(maxsize=65536)
def body_of(name: str, org_id: str | None) -> Body:
    tokens = organisation_tokens(name)
    found = identifier("uri", org_id) if org_id else None
    body = Body(
        tokens=tokens,
        key=" ".join(sorted(tokens)),
        id=found.value if found else (org_id.strip().lower() if org_id else None),
        acronym=_acronym(name),
        initials=_initials(name),
        kinds=kinds_of(tokens),
        names=tokens - kinds_of(tokens),
    )
    return replace(body, blocks=tuple(body_blocks(body)))


def body_blocks(body: Body) -> list[str]:
    """The keys a body is filed under for fuzzy comparison (its names, not its kind)."""
    if body.acronym is not None:
        return ["a " + body.acronym]
    return ["o " + word for word in distinctive_tokens(body.tokens)] or (
        ["o " + body.key] if body.key else []
    )


def _unique(bodies: Iterable[Body]) -> tuple[Body, ...]:
    found: list[Body] = []
    for body in bodies:  # by identity: body_of caches one Body per spelling
        if all(body is not other for other in found):
            found.append(body)
    return tuple(found)


def features(record: Microcredential) -> Features:
    lang = record.languages[0] if record.languages else ""
    texts = [(t.value, (t.lang or lang or "").split("-")[0].lower()) for t in record.titles]
    if not texts:
        texts = [(record.title, lang)]
    titles = tuple(dict.fromkeys(title_parts(text, code) for text, code in texts))
    countries = {c.upper() for c in record.issuer_country}
    countries |= {b.country.upper() for b in record.awarding_bodies if b.country}
    workload, level = record.workload, record.level
    hours = None
    if workload is not None:
        hours = workload.hours
        if hours is None and workload.ects is not None:
            hours = workload.ects * HOURS_PER_ECTS
    eqf = level.eqf if level is not None else None
    national = None
    if level is not None and eqf is None and level.framework and level.framework_level:
        national = (level.framework.upper(), level.framework_level.strip().lower())
    keys = {f"{i.scheme} {i.value}" for i in record.identifiers}
    if record.url and not any(i.scheme == URL for i in record.identifiers):
        url = canonical_url(record.url)  # a record stored before connectors kept identifiers
        if url:
            keys.add(f"{URL} {url}")
    return Features(
        # the store and the index key records by the interned id: one string for all three
        id=sys.intern(record.id),
        source=sys.intern(record.source),
        titles=titles,
        bodies=_unique(body_of(b.name, b.id) for b in record.awarding_bodies),
        countries=_interned(frozenset(countries)),
        hours=hours if hours else None,
        eqf=eqf,
        level=_interned(national),
        identifiers=tuple(sorted(keys)),
        completeness=record.completeness.score,
    )


def kinds_of(tokens: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if is_kind(t))
