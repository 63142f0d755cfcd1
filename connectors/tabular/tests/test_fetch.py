"""fetch against a real aiohttp server on loopback serving the fixture files."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from aiohttp import web

from microcred_hub.sdk import FatalFetchError, RawRecord, Unchanged
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.tabular import TabularConnector, TabularOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json"}


def options(config: str, **overrides: object) -> TabularOptions:
    table = tomllib.loads((FIXTURES / config).read_text(encoding="utf-8"))
    table.update(overrides)
    return msgspec.convert(table, TabularOptions)


async def serve_file(request: web.Request) -> web.Response:
    path = FIXTURES / request.match_info["name"]
    if not path.is_file() or path.suffix not in CONTENT_TYPES:
        raise web.HTTPNotFound()
    return web.Response(body=path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])


async def serve_list(request: web.Request) -> web.Response:
    return web.json_response([{"id": "A1", "name": "Bare list entry", "credits": 3}])


@pytest.fixture
async def base() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/files/{name}", serve_file)
    app.router.add_get("/bare-list", serve_list)
    async with Loopback(app) as server:
        yield server.base


async def harvest(url: str, opts: TabularOptions) -> list[RawRecord]:
    items = (await TestFetcher().run(TabularConnector(opts), url, source_key="tab")).items
    assert not any(isinstance(item, Unchanged) for item in items)
    return [item for item in items if isinstance(item, RawRecord)]


async def test_csv_rows_come_with_id_row_number_and_source(base: str) -> None:
    url = f"{base}/files/nz_microcredentials.csv"
    raws = await harvest(url, options("nz_microcredentials.toml"))
    assert [r.local_id for r in raws] == ["MC1001", "MC1002", "MC1003", "MC1004", None]
    assert [r.data["_row"] for r in raws] == [1, 2, 3, 4, 5]
    assert {r.source_url for r in raws} == {url}
    draft = TabularConnector(options("nz_microcredentials.toml")).normalise(raws[0])
    assert draft.title == "Introduction to Beekeeping"
    assert draft.workload is not None and draft.workload.hours == 150.0


async def test_semicolon_csv_in_utf8_with_bom(base: str) -> None:
    opts = options("nl_cursussen.toml")
    raws = await harvest(f"{base}/files/nl_cursussen.csv", opts)
    assert raws[0].local_id == "HU-DB-01"  # the BOM is not part of the first column's name
    assert TabularConnector(opts).normalise(raws[0]).title == "Sustainable building"


async def test_json_records_under_records_path(base: str) -> None:
    opts = options("catalogue.toml")
    raws = await harvest(f"{base}/files/catalogue.json", opts)
    assert [r.local_id for r in raws] == ["501", "502", "503", None]
    assert TabularConnector(opts).normalise(raws[0]).title == "Data Visualisation"


async def test_json_answer_that_is_a_bare_list_needs_no_records_path(base: str) -> None:
    opts = msgspec.convert(
        tomllib.loads(
            'format = "json"\nid_column = "id"\nworkload_unit = "credits"\n'
            '[columns]\ntitle = "name"\nworkload = "credits"\n'
        ),
        TabularOptions,
    )
    (raw,) = await harvest(f"{base}/bare-list", opts)
    draft = TabularConnector(opts).normalise(raw)
    assert draft.workload is not None
    assert (draft.workload.ects, draft.workload.original_unit) == (None, "credits")


async def test_mapped_column_missing_from_the_header_is_fatal_naming_column_and_source(
    base: str,
) -> None:
    url = f"{base}/files/nz_microcredentials.csv"
    opts = options(
        "nz_microcredentials.toml", columns={"title": "Title", "workload": "NZQA Credits"}
    )
    with pytest.raises(FatalFetchError) as caught:
        await harvest(url, opts)
    message = str(caught.value)
    assert url in message
    assert "'NZQA Credits' (mapped to workload) is not in the CSV header" in message
    assert "'Credits'" in message  # what the header does have


async def test_id_column_missing_from_the_header_is_fatal(base: str) -> None:
    opts = options("nz_microcredentials.toml", id_column="Reference")
    with pytest.raises(FatalFetchError, match=r"'Reference' \(mapped to id\)"):
        await harvest(f"{base}/files/nz_microcredentials.csv", opts)


async def test_json_key_no_record_has_is_fatal(base: str) -> None:
    opts = options("catalogue.toml", columns={"title": "title", "level": "eqf_level"})
    with pytest.raises(FatalFetchError, match=r"'eqf_level' \(mapped to level\)"):
        await harvest(f"{base}/files/catalogue.json", opts)


async def test_wrong_records_path_is_fatal_naming_it(base: str) -> None:
    opts = options("catalogue.toml", records_path="data.courses")
    with pytest.raises(FatalFetchError, match=r"records_path 'data\.courses' not found"):
        await harvest(f"{base}/files/catalogue.json", opts)


async def test_json_object_without_records_path_is_fatal_with_the_fix(base: str) -> None:
    table = tomllib.loads((FIXTURES / "catalogue.toml").read_text(encoding="utf-8"))
    del table["records_path"]
    opts = msgspec.convert(table, TabularOptions)
    with pytest.raises(FatalFetchError, match="set records_path"):
        await harvest(f"{base}/files/catalogue.json", opts)


async def test_wrong_encoding_is_fatal_naming_the_encoding(base: str) -> None:
    opts = options("nz_microcredentials.toml", encoding="ascii")
    with pytest.raises(FatalFetchError, match="not valid ascii"):
        await harvest(f"{base}/files/nz_microcredentials.csv", opts)
