"""`microcred-hub serve` on a config it cannot start with: exit 2 and one message naming the key,
never a traceback, nor a start on something other than what the config says."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.hub_process import hub_command


def serve(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*hub_command(), "serve", "--no-harvest", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("table", "key", "hint"),
    [
        ('[store]\nsnapshot = "."\n', "store.snapshot", "directory"),
        ('[store]\nsnapshot = "corrupt.json"\n', "store.snapshot", "delete or move the file"),
        ('[store]\nurl = "redis://127.0.0.1:notaport"\n', "store.url", "host:port"),
        ('[cache]\nurl = "redis://127.0.0.1:6379/abc"\n', "cache.url", "database number"),
    ],
)
def test_serve_stops_on_a_bad_store_or_cache_naming_the_key(
    tmp_path: Path, table: str, key: str, hint: str
) -> None:
    (tmp_path / "corrupt.json").write_text('{"format": 1, "records": [')
    config = tmp_path / "hub.toml"
    config.write_text(table)
    done = serve(config, "--port", "0")
    assert done.returncode == 2, done.stderr
    assert key in done.stderr and hint in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_serve_refuses_a_port_that_is_no_tcp_port(tmp_path: Path, port: str) -> None:
    config = tmp_path / "hub.toml"
    config.write_text("")
    done = serve(config, "--port", port)
    assert done.returncode == 2, done.stderr
    assert "server.port" in done.stderr and "65535" in done.stderr
    assert "Traceback" not in done.stderr and "running on" not in done.stderr
