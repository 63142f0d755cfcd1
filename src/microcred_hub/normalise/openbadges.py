"""Open Badges 2 extensions (``extensions:ECTSExtension`` …), read one way for every connector."""

from __future__ import annotations

from microcred_hub.contract import JSON, JSONObject
from microcred_hub.normalise.fields import text_of
from microcred_hub.normalise.text import as_list
from microcred_hub.record import FieldOfStudy

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


def isat_fields(value: JSON, what: str, warnings: list[str]) -> tuple[FieldOfStudy, ...]:
    """Dutch education programme identifiers (ISAT: CROHO/CREBO codes), as given, once each;
    an entry that is not a code is ignored with a warning naming ``what``."""
    fields: list[FieldOfStudy] = []
    for item in as_list(value):
        code = text_of(item, numbers=True)
        if code is None:
            warnings.append(f"{what} {item!r} is not a code; ignored")
        elif all(f.code != code for f in fields):
            fields.append(FieldOfStudy(scheme="ISAT", code=code))
    return tuple(fields)
