"""A loopback ELM document source serving this connector's fixtures, and helpers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from microcred_hub.sdk import (
    InvalidRecordError,
    JSONObject,
    RawRecord,
    RecordDraft,
    Unchanged,
)
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.elm import ElmConnector, envelopes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCUMENTS = (
    "annex1-micro-credential.jsonld",
    "qualification-arrays.jsonld",
    "opportunity-graph-p3m.jsonld",
    "malformed-no-title.jsonld",
)


Harvested = tuple[list[RecordDraft], list[InvalidRecordError], list[RawRecord | Unchanged]]


def _load(name: str) -> JSONObject:
    loaded: JSONObject = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def _records_of(
    document: JSONObject, connector: ElmConnector | None = None, url: str = "http://x/doc"
) -> list[RecordDraft]:
    elm = connector or ElmConnector()
    return [elm.normalise(RawRecord(data=envelope)) for envelope in envelopes(document, url)]


@pytest.fixture
def load() -> Callable[[str], JSONObject]:
    """A fixture document by file name, as parsed JSON."""
    return _load


@pytest.fixture
def records_of() -> Callable[..., list[RecordDraft]]:
    """Normalise every record of one document, as fetch would hand them over."""
    return _records_of


@dataclass
class Source:
    """A document source on loopback: what it serves and which paths were asked for."""

    paths: list[str] = field(default_factory=list)
    server: Loopback = field(init=False)

    def url(self, path: str) -> str:
        return self.server.url(path)


def _app(source: Source) -> web.Application:
    async def document(request: web.Request) -> web.Response:
        source.paths.append(request.path)
        path = FIXTURES / request.match_info["name"]
        if not path.is_file():
            return web.json_response({"error": "not found"}, status=404)
        return web.Response(body=path.read_bytes(), content_type="application/ld+json")

    async def array(request: web.Request) -> web.Response:
        source.paths.append(request.path)
        return web.json_response([_load(name) for name in DOCUMENTS])

    async def listing(request: web.Request) -> web.Response:
        source.paths.append(request.path)
        return web.json_response({"documents": [source.url(f"/docs/{n}") for n in DOCUMENTS]})

    app = web.Application()
    app.router.add_get("/docs/{name}", document)
    app.router.add_get("/all.json", array)
    app.router.add_get("/listing.json", listing)
    return app


@pytest.fixture
async def source() -> AsyncIterator[Source]:
    holder = Source()
    async with Loopback(_app(holder)) as server:
        holder.server = server
        yield holder


async def _harvest(*urls: str, connector: ElmConnector | None = None) -> Harvested:
    elm = connector or ElmConnector()
    fetched = (await TestFetcher().run(elm, urls[0], *urls[1:], source_key="elm")).items
    records: list[RecordDraft] = []
    quarantined: list[InvalidRecordError] = []
    for item in fetched:
        if isinstance(item, RawRecord):
            try:
                records.append(elm.normalise(item))
            except InvalidRecordError as exc:
                quarantined.append(exc)
    return records, quarantined, fetched


@pytest.fixture
def harvest() -> Callable[..., Awaitable[Harvested]]:
    """fetch then normalise, as the hub does: (records, quarantined, everything fetched)."""
    return _harvest
