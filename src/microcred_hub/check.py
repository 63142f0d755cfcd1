"""`connectors check`: validate the config, then reach every source once with a verdict each."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from microcred_hub.config import HubConfig
from microcred_hub.errors import InvalidRecordError, redact_url, redact_urls
from microcred_hub.fetch import HttpFetcher
from microcred_hub.harvest import fetch_policy
from microcred_hub.plugins import discover, plugin_for
from microcred_hub.sdk import Connector, HarvestContext, RawRecord

CHECK_TIMEOUT_SECONDS = 60.0


@dataclass
class CheckResult:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


async def _first_record(
    key: str, url: str, urls: tuple[str, ...], connector: Connector, fetcher: HttpFetcher
) -> str:
    ctx = HarvestContext(source_key=key, url=url, urls=urls, fetcher=fetcher)
    async for item in connector.fetch(ctx):
        if isinstance(item, RawRecord):
            try:
                draft = connector.normalise(item)
            except InvalidRecordError as exc:
                return f"reachable; first record would be quarantined: {exc.reason}"
            return f"reachable; first record {key}:{draft.local_id} {draft.title!r}"
    return "reachable; the register lists no records"


async def check_sources(config: HubConfig) -> CheckResult:
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
