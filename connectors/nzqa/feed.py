"""The paged JSON feed: follow ``next`` links, conditionally, and hand back every page read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import msgspec

from microcred_hub.sdk import JSON, FatalFetchError, HarvestContext, RawRecord, reject

from .dedupe import Page, entries_of, kept_positions, reference_of

if TYPE_CHECKING:
    from datetime import datetime

    from .dedupe import Entry


@dataclass(slots=True)
class _Remembered:
    etag: str | None
    next_url: str | None
    entries: tuple[Entry, ...]
    kept: frozenset[int] | None = None  # positions given to the hub, once the harvest settled
    #: the state's JSON this was read from, written back as is while the page stays unchanged
    saved: JSON = None


@dataclass(slots=True)
class PageMemory:
    """What each page said last time it was read in full, kept in the connector state.

    A 304 page has no body, so without this its ``next`` link (and which versions it holds, for
    the duplicate rule) would be unknown. Losing the memory only costs one unconditional
    re-read of a 304 page.
    """

    pages: dict[str, _Remembered] = field(default_factory=dict)
    last_full: str | None = None  # ISO time of the last full pass (incremental sources)
    chain: tuple[str, ...] = ()  # the pages of the last full pass, in feed order

    def same_pass(self, pages: list[Page]) -> bool:
        """Whether these (304) pages are those of the last full pass, each with what it gave."""
        return tuple(p.url for p in pages) == self.chain and all(
            p.kept_before is not None for p in pages
        )

    def settle(
        self, pages: list[Page], best: dict[str, tuple[int, int]], *, full: bool = True
    ) -> None:
        """Remember which items each page gave, for the next harvest's 304 answers; a full
        pass forgets the pages no longer in the feed."""
        if full:
            read = {page.url for page in pages}
            self.pages = {url: known for url, known in self.pages.items() if url in read}
            self.chain = tuple(page.url for page in pages)
        for index, page in enumerate(pages):
            known = self.pages.get(page.url)
            # a 304 page left unread gives what it gave last time (the stream checked that)
            if known is not None and page.records is not None:
                kept = kept_positions(index, page, best)
                if kept != known.kept:
                    known.kept, known.saved = kept, None

    def to_json(self) -> JSON:
        pages: dict[str, JSON] = {}
        for url, known in self.pages.items():
            if known.saved is not None:
                pages[url] = known.saved
                continue
            # three flat lists rather than a list per entry: far less to decode per harvest
            entry: dict[str, JSON] = {
                "etag": known.etag,
                "next": known.next_url,
                "refs": [ref for ref, _, _ in known.entries],
                "versions": [version for _, version, _ in known.entries],
                "positions": [pos for _, _, pos in known.entries],
            }
            if known.kept is not None:
                every = known.kept == frozenset(pos for _, _, pos in known.entries)
                kept: JSON = True if every else list[JSON](sorted(known.kept))
                entry["kept"] = kept
            pages[url] = entry
        return {"lastFull": self.last_full, "chain": list(self.chain), "pages": pages}

    @classmethod
    def from_json(cls, value: JSON) -> PageMemory:
        """The memory a state holds; anything unreadable is simply not remembered."""
        memory = cls()
        if not isinstance(value, dict):
            return memory
        last_full = value.get("lastFull")
        memory.last_full = last_full if isinstance(last_full, str) else None
        chain = value.get("chain")
        if isinstance(chain, list) and all(isinstance(url, str) for url in chain):
            memory.chain = tuple(url for url in chain if isinstance(url, str))
        pages = value.get("pages")
        for url, entry in pages.items() if isinstance(pages, dict) else ():
            known = _remembered(entry)
            if known is not None:
                memory.pages[url] = known
        return memory


class _SavedPage(msgspec.Struct):
    """One page of the state as ``to_json`` writes it; checked by msgspec, not item by item."""

    etag: str | None
    next: str | None
    refs: list[str]
    versions: list[int]
    positions: list[int]
    kept: bool | list[int] | None = None


def _remembered(entry: JSON) -> _Remembered | None:
    try:
        saved = msgspec.convert(entry, _SavedPage)
    except msgspec.ValidationError:
        return None
    if not len(saved.refs) == len(saved.versions) == len(saved.positions):
        return None
    entries = tuple(zip(saved.refs, saved.versions, saved.positions, strict=True))
    chosen: frozenset[int] | None = None
    if saved.kept is True:
        chosen = frozenset(saved.positions)
    elif isinstance(saved.kept, list):
        chosen = frozenset(saved.kept)
    return _Remembered(saved.etag, saved.next, entries, chosen, entry)


def first_page_url(url: str, *, page_size: int, since: datetime | None) -> str:
    """The source url with ``page=1&pageSize=N`` (and ``updatedSince``) merged into its query."""
    parts = urlsplit(url)
    ours = {"page": "1", "pageSize": str(page_size)}
    if since is not None:
        ours["updatedSince"] = since.isoformat()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode([*query, *ours.items()])))


async def read_page(
    ctx: HarvestContext, url: str, memory: PageMemory, *, conditional: bool
) -> Page:
    response = await ctx.fetcher.get(url, accept="application/json", conditional=conditional)
    ctx.page(url)
    if response.not_modified:
        known = memory.pages.get(url)
        etag = response.headers.get("etag")
        if known is not None and (etag is None or known.etag is None or etag == known.etag):
            return Page(
                url=url,
                next_url=known.next_url,
                records=None,
                entries=known.entries,
                kept_before=known.kept,
            )
        # A 304 for a page we hold nothing about: read it in full to learn its items and link.
        response = await ctx.fetcher.get(url, accept="application/json", conditional=False)
        ctx.page(url)
        if response.not_modified:
            raise FatalFetchError(
                f"{url}: answered 304 to a request without validators; the register is broken",
                url=url,
                status=304,
            )
    items, next_url = _parse_page(url, response.json())
    records = tuple(raw_record(item, url) for item in items)
    page = Page(url=url, next_url=next_url, records=records, entries=entries_of(records))
    memory.pages[url] = _Remembered(response.headers.get("etag"), next_url, page.entries)
    return page


def _parse_page(url: str, body: JSON) -> tuple[list[JSON], str | None]:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(items, list):
        raise FatalFetchError(
            f"{url}: not an NZQA-like feed page (expected an object with an 'items' list); "
            "check the source url and its format option",
            url=url,
        )
    link = body.get("next")
    if link is not None and not isinstance(link, str):
        raise FatalFetchError(f"{url}: 'next' must be a URL or null, got {link!r}", url=url)
    # README says absolute; a relative link is resolved against the page rather than refused.
    return items, urljoin(url, link.strip()) if link and link.strip() else None


def raw_record(item: JSON, url: str) -> RawRecord:
    """One feed item; one that is not an object is refused here and quarantined with why."""
    if not isinstance(item, dict):
        kind = type(item).__name__
        reason = f"feed item is a JSON {kind}, not an object; the register must publish objects"
        return reject(item, reason, source_url=url)
    return RawRecord(data=item, local_id=reference_of(item), source_url=url)
