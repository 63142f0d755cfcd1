"""Loading connector plugins: the contract a class must meet, and its options decoded."""

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
from microcred_hub.errors import ConfigError, ConnectorContractError
from microcred_hub.plugins import Plugin, check_plugin_class, discover, plugin_for
from microcred_hub.record import RecordDraft


class Options(ConnectorOptions, frozen=True):
    page_size: int = 50


class Good:
    info: ClassVar[ConnectorInfo] = ConnectorInfo(
        name="good", version="1.0.0", description="d", register="r"
    )
    options_type: ClassVar[type[ConnectorOptions]] = Options

    def __init__(self, options: Options) -> None:
        self.options = options

    async def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]:
        yield RawRecord(data={})

    def normalise(self, raw: RawRecord) -> RecordDraft:
        return RecordDraft(local_id="1", title="t")


class WrongName(Good):
    info = ConnectorInfo(name="other", version="1.0.0", description="d", register="r")


class NoInfo(Good):
    info = "good"  # type: ignore[assignment]


class PlainOptions(Good):
    options_type = dict  # type: ignore[assignment]


class SyncFetch(Good):
    def fetch(self, ctx: HarvestContext) -> list[RawRecord]:  # type: ignore[override]
        return []


class NoNormalise(Good):
    normalise = None  # type: ignore[assignment]


def test_a_class_meeting_the_contract_is_accepted() -> None:
    assert check_plugin_class("good", Good) is Good


@pytest.mark.parametrize(
    ("obj", "says"),
    [
        (Good(Options()), "must name a class"),
        (NoInfo, "'info' must be a ConnectorInfo"),
        (WrongName, "must equal the entry-point name"),
        (PlainOptions, "subclass of sdk.ConnectorOptions"),
        (SyncFetch, "fetch() must be an async generator"),
        (NoNormalise, "missing method normalise()"),
    ],
)
def test_a_class_breaking_the_contract_is_refused_naming_the_breach(obj: object, says: str) -> None:
    with pytest.raises(ConnectorContractError) as err:
        check_plugin_class("good", obj)
    assert says in str(err.value)
    assert str(err.value).startswith("connector 'good'")


def test_options_are_decoded_into_the_connectors_own_type() -> None:
    plugin = Plugin(name="good", cls=Good, distribution=None)
    connector = plugin.build({"page_size": "20"}, file="hub.toml", key="sources[0]")
    assert isinstance(connector, Good)
    assert connector.options.page_size == 20


def test_a_bad_option_is_a_config_error_naming_the_key() -> None:
    plugin = Plugin(name="good", cls=Good, distribution=None)
    with pytest.raises(ConfigError) as err:
        plugin.build({"page_size": "many"}, file="hub.toml", key="sources[0]")
    assert err.value.key == "sources[0].page_size"
    assert "see the connector's README" in str(err.value)


def test_an_unknown_option_is_a_config_error() -> None:
    plugin = Plugin(name="good", cls=Good, distribution=None)
    with pytest.raises(ConfigError, match="pagesize"):
        plugin.build({"pagesize": 20}, file="hub.toml", key="sources[0]")


def test_every_built_in_connector_is_discovered_and_none_is_broken() -> None:
    plugins, broken = discover()
    built_in = {"nzqa", "edubadges", "elm", "ctdl", "openbadges", "tabular"}
    assert built_in <= set(plugins)
    assert not built_in & set(broken)


def test_an_unknown_connector_name_lists_the_installed_ones() -> None:
    plugins, _ = discover()
    with pytest.raises(ConfigError) as err:
        plugin_for("nzqaa", plugins, file="hub.toml", key="sources[0].connector")
    assert "installed: " in str(err.value) and "nzqa" in str(err.value)
    assert err.value.key == "sources[0].connector"
