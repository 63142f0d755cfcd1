"""Duplicate references: the listing with the higher ``version`` wins, wherever it appears."""

from __future__ import annotations

from dataclasses import dataclass

from microcred_hub.sdk import JSON, JSONObject, RawRecord

#: (reference, version, position on its page) of each item that has a reference
Entry = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Page:
    """One feed page (or the whole CSV export) as read in this harvest."""

    url: str
    next_url: str | None
    #: None when the register answered 304: the hub keeps what the page gave last time
    records: tuple[RawRecord, ...] | None
    entries: tuple[Entry, ...]
    #: for a 304 page: positions of the items it gave last time (None when unknown)
    kept_before: frozenset[int] | None = None


def reference_of(data: JSONObject) -> str | None:
    value = data.get("reference")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def version_of(value: JSON) -> int:
    """The listing version; an unreadable one ranks below every real version."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return -1
    return -1


def entries_of(records: tuple[RawRecord, ...]) -> tuple[Entry, ...]:
    out: list[Entry] = []
    for position, raw in enumerate(records):
        reference = reference_of(raw.data)
        if reference is not None:
            out.append((reference, version_of(raw.data.get("version")), position))
    return tuple(out)


def winners(pages: list[Page]) -> dict[str, tuple[int, int]]:
    """reference -> (page index, position) of its winning item.

    Higher version wins; on a tie the first occurrence in feed order stays (the register gave
    no way to tell them apart, and keeping the first makes the choice stable between harvests).
    """
    best: dict[str, tuple[int, int, int]] = {}
    for index, page in enumerate(pages):
        for reference, version, position in page.entries:
            known = best.get(reference)
            if known is None or version > known[0]:
                best[reference] = (version, index, position)
    return {ref: (index, position) for ref, (_, index, position) in best.items()}


def kept_positions(index: int, page: Page, best: dict[str, tuple[int, int]]) -> frozenset[int]:
    """Positions of the page's referenced items that win; unreferenced items always pass."""
    return frozenset(
        position for ref, _, position in page.entries if best[ref] == (index, position)
    )


def unchanged_pages_to_reread(pages: list[Page], best: dict[str, tuple[int, int]]) -> list[int]:
    """304 pages whose winning items differ from what they gave last time.

    The hub keeps exactly what a 304 page gave last time; when a duplicate elsewhere changed
    which version wins (or we cannot tell), the page must be read again and given afresh.
    """
    return [
        index
        for index, page in enumerate(pages)
        if page.records is None and page.kept_before != kept_positions(index, page, best)
    ]


def kept(pages: list[Page], best: dict[str, tuple[int, int]], index: int) -> list[RawRecord]:
    """The records of page ``index`` that are not beaten by a higher version elsewhere."""
    records = pages[index].records or ()
    out: list[RawRecord] = []
    for position, raw in enumerate(records):
        reference = reference_of(raw.data)
        if reference is None or best.get(reference) == (index, position):
            out.append(raw)
    return out
