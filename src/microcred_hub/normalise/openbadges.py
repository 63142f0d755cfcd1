"""Open Badges 2 extensions (``extensions:ECTSExtension`` …), read one way for every connector."""

from __future__ import annotations

from microcred_hub.contract import JSON, JSONObject

#: JSON-LD bookkeeping inside an extension object, never its value
EXTENSION_META = frozenset({"@context", "type", "@type", "id", "@id"})


def ob2_extension(doc: JSONObject, name: str) -> JSONObject | None:
    """The extension object whose KEY ends in ``name`` (``extensions:ECTSExtension``,
    ``…/extensions#ECTSExtension``), matched case-insensitively; never by its ``@context``
    URL, whose host varies between registers."""
    exact = doc.get("extensions:" + name)  # the usual spelling: skip the scan
    if isinstance(exact, dict):
        return exact
    wanted = name.casefold()
    size = len(wanted)
    for key, value in doc.items():
        # compare only the key's tail: cheaper than folding every key of every badge
        tail_matches = len(key) >= size and key[-size:].casefold() == wanted
        if (
            isinstance(value, dict)
            and tail_matches
            and (len(key) == size or key[-size - 1] in ":/#")
        ):
            return value
    return None


def ob2_extension_value(doc: JSONObject, name: str, inner: str) -> JSON:
    """The extension's ``inner`` value, else its first value that is not JSON-LD bookkeeping."""
    ext = ob2_extension(doc, name)
    if ext is None:
        return None
    if inner in ext:
        return ext[inner]
    return next((v for k, v in ext.items() if k not in EXTENSION_META), None)
