"""Languages to ISO 639-1 lower case."""

from __future__ import annotations


def language_code(value: str) -> str | None:
    """"en", "EN", "en_EN", "nl_NL", "en-US", "eng", "nld"/"dut", "English", "Nederlands",
    "http://publications.europa.eu/resource/authority/language/ENG" -> "en"/"nl"...; None if unknown.
    """
    raise NotImplementedError
