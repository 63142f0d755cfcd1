"""The one fetch -> normalise loop: what counts as a record, a rejection or a connector bug."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from microcred_hub.contract import (
    ConnectorInfo,
    ConnectorOptions,
    HarvestContext,
    RawRecord,
    Unchanged,
)
from microcred_hub.errors import ConnectorContractError, InvalidRecordError
from microcred_hub.pipeline import Normalised, Rejected, fetch_and_normalise, normalise_one
from microcred_hub.record import RecordDraft


class Mapper:
    """normalise() does what the record's ``do`` says."""

    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="pipeline", version="1.0.0", description="test", register="test"
    )
    options_type: ClassVar[type[ConnectorOptions]] = ConnectorOptions

    def __init__(self, items: list[RawRecord | Unchanged | str] | None = None) -> None:
        self.items = items or []

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        for item in self.items:
            yield item  # type: ignore[misc]  # a str here is the connector bug under test

    def normalise(self, raw: RawRecord) -> RecordDraft:
        do = raw.data["do"]
        if do == "ok":
            return RecordDraft(local_id="1", title="A badge")
        if do == "invalid":
            raise InvalidRecordError("no title in the register", local_id="7")
        if do == "untitled":
            return RecordDraft(local_id="1", title="")
        if do == "dict":
            return {"title": "not a draft"}  # type: ignore[return-value]
        if do == "deep":
            raise RecursionError
        raise KeyError("title")


def raw(do: str) -> RawRecord:
    return RawRecord(data={"do": do}, local_id="raw-id")


def test_a_mapped_record_comes_out_normalised() -> None:
    item = normalise_one(Mapper(), raw("ok"))
    assert isinstance(item, Normalised)
    assert item.draft.title == "A badge"


def test_invalid_record_error_is_a_rejection_with_its_reason_and_id() -> None:
    item = normalise_one(Mapper(), raw("invalid"))
    assert isinstance(item, Rejected)
    assert (item.reason, item.local_id, item.connector_bug) == (
        "no title in the register",
        "7",
        False,
    )


def test_a_record_nested_too_deeply_is_rejected_not_a_bug() -> None:
    item = normalise_one(Mapper(), raw("deep"))
    assert isinstance(item, Rejected)
    assert (item.reason, item.connector_bug) == ("record nested too deeply to read", False)


@pytest.mark.parametrize(
    ("do", "reason"),
    [
        ("crash", "normalise failed: KeyError: 'title'"),
        ("dict", "connector bug: normalise returned dict, not a RecordDraft"),
        ("untitled", "normalised record has no id or no title"),
    ],
)
def test_a_connector_bug_is_rejected_and_marked_as_a_bug(do: str, reason: str) -> None:
    item = normalise_one(Mapper(), raw(do))
    assert isinstance(item, Rejected)
    assert (item.reason, item.local_id, item.connector_bug) == (reason, "raw-id", True)


async def test_the_loop_passes_unchanged_documents_through_in_order() -> None:
    kept = Unchanged(source_url="https://register.test/page/2")
    connector = Mapper([raw("ok"), kept, raw("invalid")])
    ctx = HarvestContext(source_key="t", url="u", urls=("u",), fetcher=None)  # type: ignore[arg-type]
    items = [item async for item in fetch_and_normalise(connector, ctx)]
    assert [type(i) for i in items] == [Normalised, Unchanged, Rejected]
    assert items[1] is kept


async def test_fetch_yielding_something_else_is_a_contract_error() -> None:
    connector = Mapper(["not a record"])
    ctx = HarvestContext(source_key="t", url="u", urls=("u",), fetcher=None)  # type: ignore[arg-type]
    with pytest.raises(ConnectorContractError, match="fetch\\(\\) yielded str"):
        [item async for item in fetch_and_normalise(connector, ctx)]
