"""The openbadges connector: Open Badges 2 BadgeClass / Open Badges 3 Achievement documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from microcred_hub.sdk import (
    ConnectorInfo,
    ConnectorOptions,
    FetchError,
    JSONObject,
    RawRecord,
    RecordDraft,
    Unchanged,
    fetch_documents,
    reject,
)

from .documents import local_id
from .mapping import normalise_document

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from microcred_hub.sdk import HarvestContext


class OpenBadgesOptions(ConnectorOptions, frozen=True, kw_only=True):
    """The ``[[sources]]`` keys of an openbadges source besides key/connector/url(s)."""

    concurrency: int = 8  # listed documents fetched at once
    #: read an issuer given only as a URL (usual in OB2) so the awarding body has a name
    fetch_issuers: bool = True


class OpenBadgesConnector:
    """Reads documents per API.md "Document sources"; one record per BadgeClass / Achievement."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="openbadges",
        version="1.0.0",
        description="Open Badges 2.0 BadgeClass and 3.0 Achievement / OpenBadgeCredential "
        "documents, with the Dutch educredentials extensions",
        register="Open Badges 2.0 / 3.0 publishers",
        formats=("openbadges-2", "openbadges-3"),
        homepage="https://www.imsglobal.org/spec/ob/v3p0/",
    )
    options_type: ClassVar[type[ConnectorOptions]] = OpenBadgesOptions

    def __init__(self, options: OpenBadgesOptions | None = None) -> None:
        self.options = options or OpenBadgesOptions()

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        profiles: dict[str, JSONObject | None] = {}
        async for item in fetch_documents(ctx, concurrency=self.options.concurrency):
            if isinstance(item, Unchanged):
                yield item
                continue
            if not isinstance(item.data, dict):
                # quarantined with its reason; a listing's other documents still land
                kind = type(item.data).__name__
                reason = f"listed document is a JSON {kind}, not an object"
                yield reject(item.data, reason, source_url=item.url)
                continue
            data = item.data
            if self.options.fetch_issuers:
                data = await _with_issuer(ctx, data, profiles)
            yield RawRecord(data=data, local_id=local_id(data), source_url=item.url)

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_document(raw)


async def _with_issuer(
    ctx: HarvestContext, data: JSONObject, profiles: dict[str, JSONObject | None]
) -> JSONObject:
    """The document with an issuer URL replaced by the profile it names (read once per harvest).

    An unreadable profile is not the badge's fault: the record keeps the URL and normalise
    warns that the awarding body is unknown.
    """
    issuer = data.get("issuer")
    if not isinstance(issuer, str) or not issuer.startswith(("http://", "https://")):
        return data
    if issuer not in profiles:
        try:
            profile = (await ctx.fetcher.get(issuer)).json()
            ctx.page(issuer)
        except FetchError:
            profile = None
        profiles[issuer] = profile if isinstance(profile, dict) else None
    found = profiles[issuer]
    return data if found is None else {**data, "issuer": found}
