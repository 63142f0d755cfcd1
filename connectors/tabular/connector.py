"""The tabular connector: any CSV or JSON list, mapped by the source's declarative config."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from microcred_hub.sdk import (
    ConnectorInfo,
    ConnectorOptions,
    JSONObject,
    RawRecord,
    RecordDraft,
    Unchanged,
)

from .mapping import normalise_row
from .options import TabularOptions
from .reading import csv_rows, decode, decode_json, json_rows, lookup

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from microcred_hub.sdk import HarvestContext

_ACCEPT = {
    "csv": "text/csv, text/plain;q=0.9, */*;q=0.5",
    "json": "application/json",
}


class TabularConnector:
    """Reads each of the source's URLs as one CSV file or JSON list; one record per row."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="tabular",
        version="1.0.0",
        description="Any CSV file or JSON list mapped to the record by a declarative column "
        "mapping in the config, no code",
        register="any CSV/JSON list (declarative mapping)",
        formats=("csv", "json"),
    )
    options_type: ClassVar[type[ConnectorOptions]] = TabularOptions

    def __init__(self, options: TabularOptions) -> None:
        self.options = options

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        opts = self.options
        for url in ctx.urls:
            # a file is all-or-nothing: a 304 means every row it gave last time still stands
            response = await ctx.fetcher.get(url, accept=_ACCEPT[opts.format], conditional=True)
            ctx.page(url)
            if response.not_modified:
                yield Unchanged(source_url=url)
                continue
            text = decode(response.body, opts, url)
            rows = (
                csv_rows(text, opts, url)
                if opts.format == "csv"
                else (json_rows(decode_json(text, url), opts, url))
            )
            for row in rows:
                if isinstance(row, RawRecord):
                    yield row  # refused while reading, with its reason
                else:
                    yield RawRecord(data=row, local_id=self._local_id(row), source_url=url)

    def _local_id(self, row: JSONObject) -> str | None:
        value = lookup(row, self.options.id_column)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value.strip() or None if isinstance(value, str) else None

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return normalise_row(raw, self.options)
