"""`connectors check`: validate the config, then reach every source once with a verdict each."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from microcred_hub.config import HubConfig
from microcred_hub.contract import Connector, HarvestContext
from microcred_hub.errors import redact_url, redact_urls
from microcred_hub.fetch import HttpFetcher
from microcred_hub.harvest import fetch_policy
from microcred_hub.pipeline import Normalised, Rejected, fetch_and_normalise
from microcred_hub.plugins import discover, plugin_for

CHECK_TIMEOUT_SECONDS = 60.0


@dataclass
class CheckResult:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


async def _first_record(
    key: str, url: str, urls: tuple[str, ...], connector: Connector, fetcher: HttpFetcher
) -> str:
    ctx = HarvestContext(source_key=key, url=url, urls=urls, fetcher=fetcher)
    async for item in fetch_and_normalise(connector, ctx):
        if isinstance(item, Rejected):
            if item.connector_bug:
                raise item.error  # reported as FAILED: the connector needs fixing, not the record
            return f"reachable; first record would be quarantined: {item.reason}"
        if isinstance(item, Normalised):
            return f"reachable; first record {key}:{item.draft.local_id} {item.draft.title!r}"
    return "reachable; the register lists no records"


async def probe_sources(config: HubConfig) -> CheckResult:
    """Every source reached once, through its connector, with a verdict line each."""
    result = CheckResult()
    plugins, broken = discover()
    for name, why in broken.items():
        result.lines.append(f"connector {name}: BROKEN: {why}")
    result.lines.append(f"config {config.path}: valid, {len(config.sources)} source(s)")
    for i, source in enumerate(config.sources):
        plugin = plugin_for(
            source.connector, plugins, file=config.path, key=f"sources[{i}].connector"
        )
        connector = plugin.build(source.options, file=config.path, key=f"sources[{i}]")
        started = time.monotonic()
        async with HttpFetcher(fetch_policy(source, connector, use_validators=False)) as fetcher:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                    verdict = await _first_record(
                        source.key, source.url, source.all_urls, connector, fetcher
                    )
            except TimeoutError:
                verdict, ok = f"FAILED: no answer within {CHECK_TIMEOUT_SECONDS:g} s", False
            except Exception as exc:  # report every source, whatever breaks
                verdict, ok = f"FAILED: {redact_urls(str(exc))}", False
            else:
                ok = True
        seconds = time.monotonic() - started
        result.ok &= ok
        result.lines.append(
            f"source {source.key} ({source.connector}, {redact_url(source.url)}): {verdict} "
            f"[{seconds:.2f} s]"
        )
    return result
