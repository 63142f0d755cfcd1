"""Languages to ISO 639-1 lower case."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

import pycountry

from microcred_hub.normalise._fold import spaced_key

# Names registers use that ISO 639 (English names only) lacks: endonyms and common variants.
_ALIASES: dict[str, str] = {
    "nederlands": "nl",
    "vlaams": "nl",
    "flemish": "nl",
    "engels": "en",
    "deutsch": "de",
    "duits": "de",
    "francais": "fr",
    "frans": "fr",
    "espanol": "es",
    "castellano": "es",
    "castilian": "es",
    "italiano": "it",
    "portugues": "pt",
    "te reo maori": "mi",
    "te reo": "mi",
    "reo maori": "mi",
    "gaeilge": "ga",
    "irish gaelic": "ga",
    "svenska": "sv",
    "dansk": "da",
    "norsk": "no",
    "suomi": "fi",
    "polski": "pl",
    "greek": "el",
    "chinese": "zh",
    "mandarin": "zh",
}
# en_EN, en-US, zh-Hant-TW: the primary subtag is what counts.
_SUBTAG_SPLIT = re.compile(r"[-_]")


@cache
def _tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(alpha-2 codes, alpha-3/bibliographic -> alpha-2, name key -> alpha-2), built once."""
    alpha2: set[str] = set()
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code is None:
            continue  # no ISO 639-1 code: the record cannot carry it
        alpha2.add(code)
        alpha3[lang.alpha_3] = code
        bibliographic = getattr(lang, "bibliographic", None)
        if bibliographic:
            alpha3[bibliographic] = code
        for attr in ("name", "common_name", "inverted_name"):
            name = getattr(lang, attr, None)
            if name:
                names.setdefault(spaced_key(name), code)
        # "Dutch; Flemish", "Spanish; Castilian": each part is a name of its own
        for part in lang.name.split(";"):
            names.setdefault(spaced_key(part), code)
    names.update(_ALIASES)
    return frozenset(alpha2), alpha3, names


@lru_cache(maxsize=4096)
def language_code(value: str) -> str | None:
    """ "en", "EN", "en_EN", "nl_NL", "en-US", "eng", "nld"/"dut", "English", "Nederlands",
    "http://publications.europa.eu/resource/authority/language/ENG" -> "en"/"nl"...;
    None if unknown.
    """
    text = value.strip()
    if "/" in text:  # EU authority table (and other vocabulary) URIs end in the code
        text = text.rstrip("/").rsplit("/", 1)[-1]
    alpha2, alpha3, names = _tables()
    primary = _SUBTAG_SPLIT.split(text, maxsplit=1)[0].lower()
    if len(primary) == 2 and primary in alpha2:
        return primary
    if len(primary) == 3 and primary in alpha3:
        return alpha3[primary]
    return names.get(spaced_key(text))


def language_codes(values: Iterable[str | None], warnings: list[str]) -> tuple[str, ...]:
    """Several stated languages -> ISO 639-1 codes, each once, in order; blanks skipped, unknown
    ones left out with a warning quoting them."""
    codes: list[str] = []
    for value in values:
        if not value:
            continue
        code = language_code(value)
        if code is None:
            warnings.append(f'unknown language "{value}"; left out')
        elif code not in codes:
            codes.append(code)
    return tuple(codes)
