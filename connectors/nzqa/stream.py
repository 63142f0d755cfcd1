"""Stream the paged feed: each page's records go to the hub as the page arrives.

The higher version of a reference wins wherever it appears, so a record may be given and later
beaten: the later one is then yielded with ``replaces=True`` and the hub lets it take the
earlier one's place. Only the (reference, version, position) entries of pages are held, never
their records, so memory does not grow with the register.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import msgspec

from microcred_hub.sdk import HarvestContext, PageGuard, RawRecord, Unchanged

from .dedupe import Page, kept, reference_of, unchanged_pages_to_reread, version_of, winners
from .feed import PageMemory, read_page

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from .dedupe import Entry


async def iter_feed(
    ctx: HarvestContext, first_url: str, *, max_pages: int, memory: PageMemory
) -> AsyncIterator[Page]:
    """Every page from ``first_url`` along its ``next`` links, 304 pages included, as read."""
    guard = PageGuard(max_pages)
    url: str | None = first_url
    while url is not None and guard.admit(url):
        page = await read_page(ctx, url, memory, conditional=True)
        yield page
        url = page.next_url


class _Best:
    """reference -> (version, page index, position) of the best item met so far."""

    def __init__(self) -> None:
        self.best: dict[str, tuple[int, int, int]] = {}

    def offer(self, reference: str, version: int, index: int, position: int) -> str:
        """'new', 'better' (beats one met before) or 'worse'; ties keep the first met."""
        known = self.best.get(reference)
        if known is not None and version <= known[0]:
            return "worse"
        self.best[reference] = (version, index, position)
        return "new" if known is None else "better"

    def offer_page(self, entries: tuple[Entry, ...], index: int) -> set[int]:
        """Offer a 304 page's entries at once (the loop of ``offer``, for every item of an
        unchanged register); the page indices of the items they beat."""
        best = self.best
        beaten: set[int] = set()
        for reference, version, position in entries:
            known = best.get(reference)
            if known is None or version > known[0]:
                best[reference] = (version, index, position)
                if known is not None:
                    beaten.add(known[1])
        return beaten

    def places(self) -> dict[str, tuple[int, int]]:
        """What ``winners`` gives for the pages offered, without going over them again."""
        return {ref: (index, position) for ref, (_, index, position) in self.best.items()}


def _offer_waiting(best: _Best, pages: list[Page], start: int, reread: set[int]) -> None:
    """Offer the 304 pages from ``start`` on, in feed order, as if offered on arrival."""
    for index in range(start, len(pages)):
        beaten = best.offer_page(pages[index].entries, index)
        if any(i < index and pages[i].records is not None for i in beaten):
            # it beats a record already given: give this page afresh, replacing it
            # (one beaten on a 304 page, this one too, is settled by kept_before, below)
            reread.add(index)


async def stream_feed(
    ctx: HarvestContext, first_url: str, *, max_pages: int, memory: PageMemory, full: bool
) -> AsyncIterator[RawRecord | Unchanged]:
    """The feed's records as each page arrives; ``memory`` is settled once the last is read
    (a ``full`` pass also forgets pages no longer in the feed)."""
    best = _Best()
    pages: list[Page] = []
    reread: set[int] = set()
    offered = 0  # 304 pages wait to be offered until a page with a body comes (or the end)
    async for page in iter_feed(ctx, first_url, max_pages=max_pages, memory=memory):
        if page.records is None:
            yield Unchanged(source_url=page.url)
        else:
            _offer_waiting(best, pages, offered, reread)
            index = offered = len(pages)
            offered += 1
            for position, raw in enumerate(page.records):
                ref = reference_of(raw.data)
                verdict = (
                    "new"
                    if ref is None
                    else best.offer(ref, version_of(raw.data.get("version")), index, position)
                )
                if verdict == "new":
                    yield raw
                elif verdict == "better":
                    yield msgspec.structs.replace(raw, replaces=True)
            page = replace(page, records=())  # entries are all a settled page needs
        pages.append(page)
    if full and not offered and memory.same_pass(pages):
        # Every page answered 304, in the order of the last full pass: the same entries in the
        # same order have the same winners, so each page gives what it gave then.
        memory.settle(pages, {})
        return
    _offer_waiting(best, pages, offered, reread)
    places = best.places()
    # Ends: a page read again is fresh, and fresh pages are never read again.
    while stale := sorted(reread | set(unchanged_pages_to_reread(pages, places))):
        reread.clear()
        for index in stale:
            fresh = await read_page(ctx, pages[index].url, memory, conditional=False)
            pages[index] = fresh
            places = winners(pages)
            for raw in kept(pages, places, index):
                yield msgspec.structs.replace(raw, replaces=True)
            pages[index] = replace(fresh, records=())
        places = winners(pages)
    memory.settle(pages, places, full=full)
