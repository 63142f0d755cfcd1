"""Reading ELM v3 JSON-LD nodes: ids, types, concepts, language maps, notes and web resources.

Every property may be a single node or an array of nodes (JSON-LD), so everything here reads
through ``as_list``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred_hub.sdk import JSON, JSONObject, LangString, as_list, display_title, lang_strings

if TYPE_CHECKING:
    from collections.abc import Iterable


def nodes(value: JSON) -> list[JSONObject]:
    """The objects among a property's values (strings such as bare references are skipped)."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def first(value: JSON) -> JSON:
    """The first value of a property that may be an array; None when absent or empty."""
    values = as_list(value)
    return values[0] if values else None


def node_id(value: JSON) -> str | None:
    """``id`` (or ``@id``) of a node, or a bare reference string; None when blank or absent."""
    if isinstance(value, dict):
        value = value.get("id", value.get("@id"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def tail(uri: str) -> str:
    """Last segment of a vocabulary URI: ``…/eqf/6`` -> ``6``, ``urn:epass:x:1`` -> ``1``."""
    text = uri.rstrip("/")
    for sep in ("/", "#"):
        text = text.rsplit(sep, 1)[-1]
    return text


def types(node: JSON) -> frozenset[str]:
    """The node's types without prefixes: ``elm:Qualification`` or an IRI -> ``Qualification``."""
    if not isinstance(node, dict):
        return frozenset()
    found: set[str] = set()
    for value in [*as_list(node.get("type")), *as_list(node.get("@type"))]:
        if isinstance(value, str) and value.strip():
            found.add(tail(value.strip()).rsplit(":", 1)[-1])
    return frozenset(found)


def texts(value: JSON, *, title: bool = False) -> tuple[LangString, ...]:
    """Every language of a language map (or list of them, or a plain string)."""
    return lang_strings(value, title=title)


def text(value: JSON) -> str | None:
    """Display form of a language map: English if present, else the first; None if empty."""
    return display_title(lang_strings(value, title=True)) or None


def concept_label(concept: JSON) -> str | None:
    """A SKOS concept's ``prefLabel`` in display form (its ``notation`` as a fallback)."""
    if isinstance(concept, str):
        return None
    if not isinstance(concept, dict):
        return None
    label = text(concept.get("prefLabel"))
    if label is None and isinstance(concept.get("notation"), str):
        label = text(concept.get("notation"))
    return label


def concept_labels(concept: JSON) -> tuple[str, ...]:
    """Every language of a concept's ``prefLabel`` (for matching on any language)."""
    if not isinstance(concept, dict):
        return ()
    return tuple(item.value for item in lang_strings(concept.get("prefLabel"), title=True))


def note_texts(value: JSON) -> tuple[LangString, ...]:
    """ELM Notes (``{"type": "Note", "noteLiteral": {...}}``) or plain language maps, flattened."""
    out: list[LangString] = []
    for item in as_list(value):
        if isinstance(item, dict) and ("noteLiteral" in item or "type" in item or "id" in item):
            out.extend(lang_strings(item.get("noteLiteral")))
        else:
            out.extend(lang_strings(item))
    return tuple(out)


def web_url(value: JSON) -> str | None:
    """The URL of a WebResource (``contentURL``), a plain URL string, or an http(s) node id."""
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("contentURL", item.get("contentUrl", node_id(item)))
        if isinstance(item, str) and item.strip().lower().startswith(("http://", "https://")):
            return item.strip()
    return None


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Without duplicates, in first-seen order."""
    return tuple(dict.fromkeys(items))
