"""Text clean-up: trim + NFC everywhere; titles also collapse whitespace and lose HTML."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING

from microcred_hub.normalise._fold import match_fold
from microcred_hub.normalise.languages import language_code
from microcred_hub.record import LangString

if TYPE_CHECKING:
    from microcred_hub.contract import JSON

__all__ = ["as_list", "clean_text", "clean_title", "display_title", "lang_strings", "match_fold"]

# Block-level tags separate words ("A<br>B" is two words); inline tags do not ("M<b>ā</b>ori").
_BLOCK_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|blockquote)"
    r"\b[^<>]*>",
    re.IGNORECASE,
)
# Only things shaped like tags: "a < b > c" in a title is text, not markup.
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_NODE_KEYS = frozenset({"type", "@type", "@id"})
_LANG_KEY = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def clean_text(value: str) -> str:
    """Trim and NFC-normalise; inner whitespace and Markdown are kept as is."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value.strip()


def clean_title(value: str) -> str:
    """clean_text + HTML tags stripped, entities unescaped, whitespace runs collapsed to one."""
    if "<" in value:
        value = _TAG.sub("", _BLOCK_TAG.sub(" ", value))
    if "&" in value:
        value = html.unescape(value)
    # NFC first: a decomposed letter followed by a combining mark must not be split by a space.
    # str.split() splits on exactly the characters re's \s matches, and is several times faster.
    return " ".join(clean_text(value).split())


def as_list(value: JSON) -> list[JSON]:
    """None -> [], a list -> itself, anything else -> [value] (JSON-LD object-or-array)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _lang_of(key: str | None, default_lang: str | None) -> str | None:
    if key is None or key == "@none":
        return default_lang
    return language_code(key) or key.strip().lower() or default_lang


def _collect(
    value: JSON, lang: str | None, title: bool, out: list[LangString], *, in_map: bool
) -> None:
    if isinstance(value, str):
        text = clean_title(value) if title else clean_text(value)
        if text:
            out.append(LangString(value=text, lang=lang))
    elif isinstance(value, list):
        for item in value:
            _collect(item, lang, title, out, in_map=in_map)
    elif isinstance(value, dict):
        if "@value" in value:
            tag = value.get("@language")
            item_lang = _lang_of(tag, lang) if isinstance(tag, str) else lang
            _collect(value["@value"], item_lang, title, out, in_map=True)
        elif not in_map and not _NODE_KEYS.intersection(value):
            # A language map: only keys shaped like language tags. A node ({"id", "type", ...})
            # is not text at all, even though "id" is also Indonesian's language code.
            for key, item in value.items():
                if key == "@none" or _LANG_KEY.fullmatch(key):
                    _collect(item, _lang_of(key, lang), title, out, in_map=True)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out.append(LangString(value=str(value), lang=lang))


def lang_strings(
    value: JSON, *, default_lang: str | None = None, title: bool = False
) -> tuple[LangString, ...]:
    """Read a text that may be a string, a list of strings, a language map or JSON-LD value objects.

    - ``"x"`` -> (LangString(value="x", lang=default_lang),)
    - ``["a", "b"]`` -> one LangString each
    - ``{"en": "x", "nl": "y"}`` / ``{"en": ["x", "z"]}`` (ELM / CTDL language maps; keys such as
      ``en-US`` or ``nl_NL`` become ISO 639-1 via language_code, unknown keys kept lower-cased)
    - ``{"@value": "x", "@language": "en"}`` and lists of those
    Empty strings are dropped; each value goes through clean_title when ``title`` else clean_text.
    """
    out: list[LangString] = []
    _collect(value, default_lang, title, out, in_map=False)
    return tuple(out)


def display_title(titles: tuple[LangString, ...]) -> str:
    """English if present, else the first language given; "" when there is none."""
    for item in titles:
        if item.lang == "en":
            return item.value
    return titles[0].value if titles else ""
