"""Text clean-up: trim + NFC everywhere; titles also collapse whitespace and lose HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.record import LangString
    from microcred_hub.sdk import JSON


def clean_text(value: str) -> str:
    """Trim and NFC-normalise; inner whitespace and Markdown are kept as is."""
    raise NotImplementedError


def clean_title(value: str) -> str:
    """clean_text + HTML tags stripped, entities unescaped, whitespace runs collapsed to one space."""
    raise NotImplementedError


def as_list(value: JSON) -> list[JSON]:
    """None -> [], a list -> itself, anything else -> [value] (JSON-LD object-or-array)."""
    raise NotImplementedError


def lang_strings(value: JSON, *, default_lang: str | None = None, title: bool = False) -> tuple[LangString, ...]:
    """Read a text that may be a string, a list of strings, a language map or JSON-LD value objects.

    - ``"x"`` -> (LangString(value="x", lang=default_lang),)
    - ``["a", "b"]`` -> one LangString each
    - ``{"en": "x", "nl": "y"}`` / ``{"en": ["x", "z"]}`` (ELM / CTDL language maps; keys such as
      ``en-US`` or ``nl_NL`` become ISO 639-1 via language_code, unknown keys kept lower-cased)
    - ``{"@value": "x", "@language": "en"}`` and lists of those
    Empty strings are dropped; each value goes through clean_title when ``title`` else clean_text.
    """
    raise NotImplementedError


def display_title(titles: tuple[LangString, ...]) -> str:
    """English if present, else the first language given; "" when there is none."""
    raise NotImplementedError


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: NFKD, combining marks dropped, casefolded."""
    raise NotImplementedError
