"""Every source shape read over real HTTP from a loopback registry mirror."""

from __future__ import annotations

import pytest

from microcred_hub.sdk import (
    CredentialType,
    FatalFetchError,
    InvalidRecordError,
    RawRecord,
    RecordDraft,
    Status,
    Unchanged,
)
from microcred_hub_connectors.ctdl import CtdlConnector, CtdlOptions

MICRO = "ce-32d7d3b8-f05a-4e8e-a5f2-3cf836d6f174"
COURSE = "ce-fc6b5985-db68-452f-9765-67a5bebe458b"
LEGACY = "urn:ctid:3f71f6d9-4779-459d-8286-728c648fbbd6"
SQL_COURSE = "ce-a99312de-4fee-4504-85c4-981c4719fee9"
BADGE = "ce-aca6c4f0-d82d-4ac9-a460-41600afbf5f3"
LAKESIDE = "ce-f345cd2c-98f1-4c19-9071-d9d5f8c6741e"


def raws(items: list[RawRecord | Unchanged]) -> list[RawRecord]:
    assert all(isinstance(item, RawRecord) for item in items)
    return [item for item in items if isinstance(item, RawRecord)]


def normalised(items: list[RawRecord | Unchanged]) -> dict[str, RecordDraft]:
    connector = CtdlConnector()
    return {raw.local_id or "": connector.normalise(raw) for raw in raws(items)}


async def test_one_graph_document_gives_its_records(registry_server, harvest) -> None:
    server = await registry_server()
    url = server.make_url("/docs/graph_microcredential.json")
    items, pages = await harvest(CtdlConnector(), url)
    records = normalised(items)
    assert set(records) == {MICRO, COURSE}
    assert records[MICRO].awarding_bodies[0].name == "Northwind Community College"
    assert {raw.source_url for raw in raws(items)} == {url}
    assert pages == [url]


async def test_an_array_of_documents_keeps_the_malformed_one_for_quarantine(
    registry_server, harvest
) -> None:
    server = await registry_server()
    items, _ = await harvest(CtdlConnector(), server.make_url("/array"))
    found = raws(items)
    assert [raw.local_id for raw in found] == [
        MICRO,
        COURSE,
        LEGACY,
        "ce-0b9d1f6e-5a3c-4e2b-9d7a-6c1e2f3a4b5c",
    ]
    with pytest.raises(InvalidRecordError):
        CtdlConnector().normalise(found[-1])


async def test_a_listing_of_document_urls_is_fetched(registry_server, harvest) -> None:
    server = await registry_server()
    items, pages = await harvest(CtdlConnector(), server.make_url("/listing"))
    assert set(normalised(items)) == {MICRO, COURSE, LEGACY}
    assert len(pages) == 3  # the listing and its two documents


async def test_envelope_pages_follow_the_link_header(registry_server, harvest) -> None:
    server = await registry_server()
    url = server.make_url("/ce-registry/envelopes")
    items, pages = await harvest(CtdlConnector(CtdlOptions(per_page=3)), url)
    records = normalised(items)
    # Organisation and assessment envelopes are no records; the deleted envelope is gone.
    assert set(records) == {MICRO, SQL_COURSE, BADGE}
    requested = server.requests
    assert requested[0] == "/ce-registry/envelopes?per_page=3"
    assert "/ce-registry/envelopes?page=2&per_page=3" in requested
    assert len([p for p in pages if "envelopes" in p]) == 2


async def test_envelope_updated_at_and_blank_node_owner(registry_server, harvest) -> None:
    server = await registry_server()
    items, _ = await harvest(CtdlConnector(), server.make_url("/ce-registry/envelopes"))
    record = normalised(items)[MICRO]
    assert record.updated_at is not None
    assert record.updated_at.isoformat() == "2024-03-02T09:30:00+00:00"
    assert record.issuer_country == ("US",)


async def test_an_owner_published_on_a_later_page_is_fetched_once_by_its_url(
    registry_server, harvest
) -> None:
    server = await registry_server()
    items, _ = await harvest(CtdlConnector(), server.make_url("/ce-registry/envelopes"))
    records = normalised(items)
    course, badge = records[SQL_COURSE], records[BADGE]
    assert [b.name for b in course.awarding_bodies] == ["Lakeside Technical Institute"]
    assert course.issuer_country == ("US",)
    assert course.workload is not None
    assert course.workload.hours == 40.0
    # The badge on page 2 finds the organisation already known: no second request.
    assert [b.name for b in badge.awarding_bodies] == ["Lakeside Technical Institute"]
    assert server.requests.count(f"/resources/{LAKESIDE}") == 1
    assert badge.credential_type is CredentialType.BADGE


async def test_without_reference_resolution_an_unknown_owner_is_a_warning(
    registry_server, harvest
) -> None:
    server = await registry_server()
    connector = CtdlConnector(CtdlOptions(resolve_references=False))
    items, _ = await harvest(connector, server.make_url("/ce-registry/envelopes"))
    course = normalised(items)[SQL_COURSE]
    assert course.awarding_bodies == ()
    assert any(LAKESIDE in w for w in course.warnings)
    assert not any(r.startswith("/resources/") for r in server.requests)


async def test_a_paging_loop_stops_after_each_page_was_read_once(registry_server, harvest) -> None:
    server = await registry_server()
    items, _ = await harvest(CtdlConnector(), server.make_url("/loop/envelopes?page=1"))
    assert len(raws(items)) == 3
    assert len([r for r in server.requests if "envelopes" in r]) == 2


async def test_more_pages_than_max_pages_fails_the_source(registry_server, harvest) -> None:
    server = await registry_server()
    connector = CtdlConnector(CtdlOptions(max_pages=1))
    with pytest.raises(FatalFetchError, match="max_pages"):
        await harvest(connector, server.make_url("/ce-registry/envelopes"))


async def test_a_query_answer_uses_its_related_items_and_follows_next(
    registry_server, harvest
) -> None:
    server = await registry_server()
    items, _ = await harvest(CtdlConnector(), server.make_url("/assistant/search/ctdl"))
    records = normalised(items)
    program = records["ce-7a72fd8a-a975-42cd-b18e-2bdf1d821c95"]
    cert = records["ce-d4be0197-29fa-4e07-818a-3df42963efe9"]
    assert program.credential_type is CredentialType.PROGRAMME
    assert program.awarding_bodies[0].name == "Lakeside Technical Institute"
    assert program.workload is not None
    assert program.workload.hours is None  # P9M is a calendar span, not a workload
    assert cert.credential_type is CredentialType.CERTIFICATE
    assert cert.status is Status.WITHDRAWN  # lifeCycle:Ceased
    requested = server.requests
    assert "/assistant/search/ctdl?page=2" in requested
    assert not any(r.startswith("/resources/") for r in requested)  # RelatedItems sufficed


async def test_several_urls_are_all_read(registry_server, harvest) -> None:
    server = await registry_server()
    first = server.make_url("/docs/legacy_certificate.json")
    second = server.make_url("/docs/graph_microcredential.json")
    items, _ = await harvest(CtdlConnector(), first, second)
    assert [raw.local_id for raw in raws(items)] == [LEGACY, MICRO, COURSE]


async def test_a_missing_document_is_a_fatal_fetch_error(registry_server, harvest) -> None:
    server = await registry_server()
    with pytest.raises(FatalFetchError):
        await harvest(CtdlConnector(), server.make_url("/docs/nothing-here.json"))


def test_options_reject_a_zero_page_size() -> None:
    with pytest.raises(ValueError, match="per_page"):
        CtdlOptions(per_page=0)


def test_connector_declares_itself() -> None:
    info = CtdlConnector.info
    assert (info.name, info.version, info.country) == ("ctdl", "1.0.0", "US")
    assert info.register == "Credential Engine Registry (CTDL)"
    assert info.formats == ("ctdl-jsonld",)
    assert CtdlConnector.options_type is CtdlOptions
