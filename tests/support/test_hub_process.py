"""HubProcess leaves no hub behind when the hub never gets ready, and says why."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.support.hub_process import HubProcess

#: serves the demo, but /readyz wants the admin token: never ready for wait_ready
NEVER_READY = """
[server]
token_required_for = ["readyz"]

[admin]
token = "a-token-wait-ready-never-sends"
"""


def gone(pid: int) -> bool:
    """No such process any more, not even a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_hub_that_exits_at_start_is_reaped_and_its_log_shown(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text("[limits]\npersisted_only = true\n", encoding="utf-8")
    hub = HubProcess(config)
    with pytest.raises(RuntimeError, match="hub exited with 2") as failure:
        async with hub:
            pass
    assert "limits.persisted_queries_file" in str(failure.value)  # from the hub's log
    assert hub.proc is not None and gone(hub.proc.pid)
    assert hub._log_file.closed


async def test_a_hub_not_ready_in_time_is_killed_and_reaped(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(NEVER_READY, encoding="utf-8")
    hub = HubProcess(config)
    hub.start()
    with pytest.raises(TimeoutError, match="hub not ready after 3") as failure:
        await hub.wait_ready(within=3)
    assert hub.proc is not None and hub.proc.returncode == -signal.SIGKILL
    assert gone(hub.proc.pid)
    assert hub._log_file.closed
    lines = str(failure.value).splitlines()[1:]
    assert lines == hub.output().splitlines()[-40:]  # the tail of what the hub logged
