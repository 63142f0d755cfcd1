"""The elm connector: document sources (one document, an array, or a listing of URLs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from microcred_hub.sdk import (
    ConnectorInfo,
    ConnectorOptions,
    RawRecord,
    RecordDraft,
    Unchanged,
    fetch_documents,
)

from .documents import envelopes
from .mapping import normalise_elm

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from microcred_hub.sdk import HarvestContext


class ElmOptions(ConnectorOptions, frozen=True, kw_only=True):
    """The ``[[sources]]`` keys of an elm source besides key/connector/url."""

    concurrency: int = 8  # listed documents fetched at once
    hours_per_ects: float = 27.5  # RECORD.md: midpoint of the 25-30 h range

    def __post_init__(self) -> None:
        self.require_at_least(1, "concurrency")
        if not 0 < self.hours_per_ects <= 100:
            raise ValueError("hours_per_ects must be above 0 and at most 100")


class ElmConnector:
    """Europass / ELM v3 JSON-LD: one record per learning achievement specification."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="elm",
        version="1.0.0",
        description="Europass / European Learning Model v3 JSON-LD credentials and specifications",
        register="Europass / European Learning Model v3",
        formats=("elm-v3-jsonld",),
        homepage="https://europa.eu/europass/elm-browser/index.html",
    )
    options_type: ClassVar[type[ConnectorOptions]] = ElmOptions

    def __init__(self, options: ElmOptions | None = None) -> None:
        self.options = options or ElmOptions()

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        async for item in fetch_documents(ctx, concurrency=self.options.concurrency):
            if isinstance(item, Unchanged):
                yield item
                continue
            for envelope in envelopes(item.data, item.url):
                local_id = envelope.get("localId")
                yield RawRecord(
                    data=envelope,
                    local_id=local_id if isinstance(local_id, str) else None,
                    source_url=item.url,
                )

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_elm(raw.data, hours_per_ects=self.options.hours_per_ects)
