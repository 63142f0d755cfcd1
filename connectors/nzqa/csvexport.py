"""The CSV export: one header row, UTF-8 with BOM, CRLF, quoted cells; rows become feed records."""

from __future__ import annotations

import csv
import io

from microcred_hub.sdk import JSON, FatalFetchError, HarvestContext, JSONObject, RawRecord

from .dedupe import Page, entries_of, reference_of
from .mapping import COMBINED_STATEMENT, CSV_MARKER

#: export header (case- and space-insensitive) -> the JSON feed's key
COLUMNS: dict[str, str] = {
    "reference": "reference",
    "version": "version",
    "title": "title",
    "credits": "credits",
    "level": "level",
    "nzsced": "nzsced",
    "developer": "developer",
    "providers": "providers",
    "approval date": "approvalDate",
    "review period (years)": "reviewPeriodYears",
    "status": "status",
    "quality assurance body": "qualityAssuranceBody",
    "purpose and outcome statement": COMBINED_STATEMENT,
    "url": "url",
}


#: The fetcher's max_bytes already bounds a document; the csv module's own 128 KiB cell limit
#: would fail a whole harvest over one long cell, so it is raised to match.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


async def read_export(ctx: HarvestContext, url: str) -> Page:
    """The whole export as one page; a 304 gives an unchanged page."""
    response = await ctx.fetcher.get(url, accept="text/csv", conditional=True)
    ctx.page(url)
    if response.not_modified:
        return Page(url=url, next_url=None, records=None, entries=())
    records = tuple(
        RawRecord(data=row, local_id=reference_of(row), source_url=url)
        for row in parse_export(url, response.text())
    )
    return Page(url=url, next_url=None, records=records, entries=entries_of(records))


def parse_export(url: str, text: str) -> list[JSONObject]:
    """Rows as feed records with the JSON keys; cell values stay as published (strings)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    if header is None:
        return []
    keys = [COLUMNS.get(" ".join(name.split()).casefold()) for name in header]
    if "reference" not in keys:
        raise FatalFetchError(
            f"{url}: no Reference column in the CSV header {header!r}; is this the NZQA-like "
            'export (or should the source use format = "json")?',
            url=url,
        )
    rows: list[JSONObject] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row: JSONObject = {CSV_MARKER: "csv"}
        for key, cell in zip(keys, cells, strict=False):
            if key is not None:
                row[key] = _cell(key, cell)
        rows.append(row)
    return rows


def _cell(key: str, cell: str) -> JSON:
    if key == "developer":
        return {"name": cell} if cell.strip() else None
    if key == "providers":
        # Several providers share one cell, separated by "; ".
        names: list[JSON] = [{"name": part.strip()} for part in cell.split(";") if part.strip()]
        return names
    return cell
