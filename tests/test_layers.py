"""Lower layers load without the upper ones: config, harvest and the connector check must not
pull in the GraphQL schema (strawberry), and the SDK must not pull in the store or the server."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}\nprint('\\n'.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module",
    ["microcred_hub.config", "microcred_hub.harvest", "microcred_hub.probe", "microcred_hub.sdk"],
)
def test_module_loads_without_graphql(module: str) -> None:
    loaded = _loaded_after(module)
    assert "strawberry" not in loaded
    assert "graphql" not in loaded


def test_sdk_loads_without_the_store_or_the_server() -> None:
    loaded = _loaded_after("microcred_hub.sdk")
    assert {"redis", "starlette", "uvicorn", "aiohttp"}.isdisjoint(loaded)
