"""fetch against a real loopback document source (aiohttp) through the real HttpFetcher:
one document, a JSON array of documents, and a {"documents": [...]} listing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import msgspec
import pytest

from microcred_hub.sdk import ConnectorOptions, FatalFetchError, RawRecord
from microcred_hub_connectors.elm import ElmConnector, ElmOptions

if TYPE_CHECKING:
    from conftest import Harvested, Source  # type: ignore[import-not-found]

Harvest = Callable[..., Awaitable["Harvested"]]

ANNEX1_ID = "urn:credential:7d1c4a52-0b6e-4f7e-9d1a-5e2f3c9b8a10#urn:epass:qualification:1"
ROBOTICS = "https://qualifications.example.de/spec/robotics-safety"
EVERY_ID = [
    ANNEX1_ID,
    ROBOTICS,
    ROBOTICS + "/module-1",
    "https://courses.example.nl/lo/urban-heat-2025#urn:epass:learningAchievementSpec:1",
]


async def test_one_document_url_gives_its_records(source: Source, harvest: Harvest) -> None:
    records, quarantined, fetched = await harvest(source.url("/docs/qualification-arrays.jsonld"))
    assert [r.local_id for r in records] == [ROBOTICS, ROBOTICS + "/module-1"]
    assert quarantined == []
    assert {item.source_url for item in fetched} == {
        source.url("/docs/qualification-arrays.jsonld")
    }


async def test_array_of_documents_gives_the_records_of_each(
    source: Source, harvest: Harvest
) -> None:
    records, quarantined, _ = await harvest(source.url("/all.json"))
    assert [r.local_id for r in records] == EVERY_ID
    assert [q.reason for q in quarantined] == ["specification has no title"]
    assert source.paths == ["/all.json"]


async def test_listing_fetches_every_listed_document(source: Source, harvest: Harvest) -> None:
    records, quarantined, fetched = await harvest(source.url("/listing.json"))
    assert sorted(r.local_id for r in records) == sorted(EVERY_ID)
    assert [q.local_id for q in quarantined] == [
        "https://qualifications.example.de/spec/untitled-draft"
    ]
    assert sorted(source.paths) == sorted(
        ["/listing.json", "/docs/annex1-micro-credential.jsonld",
         "/docs/qualification-arrays.jsonld", "/docs/opportunity-graph-p3m.jsonld",
         "/docs/malformed-no-title.jsonld"]
    )  # fmt: skip
    by_id = {item.local_id: item for item in fetched if isinstance(item, RawRecord)}
    assert by_id[ANNEX1_ID].source_url == source.url("/docs/annex1-micro-credential.jsonld")


async def test_several_urls_are_read_in_turn(source: Source, harvest: Harvest) -> None:
    records, _, _ = await harvest(
        source.url("/docs/annex1-micro-credential.jsonld"),
        source.url("/docs/opportunity-graph-p3m.jsonld"),
    )
    assert [r.local_id for r in records] == [EVERY_ID[0], EVERY_ID[3]]


async def test_missing_document_url_fails_the_fetch(source: Source, harvest: Harvest) -> None:
    with pytest.raises(FatalFetchError):
        await harvest(source.url("/docs/does-not-exist.jsonld"))


async def test_raw_records_carry_no_learner_data_or_images(
    source: Source, harvest: Harvest
) -> None:
    _, _, fetched = await harvest(source.url("/docs/annex1-micro-credential.jsonld"))
    (raw,) = fetched
    assert isinstance(raw, RawRecord)
    encoded = msgspec.json.encode(raw.data)
    assert b"Siobh" not in encoded  # the learner's name
    assert b"iVBORw0KGgo" not in encoded  # base64 logos and display images


def test_options_decode_from_the_source_table_and_refuse_unknown_keys() -> None:
    assert ElmConnector.options_type is ElmOptions
    assert issubclass(ElmOptions, ConnectorOptions)
    options = msgspec.convert({"concurrency": 2, "hours_per_ects": 25}, ElmOptions)
    assert (options.concurrency, options.hours_per_ects) == (2, 25.0)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"concurency": 2}, ElmOptions)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"concurrency": 0}, ElmOptions)


def test_connector_declares_itself() -> None:
    info = ElmConnector.info
    assert (info.name, info.version, info.formats) == ("elm", "1.0.0", ("elm-v3-jsonld",))
    assert info.register == "Europass / European Learning Model v3"
