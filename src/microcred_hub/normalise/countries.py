"""Countries to ISO 3166-1 alpha-2."""

from __future__ import annotations

from functools import cache, lru_cache

import pycountry

from microcred_hub.normalise._fold import spaced_key

# Free-text names registers use that ISO 3166 (pycountry) lacks. Keys are spaced_key() forms.
_ALIASES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "u k": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "nederland": "NL",
    "netherlands the": "NL",
    "aotearoa": "NZ",
    "aotearoa new zealand": "NZ",
    "new zealand aotearoa": "NZ",
    "republic of ireland": "IE",
    "eire": "IE",
    "belgie": "BE",
    "belgique": "BE",
    "deutschland": "DE",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "turkey": "TR",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "taiwan": "TW",
    "laos": "LA",
    "moldova": "MD",
    "ivory coast": "CI",
}
# Not a country: edubadges sends the language code "EN" as a country for English institutions.
_EDUBADGES_EN = "en"


@cache
def _tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(alpha-2 codes, alpha-3 -> alpha-2, name key -> alpha-2), built once."""
    alpha2: set[str] = set()
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2.add(country.alpha_2)
        alpha3[country.alpha_3] = country.alpha_2
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                names[spaced_key(name)] = country.alpha_2
    names.update(_ALIASES)
    return frozenset(alpha2), alpha3, names


@lru_cache(maxsize=4096)
def _lookup(value: str) -> tuple[str | None, str | None]:
    """value -> (alpha-2 or None, warning or None); cached because registers repeat themselves."""
    text = value.strip()
    if "/" in text:  # EU authority table URIs (…/country/IRL) end in the alpha-3 code
        text = text.rstrip("/").rsplit("/", 1)[-1]
    alpha2, alpha3, names = _tables()
    upper = text.upper()
    if len(text) == 2 and upper in alpha2:
        return upper, None
    if len(text) == 3 and upper in alpha3:
        return alpha3[upper], None
    key = spaced_key(text)
    if not key:
        return None, None  # blank: the source did not say, which is not an error
    if key.startswith("the "):
        key = key[4:]
    if key in names:
        return names[key], None
    if key == _EDUBADGES_EN:
        return "GB", f'country "{value}" is not an ISO 3166 code; read as GB (United Kingdom)'
    return None, f'unknown country "{value}"'


def country_code(value: str, warnings: list[str]) -> str | None:
    """ "NZ", "nl", "NLD", "New Zealand", "United States", "USA",
    "http://publications.europa.eu/resource/authority/country/IRL"
    -> "NZ", "NL", "NL", "NZ", "US", "US", "IE".

    edubadges' "EN" (not a country) -> "GB" with a warning. Unknown -> None with a warning
    that quotes the value.
    """
    code, warning = _lookup(value)
    if warning is not None:
        warnings.append(warning)
    return code
