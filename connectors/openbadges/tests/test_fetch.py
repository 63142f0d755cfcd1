"""fetch against a real aiohttp server on loopback serving the fixture documents."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from aiohttp import web

from microcred_hub.sdk import (
    FatalFetchError,
    InvalidRecordError,
    RawRecord,
    Unchanged,
)
from microcred_hub.testing import Loopback, TestFetcher
from microcred_hub_connectors.openbadges import OpenBadgesConnector, OpenBadgesOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PUBLISHED_BASE = "https://badges.example.org"  # the fixtures' host, replaced by the server's


class Register:
    """An Open Badges publisher: documents under /f/, a listing, an issuer profile."""

    def __init__(self) -> None:
        self.issuer_requests = 0
        self.issuer_status = 200
        self.server: Loopback | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.base

    def _serve(self, name: str) -> web.Response:
        body = (FIXTURES / name).read_text(encoding="utf-8").replace(PUBLISHED_BASE, self.base)
        return web.Response(text=body, content_type="application/ld+json")

    async def document(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not (FIXTURES / name).is_file():
            raise web.HTTPNotFound()
        return self._serve(name)

    async def listing(self, request: web.Request) -> web.Response:
        names = ["ob3_achievement_microcredential.json", "ob3_credential_educredential_ects.json"]
        return web.json_response({"documents": [f"{self.base}/f/{n}" for n in names]})

    async def issuer(self, request: web.Request) -> web.Response:
        self.issuer_requests += 1
        if self.issuer_status != 200:
            raise web.HTTPNotFound()
        return self._serve("ob2_issuer.json")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/f/{name}", self.document)
        app.router.add_get("/listing", self.listing)
        app.router.add_get("/public/issuers/{id}", self.issuer)
        return app


@pytest.fixture
async def register() -> AsyncIterator[Register]:
    reg = Register()
    async with Loopback(reg.app()) as server:
        reg.server = server
        yield reg


async def harvest(
    url: str, options: OpenBadgesOptions | None = None
) -> list[RawRecord | Unchanged]:
    return (await TestFetcher().run(OpenBadgesConnector(options), url, source_key="ob")).items


def records(items: list[RawRecord | Unchanged]) -> list[RawRecord]:
    assert all(isinstance(item, RawRecord) for item in items)
    return [item for item in items if isinstance(item, RawRecord)]


async def test_url_answering_one_document_gives_one_record(register: Register) -> None:
    url = f"{register.base}/f/ob3_achievement_microcredential.json"
    (raw,) = records(await harvest(url))
    assert raw.local_id == f"{register.base}/achievements/data-literacy-101"
    assert raw.source_url == url
    assert OpenBadgesConnector().normalise(raw).title == "Data Literacy Foundations"


async def test_array_gives_every_entry_and_bad_entries_are_quarantined(
    register: Register,
) -> None:
    raws = records(await harvest(f"{register.base}/f/ob3_array.json"))
    assert len(raws) == 3
    connector = OpenBadgesConnector()
    assert connector.normalise(raws[0]).credential_type == "CERTIFICATE"
    with pytest.raises(InvalidRecordError, match="no id"):
        connector.normalise(raws[1])
    assert raws[2].rejected == "listed document is a JSON int, not an object"


async def test_documents_listing_fetches_each_listed_document(register: Register) -> None:
    raws = records(await harvest(f"{register.base}/listing"))
    assert sorted(r.local_id or "" for r in raws) == [
        f"{register.base}/achievements/data-literacy-101",
        f"{register.base}/achievements/duurzaam-bouwen",
    ]
    assert {r.source_url for r in raws} == {
        f"{register.base}/f/ob3_achievement_microcredential.json",
        f"{register.base}/f/ob3_credential_educredential_ects.json",
    }


async def test_ob2_issuer_given_as_a_url_is_read_once_and_names_the_awarding_body(
    register: Register,
) -> None:
    url = f"{register.base}/f/ob2_badgeclass.json"
    fetched = await TestFetcher().run(OpenBadgesConnector(), url, url, source_key="ob")
    raws = records(fetched.items)
    assert register.issuer_requests == 1  # two badge classes, one issuer: read once
    (body,) = OpenBadgesConnector().normalise(raws[0]).awarding_bodies
    assert body.name == "Universiteit Leiden - Faculteit Geesteswetenschappen"
    assert body.id == f"{register.base}/public/issuers/Qm1xLrT0S7yB2cVnWd8eFg"


async def test_unreadable_issuer_costs_the_awarding_body_not_the_record(
    register: Register,
) -> None:
    register.issuer_status = 404
    (raw,) = records(await harvest(f"{register.base}/f/ob2_badgeclass.json"))
    draft = OpenBadgesConnector().normalise(raw)
    assert draft.title == "Onderzoeksvaardigheden"
    assert draft.awarding_bodies == ()
    assert any("issuer profile" in w for w in draft.warnings)


async def test_fetch_issuers_off_reads_no_profile(register: Register) -> None:
    options = msgspec.convert(tomllib.loads("fetch_issuers = false"), OpenBadgesOptions)
    records(await harvest(f"{register.base}/f/ob2_badgeclass.json", options))
    assert register.issuer_requests == 0


async def test_missing_document_url_is_a_fatal_fetch_error(register: Register) -> None:
    with pytest.raises(FatalFetchError, match="404"):
        await harvest(f"{register.base}/f/nothing-here.json")


def test_options_decode_from_the_source_table() -> None:
    options = msgspec.convert(tomllib.loads("concurrency = 2"), OpenBadgesOptions)
    assert (options.concurrency, options.fetch_issuers) == (2, True)
    with pytest.raises(msgspec.ValidationError, match="unknown"):
        msgspec.convert(tomllib.loads("concurency = 2"), OpenBadgesOptions)
