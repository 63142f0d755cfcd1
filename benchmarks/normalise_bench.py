"""Normalise throughput of the real nzqa and edubadges connectors vs parsing the same JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import msgspec

from microcred_hub.generate import edubadges_badge, generate, nzqa_item
from microcred_hub.sdk import RawRecord
from microcred_hub_connectors.edubadges import EdubadgesConnector
from microcred_hub_connectors.nzqa import NzqaConnector


def _best(function: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _feed(source: str, n: int, seed: int) -> bytes:
    render: Callable[..., dict[str, Any]] = nzqa_item if source == "nzqa" else edubadges_badge
    items = []
    for record in generate(n * 6, seed):
        if record.source == source:
            items.append(render(record))
            if len(items) == n:
                break
    return msgspec.json.encode({"page": 1, "pageSize": n, "totalCount": n, "items": items})


def measure(n: int, seed: int) -> dict[str, dict[str, float]]:
    """Per connector: records/s of parsing the feed (msgspec, as the hub does; stdlib json)
    and of ``normalise`` over the parsed items."""
    results = {}
    connectors: dict[str, Any] = {"nzqa": NzqaConnector(), "edubadges": EdubadgesConnector()}
    for source, connector in connectors.items():
        body = _feed(source, n, seed)
        items = msgspec.json.decode(body)["items"]
        count = len(items)
        parse = _best(lambda body=body: msgspec.json.decode(body))
        parse_stdlib = _best(lambda body=body: json.loads(body))
        raws = [RawRecord(data=item, local_id=None) for item in items]

        def normalise(raws: list[RawRecord] = raws, connector: Any = connector) -> None:
            for raw in raws:
                connector.normalise(raw)

        work = _best(normalise, 2)
        results[source] = {
            "records": count,
            "bytes_per_record": len(body) / count,
            "parse_per_s": count / parse,
            "parse_stdlib_per_s": count / parse_stdlib,
            "normalise_per_s": count / work,
            # normalise throughput / parse throughput of the same feed
            "ratio_msgspec": parse / work,
            "ratio_stdlib_json": parse_stdlib / work,
        }
    return results
