"""Document sources (API.md): a URL answers one JSON document, an array of them, or a listing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from microcred_hub.contract import Document, HarvestContext, Unchanged


async def fetch_documents(
    ctx: HarvestContext, *, concurrency: int = 8, max_documents: int = 100_000
) -> AsyncIterator[Document | Unchanged]:
    """Read the document sources of API.md: each of ``ctx.urls`` answers one document, a JSON
    array of documents, or ``{"documents": ["<url>", ...]}`` listing document URLs to fetch.

    Listed documents are fetched ``concurrency`` at a time and conditionally: a 304 yields
    ``Unchanged`` so the records that document gave last time are kept. The URLs themselves are
    read in full: a listing's 304 would not say which of its documents changed.
    """
    for url in ctx.urls:
        response = await ctx.fetcher.get(url)
        ctx.page(url)
        body = response.json()
        listing = body.get("documents") if isinstance(body, dict) else None
        if isinstance(listing, list):
            listed = [u for u in listing if isinstance(u, str)][:max_documents]
            step = max(1, concurrency)
            for start in range(0, len(listed), step):
                batch = listed[start : start + step]
                for answer in await asyncio.gather(*(_document(ctx, u) for u in batch)):
                    yield answer
        elif isinstance(body, list):
            for entry in body[:max_documents]:
                yield Document(url=url, data=entry)
        else:
            yield Document(url=url, data=body)


async def _document(ctx: HarvestContext, url: str) -> Document | Unchanged:
    answer = await ctx.fetcher.get(url, conditional=True)
    ctx.page(url)
    if answer.not_modified:
        return Unchanged(source_url=url)
    return Document(url=url, data=answer.json())
