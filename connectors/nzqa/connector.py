"""The ``nzqa`` connector: NZQA-like micro-credential listings, paged JSON or a CSV export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from microcred_hub.sdk import (
    ConnectorContractError,
    ConnectorInfo,
    ConnectorOptions,
    HarvestContext,
    RawRecord,
    RecordDraft,
    Unchanged,
)

from .csvexport import read_export
from .dedupe import kept, winners
from .feed import PageMemory, first_page_url
from .mapping import normalise_record
from .stream import stream_feed

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class NzqaOptions(ConnectorOptions, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Config keys of an ``nzqa`` source (the rest of its ``[[sources]]`` table)."""

    format: Literal["json", "csv"] = "json"
    #: sent as ``pageSize`` on the first page; later pages follow the register's ``next`` links
    page_size: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 100
    #: send ``updatedSince=<last harvest>`` when the register supports it; the hub then keeps
    #: listings not returned (see README "Incremental harvests")
    incremental: bool = False
    #: with ``incremental``: a full pass (which detects withdrawals) at least this often
    full_every_hours: Annotated[float, msgspec.Meta(gt=0)] = 24.0
    #: zone of zone-less timestamps (the feed's own carry +12:00 / +13:00)
    timezone: str = "Pacific/Auckland"
    #: a real feed has tens of pages; an endless one stops here (and at max_total_bytes)
    max_pages: Annotated[int, msgspec.Meta(ge=1)] = 1_000

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # msgspec reports this as a validation error on the source's table.
            raise ValueError(
                f"timezone {self.timezone!r} is not an IANA zone name such as 'Pacific/Auckland'"
            ) from exc


class NzqaConnector:
    """Reads the feed of samples/nzqa/README.md; see this folder's README for every rule."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="nzqa",
        version="1.0.0",
        description=(
            "NZQA-like micro-credential feed: paged JSON (conditional GET, incremental option) "
            "or the CSV export"
        ),
        register="NZQA-like micro-credential listings (NZQCF)",
        country="NZ",
        formats=("json", "csv"),
        homepage="https://www.nzqa.govt.nz/",
    )
    options_type: ClassVar[type[ConnectorOptions]] = NzqaOptions

    def __init__(self, options: NzqaOptions | None = None) -> None:
        self.options = options if options is not None else NzqaOptions()

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        """Every listing, de-duplicated by reference (higher version wins) across all pages.

        The JSON feed streams: each page's listings are yielded as the page arrives, and a
        higher version met later replaces the one given (``RawRecord.replaces``). The CSV
        export is one document, read whole.
        """
        if self.options.format == "csv":
            pages = [await read_export(ctx, ctx.url)]
            if pages[0].records is None:
                yield Unchanged(source_url=pages[0].url)
            for raw in kept(pages, winners(pages), 0):
                yield raw
            return
        memory = PageMemory.from_json(ctx.state.value)
        since = self._since(ctx, memory)
        if since is not None:
            ctx.partial()  # only changed listings come back: the hub must not withdraw the rest
        url = first_page_url(ctx.url, page_size=self.options.page_size, since=since)
        async for item in stream_feed(
            ctx, url, max_pages=self.options.max_pages, memory=memory, full=since is None
        ):
            yield item
        try:
            ctx.state.set(memory.to_json())
        except ConnectorContractError:
            ctx.state.clear()  # a register too large to remember: 304 pages are re-read

    def _since(self, ctx: HarvestContext, memory: PageMemory) -> datetime | None:
        """``updatedSince`` for an incremental pass, or None for a full one.

        A full pass (the only way to see withdrawals) runs first and then every
        ``full_every_hours``, whichever replica harvests: its time is kept in the state.
        """
        now = datetime.now(UTC)
        every = timedelta(hours=self.options.full_every_hours)
        last_full = _parse_time(memory.last_full)
        if not self.options.incremental or ctx.since is None:
            # Kept to a tenth of the period: the state then changes (and is written back) only
            # when a page did, and an incremental pass at worst runs its full pass sooner.
            if last_full is None or now - last_full >= every / 10:
                memory.last_full = now.isoformat()
            return None
        if last_full is None or now - last_full >= every:
            memory.last_full = now.isoformat()
            return None
        return ctx.since

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_record(raw.data, timezone=self.options.timezone)


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
