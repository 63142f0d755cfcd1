"""Paging for connectors: next links (in the body or a ``Link`` header), page numbers and
offset/limit, each with the guards every register needs (a loop, more than ``max_pages``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Literal
from urllib.parse import urljoin

from microcred_hub.contract import JSON, FetchResponse, HarvestContext
from microcred_hub.errors import FatalFetchError

# <https://…/envelopes?page=2&per_page=100>; rel="next"  (several links comma-separated)
_LINK = re.compile(r'<([^>]*)>\s*;[^,]*?\brel\s*=\s*"?([^",;]+)"?')


class PageGuard:
    """Admits page URLs one by one: a URL seen before is a loop, and more than ``max_pages``
    pages is a register larger than configured (or a paging bug); both end the paging."""

    def __init__(self, max_pages: int, *, loops: Literal["fail", "stop"] = "fail") -> None:
        self.max_pages = max_pages
        self.loops = loops
        self.seen: set[str] = set()

    def admit(self, url: str) -> bool:
        """True: read ``url``. False: a loop, with ``loops="stop"`` (the listing ends there).
        Raises FatalFetchError for a loop with ``loops="fail"`` and for one page too many."""
        if url in self.seen:
            if self.loops == "stop":
                return False
            raise FatalFetchError(
                f"{url}: the next link leads back to a page already read (a loop); "
                "the register must fix its paging",
                url=url,
            )
        if len(self.seen) >= self.max_pages:
            raise FatalFetchError(
                f"{url}: more than max_pages={self.max_pages} pages; raise max_pages for this "
                "source if the register is really that large",
                url=url,
            )
        self.seen.add(url)
        return True


def next_link(response: FetchResponse) -> str | None:
    """The ``rel="next"`` target of the ``Link`` header, absolute; None when there is none."""
    header = response.headers.get("link", "")
    for match in _LINK.finditer(header):
        target, rels = str(match.group(1)), str(match.group(2))
        if "next" in rels.lower().split():
            return urljoin(response.url, target.strip())
    return None


def next_in_body(body: JSON, base: str, key: str = "next") -> str | None:
    """The body's own next-page link (``{"next": "<url>"}``), absolute; None when absent."""
    target = body.get(key) if isinstance(body, dict) else None
    return urljoin(base, target.strip()) if isinstance(target, str) and target.strip() else None


def next_anywhere(response: FetchResponse, body: JSON) -> str | None:
    """The ``Link`` header's next page, else the body's ``next``."""
    return next_link(response) or next_in_body(body, response.url)


async def follow_pages(
    ctx: HarvestContext,
    url: str,
    *,
    max_pages: int,
    next_url: Callable[[FetchResponse, JSON], str | None] = next_anywhere,
    loops: Literal["fail", "stop"] = "fail",
    accept: str = "application/json",
) -> AsyncIterator[tuple[FetchResponse, JSON]]:
    """Each page from ``url`` on, with its JSON body, following ``next_url`` until it gives
    None; every page is read through ``ctx.fetcher`` and reported with ``ctx.page``."""
    guard = PageGuard(max_pages, loops=loops)
    target: str | None = url
    while target is not None and guard.admit(target):
        response = await ctx.fetcher.get(target, accept=accept)
        ctx.page(target)
        body = response.json()
        yield response, body
        target = next_url(response, body)


def page_query(size: int, *, page: str = "page", page_size: str = "pageSize") -> PageQuery:
    """``?page=N&pageSize=size`` for page N = 1, 2, …"""
    return lambda n: {page: str(n + 1), page_size: str(size)}


def offset_query(limit: int, *, offset: str = "offset", limit_key: str = "limit") -> PageQuery:
    """``?offset=N*limit&limit=limit`` for page N = 0, 1, …"""
    return lambda n: {offset: str(n * limit), limit_key: str(limit)}


PageQuery = Callable[[int], Mapping[str, str]]


async def numbered_pages(
    ctx: HarvestContext,
    url: str,
    *,
    query: PageQuery,
    more: Callable[[int, JSON], bool],
    max_pages: int,
    accept: str = "application/json",
) -> AsyncIterator[tuple[FetchResponse, JSON]]:
    """Pages asked for by number (``page_query``) or offset (``offset_query``): page n = 0, 1, …
    while ``more(n, body)`` says the page just read is not the last. More than ``max_pages``
    pages is a FatalFetchError."""
    n = 0
    while True:
        if n >= max_pages:
            raise FatalFetchError(
                f"{url}: more than max_pages={max_pages} pages; raise max_pages for this "
                "source if the register is really that large",
                url=url,
            )
        response = await ctx.fetcher.get(url, params=dict(query(n)), accept=accept)
        ctx.page(response.url)
        body = response.json()
        yield response, body
        if not more(n, body):
            return
        n += 1
