"""What names a specification across registers: identifiers, canonical URLs, organisation keys.

Pure functions shared by connectors (which record identifiers), the provider directory (which
merges awarding bodies) and the duplicate linker (which compares records).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from microcred_hub.normalise._fold import spaced_key
from microcred_hub.record import Identifier

URL = "url"  # a landing page (canonical form)
URI = "uri"  # a global IRI naming the specification (JSON-LD @id, sameAs, OB id/related)
CTID = "ctid"  # Credential Engine identifier, always in its current "ce-" form

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: query parameters that say how a visitor arrived, never which page it is
_TRACKING = re.compile(
    r"^(utm_.*|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|igshid|twclid|li_fat_id|"
    r"mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|hsctatracking|mkt_tok|oly_anon_id|oly_enc_id|"
    r"vero_id|wickedid|ref|ref_src|referrer|source|campaign)$",
    re.IGNORECASE,
)
#: document-local ids: EDC numbers its nodes per document (urn:epass:learningOpportunity:1),
#: JSON-LD blank nodes are per graph; two documents share them by accident, never by identity
_LOCAL_ID = re.compile(r"^(_:|urn:epass:|urn:uuid:)", re.IGNORECASE)
_CTID = re.compile(r"^(?:urn:ctid:|ce-)([0-9a-f-]{36})$", re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    """One spelling per landing page, or None when ``url`` is not an http(s) URL.

    Scheme and host lower-cased, http and https taken as the same page (registers link both),
    ``www.`` and default ports dropped, trailing slash, fragment and tracking parameters
    removed, the remaining parameters sorted (their order never changes the page).
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    host = host.removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    return urlunsplit(("https", host, path, urlencode(query), ""))


def canonical_ctid(value: str | None) -> str | None:
    """A CTID in its current ``ce-<uuid>`` form (legacy ``urn:ctid:`` too), else None."""
    if not value:
        return None
    match = _CTID.match(value.strip().rsplit("/", 1)[-1])
    return f"ce-{match.group(1).lower()}" if match else None


def identifier(scheme: str, value: object) -> Identifier | None:
    """A cleaned identifier, or None when ``value`` names nothing outside its own document."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if scheme == URL:
        canonical = canonical_url(text)
        return Identifier(scheme=URL, value=canonical) if canonical else None
    if scheme == CTID:
        ctid = canonical_ctid(text)
        return Identifier(scheme=CTID, value=ctid) if ctid else None
    if scheme == URI:
        if canonical_ctid(text):  # a Credential Engine resource URL names the CTID
            return Identifier(scheme=CTID, value=canonical_ctid(text) or "")
        if _LOCAL_ID.match(text):
            return None
        canonical = canonical_url(text)
        if canonical is not None:
            return Identifier(scheme=URI, value=canonical)
        return (
            Identifier(scheme=URI, value=text) if re.match(r"^[a-z][a-z0-9+.-]*:", text) else None
        )
    folded = spaced_key(scheme)
    return Identifier(scheme=folded, value=text) if folded else None


def identifiers(pairs: Iterable[tuple[str, object]]) -> tuple[Identifier, ...]:
    """Each (scheme, value) cleaned, the unusable dropped, each identifier once, in order."""
    found = (identifier(scheme, value) for scheme, value in pairs)
    return tuple(dict.fromkeys(i for i in found if i is not None))


# -- organisations -----------------------------------------------------------------------------

#: kinds of institution, in the languages registers use, each folded to one word: the kind
#: is kept (a university and a university of applied sciences in one city are two bodies)
_KINDS: tuple[tuple[str, str], ...] = (
    (r"universit(?:y|ies) of applied sciences?|hogeschool|fachhochschule|hochschule|"
     r"haute ecole|hogescholen|university college", "uas"),
    (r"rijksuniversiteit|universiteit|universitat|universitaet|university|universite|"
     r"universidad|universita|universidade|uniwersytet|univ", "univ"),
    (r"institute|instituut|institut|instituto|istituto", "inst"),
    (r"technische|technical|technology|technological|technologie|technik|tecnologia|tech",
     "tech"),
    (r"polytechnic|polytechnique|politecnico|polytechnikum", "poly"),
    (r"colleges?|kolleg", "college"),
    (r"wananga", "wananga"),
)  # fmt: skip
_KIND_WORDS = frozenset(word for _, word in _KINDS)
_KIND_PATTERNS = tuple((re.compile(rf"\b(?:{p})\b"), word) for p, word in _KINDS)
#: words that never tell two bodies apart
_ORG_STOP = frozenset(
    {
        "the",
        "of",
        "and",
        "for",
        "in",
        "at",
        "a",
        "an",
        "de",
        "het",
        "der",
        "die",
        "das",
        "des",
        "van",
        "voor",
        "en",
        "und",
        "fur",
        "et",
        "la",
        "le",
        "les",
        "du",
        "y",
        "del",
        "di",
        "e",
        "da",
        "do",
        "dos",
        "ltd",
        "limited",
        "inc",
        "llc",
        "bv",
        "nv",
        "gmbh",
        "ag",
        "sa",
        "stichting",
        "foundation",
    }
)


#: short names registers use that no rule can expand (an acronym of a compound word, a brand),
#: keyed in ``spaced_key`` form; only unambiguous ones ("UT" alone could be several bodies)
KNOWN_ALIASES: dict[str, str] = {
    "rug": "University of Groningen",
    "uva": "University of Amsterdam",
    "vu amsterdam": "Vrije Universiteit Amsterdam",
    "tu delft": "Delft University of Technology",
    "tu e": "Eindhoven University of Technology",
    "tue": "Eindhoven University of Technology",
    "eur": "Erasmus University Rotterdam",
    "wur": "Wageningen University",
    "wageningen university research": "Wageningen University",
    "hva": "Amsterdam University of Applied Sciences",
    "hogeschool van amsterdam": "Amsterdam University of Applied Sciences",
    "hu university of applied sciences utrecht": "Utrecht University of Applied Sciences",
    "hanze": "Hanze University of Applied Sciences",
    "hanzehogeschool groningen": "Hanze University of Applied Sciences",
    "kth": "KTH Royal Institute of Technology",
    "ucd": "University College Dublin",
    "tcd": "Trinity College Dublin",
    "atu": "Atlantic Technological University",
    "ku leuven": "Katholieke Universiteit Leuven",
    "te pukenga": "New Zealand Institute of Skills and Technology",
    "nzist": "New Zealand Institute of Skills and Technology",
    "aut": "Auckland University of Technology",
}


def organisation_tokens(name: str) -> frozenset[str]:
    """The words that tell awarding bodies apart, kinds of institution in one language.

    "Rijksuniversiteit Groningen" and "University of Groningen" both give {univ, groningen};
    "Hogeschool Utrecht" gives {uas, utrecht}, kept apart from {univ, utrecht}. A known
    alias ("RUG") gives the words of the name it stands for.
    """
    text = spaced_key(name)
    alias = KNOWN_ALIASES.get(text)
    if alias is not None:
        text = spaced_key(alias)
    for pattern, word in _KIND_PATTERNS:
        text = pattern.sub(f" {word} ", text)
    return frozenset(w for w in text.split() if w not in _ORG_STOP)


def organisation_key(name: str) -> str:
    """One string per spelling family of an awarding body's name ("" when it has no words)."""
    return " ".join(sorted(organisation_tokens(name)))


#: words many bodies' names carry: they name no one body, so nothing is filed under them
_GENERIC = frozenset(
    {
        "community", "international", "national", "business", "school", "state", "royal",
        "academy", "academie", "akademie", "centre", "center", "research", "applied",
        "sciences", "science", "arts", "art", "education", "training", "regional", "global",
        "european", "american", "city", "open", "free", "catholic", "katholieke", "new",
        "north", "south", "east", "west", "central", "northern", "southern", "health",
    }
)  # fmt: skip


def distinctive_tokens(tokens: Iterable[str], count: int = 2) -> list[str]:
    """The words most likely to name this body: its longest words that are neither a kind of
    institution nor common to many names; ties alphabetical.

    Two, not one: "Hanze University of Applied Sciences Groningen" and "Hanzehogeschool"
    share only "hanze", which is not the longest word of the first.
    """
    words = sorted(
        (w for w in tokens if w not in _KIND_WORDS and w not in _GENERIC),
        key=lambda w: (-len(w), w),
    )
    return words[:count]


def distinctive_token(tokens: Iterable[str]) -> str | None:
    """The single word most likely to name this body (see ``distinctive_tokens``)."""
    words = distinctive_tokens(tokens, 1)
    return words[0] if words else None


def is_kind(word: str) -> bool:
    return word in _KIND_WORDS
