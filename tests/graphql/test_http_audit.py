"""The GraphQL-over-HTTP conformance audit (graphql-http's ``auditServer``, run by Node) against
the hub started on its demo data as a newcomer starts it: every audit ok, no notices either."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from microcred_hub.config import demo_config_path
from tests.support.hub_process import HubProcess
from tests.support.node import NODE, needs_node, npm_dir

pytestmark = needs_node


async def test_graphql_over_http_audit_is_all_ok_against_the_demo(tmp_path: Path) -> None:
    folder = npm_dir()
    hub = HubProcess(demo_config_path())
    hub.log = tmp_path / "hub.log"  # not beside the bundled demo config
    async with hub:
        assert NODE is not None
        result = await asyncio.to_thread(
            subprocess.run,
            [NODE, "audit.mjs", f"{hub.url}/graphql"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    audits = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(audits) > 50
    assert [a for a in audits if a["status"] != "ok"] == []
