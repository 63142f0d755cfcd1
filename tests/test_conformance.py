"""The conformance kit over every installed connector plugin (built-in and third-party)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from microcred_hub.testing import CHECKS, run_check

PLUGINS = sorted(entry_points(group="microcred_hub.connectors"), key=lambda ep: ep.name)


def scenario_dir(value: str) -> Path:
    module = importlib.import_module(value.partition(":")[0])
    assert module.__file__ is not None
    return Path(module.__file__).parent / "fixtures" / "conformance"


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("plugin", PLUGINS, ids=[ep.name for ep in PLUGINS])
def test_installed_connector_passes_the_conformance_check(plugin, check: str) -> None:  # type: ignore[no-untyped-def]
    folder = scenario_dir(plugin.value)
    assert (folder / "scenario.toml").is_file(), (
        f"connector {plugin.name} ships no conformance scenario in {folder}"
    )
    reason = run_check(plugin.load(), folder, check)
    if reason is not None:
        pytest.skip(f"{check}: {reason}")
