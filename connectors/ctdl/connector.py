"""The ctdl connector: Credential Engine Registry documents, envelope pages and query answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urljoin, urlsplit

import msgspec

from microcred_hub.sdk import (
    JSON,
    ConnectorInfo,
    ConnectorOptions,
    Document,
    FetchResponse,
    JSONObject,
    PageGuard,
    RawRecord,
    RecordDraft,
    Unchanged,
    bounded,
    next_anywhere,
)

from .mapping import normalise_resource
from .references import References

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from microcred_hub.sdk import HarvestContext


class CtdlOptions(ConnectorOptions, frozen=True, kw_only=True):
    """The ``[[sources]]`` keys of a ctdl source besides key/connector/url/urls."""

    per_page: int = 100  # envelopes per page when the url does not say
    max_pages: int = 10_000  # more pages than this fails the source rather than cut it short
    concurrency: int = 8  # listed documents fetched at once
    #: fetch organisations a record references by URL but its document does not contain
    resolve_references: bool = True
    max_references: int = 1_000  # distinct organisation URLs fetched per harvest

    def __post_init__(self) -> None:
        self.require_at_least(1, "per_page", "max_pages", "concurrency")
        if self.max_references < 0:
            raise ValueError("max_references cannot be negative")


class _Document(Document, frozen=True, kw_only=True):
    """One CTDL document as read (``data``, ``url``), with what came along with it."""

    related: list[JSONObject] = msgspec.field(default_factory=list)  # query answers' extra nodes
    envelope: JSONObject | None = None


def _is_envelope_page(body: JSON) -> bool:
    return isinstance(body, list) and any(
        isinstance(e, dict) and ("decoded_resource" in e or "envelope_type" in e) for e in body
    )


def _envelope_documents(body: list[JSON], url: str) -> list[_Document]:
    out: list[_Document] = []
    for envelope in body:
        if not isinstance(envelope, dict):
            continue
        headers = envelope.get("node_headers")
        headers = headers if isinstance(headers, dict) else {}
        if headers.get("deleted_at") is not None:
            continue  # a deleted envelope's record is gone from the register
        if envelope.get("envelope_type", "resource_data") != "resource_data":
            continue  # paradata and the like describe no credential
        resource = envelope.get("decoded_resource")
        if resource is None:
            continue
        meta: JSONObject = {
            "envelope_id": envelope.get("envelope_id"),
            "updated_at": headers.get("updated_at"),
        }
        out.append(_Document(data=resource, url=url, envelope=meta))
    return out


def _query_documents(body: JSONObject, url: str) -> list[_Document]:
    extra = body.get("extra")
    related: JSON = None
    if isinstance(extra, dict):
        related = extra.get("RelatedItems", extra.get("relatedItems"))
    nodes = [n for n in related if isinstance(n, dict)] if isinstance(related, list) else []
    data = body.get("data")
    items = data if isinstance(data, list) else []
    return [_Document(data=item, url=url, related=nodes) for item in items]


class CtdlConnector:
    """Credential Engine Registry (US): CTDL JSON-LD credentials and learning opportunities."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="ctdl",
        version="1.0.0",
        description="Credential Engine CTDL JSON-LD: documents, registry envelopes, query answers",
        register="Credential Engine Registry (CTDL)",
        country="US",
        formats=("ctdl-jsonld",),
        # organisations are referenced by their registry URL; the records may come from a mirror
        allowed_hosts=("credentialengineregistry.org",),
        homepage="https://credentialengine.org",
    )
    options_type: ClassVar[type[ConnectorOptions]] = CtdlOptions

    def __init__(self, options: CtdlOptions | None = None) -> None:
        self.options = options or CtdlOptions()

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_resource(raw)

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        references = References(ctx, self.options.resolve_references, self.options.max_references)
        for url in ctx.urls:
            async for batch in self._read(ctx, url):
                if isinstance(batch, Unchanged):
                    yield batch
                    continue
                # Learn the whole page's organisations before completing any of its records.
                for document in batch:
                    references.learn(document.data, document.related)
                for document in batch:
                    for raw in references.split(document.data, document.url, document.envelope):
                        yield await references.complete(raw)

    def _first_url(self, url: str) -> tuple[str, dict[str, str] | None]:
        parts = urlsplit(url)
        if parts.path.rstrip("/").endswith("/envelopes") and "per_page=" not in parts.query:
            return url, {"per_page": str(self.options.per_page)}
        return url, None

    async def _read(
        self, ctx: HarvestContext, url: str
    ) -> AsyncIterator[list[_Document] | Unchanged]:
        """Yield the documents of one source url, a page (or listed document) at a time."""
        first, params = self._first_url(url)
        response = await ctx.fetcher.get(first, params=params)
        ctx.page(response.url)
        body = response.json()
        if _is_envelope_page(body) or (
            isinstance(body, dict) and isinstance(body.get("data"), list)
        ):
            async for page_response, page_body in self._pages(ctx, response, body):
                if isinstance(page_body, list):
                    yield _envelope_documents(page_body, page_response.url)
                elif isinstance(page_body, dict):
                    yield _query_documents(page_body, page_response.url)
        elif isinstance(body, dict) and isinstance(listing := body.get("documents"), list):
            listed = [u for u in listing if isinstance(u, str)]
            async for item in self._listed(ctx, [urljoin(response.url, u) for u in listed]):
                yield item
        elif isinstance(body, list):
            yield [_Document(data=item, url=response.url) for item in body]
        else:
            yield [_Document(data=body, url=response.url)]

    async def _pages(
        self, ctx: HarvestContext, response: FetchResponse, body: JSON
    ) -> AsyncIterator[tuple[FetchResponse, JSON]]:
        """Follow ``rel="next"`` (or a query answer's ``next``) until a page has none."""
        # a loop back to a page already read ends the listing, as a page without a link does
        guard = PageGuard(self.options.max_pages, loops="stop")
        guard.admit(response.url)
        while True:
            yield response, body
            if not _has_entries(body):
                return  # an empty page ends the listing whatever its links say
            target = next_anywhere(response, body)
            if target is None or not guard.admit(target):
                return
            response = await ctx.fetcher.get(target)
            ctx.page(response.url)
            body = response.json()

    async def _listed(
        self, ctx: HarvestContext, urls: list[str]
    ) -> AsyncIterator[list[_Document] | Unchanged]:
        listed = bounded(urls, lambda u: _listed_document(ctx, u), limit=self.options.concurrency)
        async for answer in listed:
            yield answer


async def _listed_document(ctx: HarvestContext, url: str) -> list[_Document] | Unchanged:
    response = await ctx.fetcher.get(url, conditional=True)
    ctx.page(url)
    if response.not_modified:
        return Unchanged(source_url=url)
    body = response.json()
    items = body if isinstance(body, list) else [body]
    return [_Document(data=item, url=url) for item in items]


def _has_entries(body: JSON) -> bool:
    if isinstance(body, list):
        return bool(body)
    data = body.get("data") if isinstance(body, dict) else None
    return isinstance(data, list) and bool(data)
