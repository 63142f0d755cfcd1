"""Countries to ISO 3166-1 alpha-2."""

from __future__ import annotations


def country_code(value: str, warnings: list[str]) -> str | None:
    """"NZ", "nl", "NLD", "New Zealand", "United States", "USA",
    "http://publications.europa.eu/resource/authority/country/IRL" -> "NZ", "NL", "NL", "NZ", "US", "US", "IE".

    edubadges' "EN" (not a country) -> "GB" with a warning. Unknown -> None with a warning
    that quotes the value.
    """
    raise NotImplementedError
