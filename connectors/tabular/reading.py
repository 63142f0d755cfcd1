"""Reading a fetched CSV/JSON body into rows, and checking that the mapped columns exist."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import msgspec

from microcred_hub.sdk import JSON, FatalFetchError, JSONObject, RawRecord, reject

from .options import TabularOptions

ROW = "_row"  # 1-based number of the record in its file (the CSV header is not a row)
LINE = "_line"  # CSV only: the file line the record starts on, as a spreadsheet shows it


#: The fetcher's max_bytes already bounds a document; the csv module's own 128 KiB cell limit
#: would fail a whole harvest over one long cell, so it is raised to match.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


def _find(data: JSONObject, column: str) -> tuple[bool, JSON]:
    """(found, value): the key itself, else (JSON) a dotted path into nested objects."""
    if column in data:
        return True, data[column]
    node: JSON = data
    for part in column.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def lookup(data: JSONObject, column: str) -> JSON:
    """A column's value: the key itself, else (JSON) a dotted path into nested objects."""
    return _find(data, column)[1]


def _has(data: JSONObject, column: str) -> bool:
    return _find(data, column)[0]


def mapped_columns(options: TabularOptions) -> dict[str, str]:
    """column -> the field it feeds (the id column first), for error messages."""
    out = {options.id_column: "id"}
    for field, column in options.columns.items():
        out.setdefault(column, field)
    return out


def _missing(
    options: TabularOptions, url: str, present: list[str], what: str, available: list[str]
) -> None:
    for column, field in mapped_columns(options).items():
        if column not in present:
            shown = ", ".join(repr(c) for c in available[:40]) or "nothing"
            raise FatalFetchError(
                f"{url}: column {column!r} (mapped to {field}) is not in the {what}; found "
                f"{shown}; fix the source's columns mapping or the file",
                url=url,
            )


def decode(body: bytes, options: TabularOptions, url: str) -> str:
    try:
        return body.decode(options.encoding)
    except UnicodeDecodeError as exc:
        raise FatalFetchError(
            f"{url}: not valid {options.encoding} ({exc.reason} at byte {exc.start}); "
            "set the source's encoding",
            url=url,
        ) from None


def csv_rows(text: str, options: TabularOptions, url: str) -> Iterator[JSONObject]:
    reader = csv.DictReader(
        io.StringIO(text, newline=""), delimiter=options.delimiter, restkey="_extra"
    )
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header  # " ECTS " in a header is the ECTS column
    _missing(options, url, header, "CSV header", header)
    line = reader.line_num
    for number, record in enumerate(reader, start=1):
        row: JSONObject = {k: v for k, v in record.items() if isinstance(k, str)}
        extra = record.get("_extra")
        if isinstance(extra, list):
            row["_extra"] = [str(item) for item in extra]
        row[ROW] = number
        row[LINE] = line + 1
        line = reader.line_num
        yield row


def json_rows(body: JSON, options: TabularOptions, url: str) -> Iterator[JSONObject | RawRecord]:
    """The records as rows; an entry that is not an object comes refused (``reject``)."""
    records = body
    if options.records_path:
        for part in options.records_path.split("."):
            if not isinstance(records, dict) or part not in records:
                raise FatalFetchError(
                    f"{url}: records_path {options.records_path!r} not found (no {part!r}); "
                    "fix the source's records_path",
                    url=url,
                )
            records = records[part]
    if not isinstance(records, list):
        hint = "set records_path to the list" if isinstance(records, dict) else "fix records_path"
        raise FatalFetchError(
            f"{url}: expected a JSON list of records, got a JSON {type(records).__name__}; {hint}",
            url=url,
        )
    objects = [r for r in records if isinstance(r, dict)]
    if objects:
        # JSON has no header: a mapped key that no record has is a mapping error
        present = [c for c in mapped_columns(options) if any(_has(r, c) for r in objects)]
        keys = list(dict.fromkeys(k for r in objects[:50] for k in r))
        _missing(options, url, present, "records (no record has it)", keys)
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            yield {**record, ROW: number}
        else:
            reason = f"row {number}: a JSON {type(record).__name__}, not an object"
            yield reject(record, reason, source_url=url)


def decode_json(text: str, url: str) -> JSON:
    try:
        value: JSON = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise FatalFetchError(
            f"{url}: not valid JSON ({exc}); check the source url", url=url
        ) from exc
    return value
