"""A hub serving generated records, as a user starts it: `microcred-hub serve` over a memory
store snapshot (``--no-harvest``: the data is the snapshot's), with the settings under test."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from microcred_hub.generate import SOURCES, generate_list
from microcred_hub.record import QuarantinedRecord
from microcred_hub.store.memory import Snapshot, write_snapshot
from tests.support.hub_process import HubProcess

CONNECTORS = {"nzqa": "nzqa", "edubadges": "edubadges", "elm": "elm", "ctdl": "ctdl"}
CONNECTORS["openbadges"] = "openbadges"


def write_hub(
    folder: Path, settings: str, records: int, *, quarantined: int = 0, snapshot: str = "snap"
) -> Path:
    """A config serving ``records`` generated records (and ``quarantined`` quarantine entries
    for nzqa) from a snapshot; the sources point at a closed port and are never harvested."""
    path = folder / f"{snapshot}.json"
    if not path.exists():
        quarantine = [
            QuarantinedRecord(source="nzqa", reason=f"bad record {i}", local_id=f"q{i}")
            for i in range(quarantined)
        ]
        write_snapshot(
            path,
            Snapshot(records=generate_list(records, seed=11), quarantine={"nzqa": quarantine}),
        )
    sources = "".join(
        f'\n[[sources]]\nkey = "{key}"\nconnector = "{CONNECTORS[key]}"\n'
        f'url = "http://127.0.0.1:9/{key}"\n'
        for key in SOURCES
    )
    config = folder / "hub.toml"
    config.write_text(f'[store]\nsnapshot = "{path.name}"\n' + settings + sources, encoding="utf-8")
    return config


@contextmanager
def serving(config: Path, within: float = 600.0) -> Iterator[HubProcess]:
    """The hub, once it answers /readyz. ``within`` only bounds a hub that never does (it is
    then killed): readiness is an event, and a loaded machine may take minutes to reach it."""
    import asyncio

    hub = HubProcess(config, extra_args=("--no-harvest",))
    hub.start()
    try:
        asyncio.run(hub.wait_ready(within=within))
        yield hub
    finally:
        hub.stop()


@dataclass
class Answer:
    status: int
    body: dict[str, object]
    seconds: float

    @property
    def messages(self) -> list[str]:
        return [str(e["message"]) for e in self.body.get("errors", [])]  # type: ignore[attr-defined]

    @property
    def codes(self) -> list[object]:
        errors = self.body.get("errors", [])
        return [(e.get("extensions") or {}).get("limit") for e in errors]  # type: ignore[attr-defined]


async def post(
    session: aiohttp.ClientSession,
    hub: HubProcess,
    payload: dict[str, object],
    headers: dict[str, str] | None = None,
) -> Answer:
    started = time.perf_counter()
    async with session.post(hub.url + "/graphql", json=payload, headers=headers) as resp:
        text = await resp.text()
    body = json.loads(text) if text.startswith("{") else {"text": text}
    return Answer(resp.status, body, time.perf_counter() - started)
