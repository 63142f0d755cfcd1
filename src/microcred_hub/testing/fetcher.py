"""A test fetcher: the hub's real fetcher, keeping between runs what the store would keep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from microcred_hub.fetch import FetchPolicy, HttpFetcher
from microcred_hub.sdk import (
    JSON,
    Connector,
    ConnectorState,
    FetchResponse,
    HarvestContext,
    RawRecord,
    Unchanged,
)


@dataclass
class Fetched:
    """What one run of ``fetch`` yielded and reported."""

    items: list[RawRecord | Unchanged] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # as reported through ctx.page
    requested: list[str] = field(default_factory=list)  # every URL asked of the fetcher
    partial: bool = False  # the connector said this run yields only what changed

    @property
    def records(self) -> list[RawRecord]:
        return [item for item in self.items if isinstance(item, RawRecord)]

    @property
    def unchanged(self) -> list[Unchanged]:
        return [item for item in self.items if isinstance(item, Unchanged)]


class _Recording:
    """The fetcher handed to ``fetch``: notes each URL, then asks the hub's fetcher."""

    def __init__(self, inner: HttpFetcher, urls: list[str]) -> None:
        self.inner = inner
        self.urls = urls

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
        conditional: bool = False,
    ) -> FetchResponse:
        self.urls.append(url)
        return await self.inner.get(
            url, params=params, headers=headers, accept=accept, conditional=conditional
        )

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSON:
        return (await self.get(url, params=params, headers=headers)).json()


class TestFetcher:
    """Runs a connector's ``fetch`` through the hub's real fetcher (timeouts, size limits,
    allowed hosts, conditional GET), as a harvest would, without a store or the hub.

    Like the store, it keeps the conditional-GET validators and each source's connector state
    from one successful run to the next, so a second ``run`` is an unchanged re-harvest.
    """

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(
        self,
        *,
        allowed_hosts: Sequence[str] = (),
        retries: int = 0,
        allow_files: bool = False,
        max_bytes: int = 10 * 1024 * 1024,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.policy = FetchPolicy(
            allowed_hosts=tuple(allowed_hosts),
            retries=retries,
            backoff_initial=0.01,
            backoff_max=0.05,
            allow_files=allow_files,
            max_bytes=max_bytes,
            read_timeout=timeout,
            total_timeout=timeout,
            headers=dict(headers or {}),
        )
        self.meta: dict[str, bytes] = {}  # validators and connector states, as the store has

    async def get_meta(self, key: str) -> bytes | None:
        return self.meta.get(key)

    def state(self, source_key: str = "test") -> JSON:
        """The connector state kept for ``source_key`` (None when nothing was kept)."""
        return ConnectorState.load(self.meta.get(ConnectorState.store_key(source_key)), None).value

    def forget(self, *, validators: bool = False, state: bool = False) -> None:
        """Drop what a fresh process or a new store would not have."""
        for key in list(self.meta):
            is_state = key.startswith(ConnectorState.store_key(""))
            if (is_state and state) or (not is_state and validators):
                del self.meta[key]

    async def run(
        self,
        connector: Connector,
        url: str,
        *more_urls: str,
        source_key: str = "test",
        since: datetime | None = None,
    ) -> Fetched:
        """One ``fetch`` over ``url`` (and ``more_urls``); raises what ``fetch`` raises."""
        out = Fetched()

        def partial() -> None:
            out.partial = True

        name = connector.info.name
        state = ConnectorState.load(self.meta.get(ConnectorState.store_key(source_key)), name)
        # as the hub does: only the origins of the URLs given (and allowed_hosts) are reachable
        policy = msgspec.structs.replace(
            self.policy, origins=(*self.policy.origins, url, *more_urls)
        )
        async with HttpFetcher(policy, validators=self) as inner:
            ctx = HarvestContext(
                source_key=source_key,
                url=url,
                urls=(url, *more_urls),
                fetcher=_Recording(inner, out.requested),
                since=since,
                on_page=out.pages.append,
                on_partial=partial,
                state=state,
            )
            async for item in connector.fetch(ctx):
                out.items.append(item)
            # kept only once fetch finished, as the hub keeps them only for a landed harvest
            if state.changed:
                self.meta[ConnectorState.store_key(source_key)] = state.dump(name)
            self.meta.update(inner.pending_validators)
        return out
