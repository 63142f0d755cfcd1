"""The configured sources' states as served: read from the store, remembered for its outages."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec

from microcred_hub.config import SourceConfig
from microcred_hub.errors import redact_url, redact_urls
from microcred_hub.record import QuarantinedRecord
from microcred_hub.state import SourceState, SourceStatus
from microcred_hub.store import Store, StoreUnavailableError


class SourceStates:
    """What GraphQL's ``sources``, readiness and metrics read; never raises for a lost store."""

    def __init__(self, store: Store, sources: Sequence[SourceConfig]) -> None:
        self._store = store
        self._sources = tuple(sources)
        self._last: list[SourceState] = []
        #: set while the store is unreachable: why answers come from the in-memory copy
        self.store_error: str | None = None
        self._stored: dict[str, bytes] = {}
        #: digest of the states as stored: every replica holding them computes the same one,
        #: so it can key a response cache they share
        self.digest = _digest(self._stored)
        #: the states the store gave last time (the memory store hands back the same objects
        #: until one changes); None until read, and after a change was announced
        self._read: list[SourceState] | None = None

    def remember(self, state: SourceState) -> None:
        """A state written here or by another replica (the store announced it)."""
        self._read = None
        self._stored[state.key] = _encoder.encode(state)
        self.digest = _digest(self._stored)

    def last(self) -> dict[str, SourceState]:
        """The states last read, by source key (what a reseed writes back with the records)."""
        return {s.key: s for s in self._last}

    async def read(self) -> list[SourceState]:
        """The configured sources' states, PENDING for those never harvested.

        While the store is unreachable, the last states seen, marked STALE with the reason:
        answers still come from the in-memory index.
        """
        try:
            stored = await self._store.states()
        except StoreUnavailableError as exc:
            self.store_error = redact_urls(
                f"record store unreachable ({exc}); serving the in-memory copy"
            )
            return [
                msgspec.structs.replace(s, status=SourceStatus.STALE, last_error=self.store_error)
                for s in self._last
            ]
        if self.store_error is None and _same(stored, self._read):
            return self._last  # (what every query's extensions.sources reads: made once)
        self.store_error = None
        self._read = stored
        self._stored = {s.key: _encoder.encode(s) for s in stored}
        self.digest = _digest(self._stored)
        known = {s.key: s for s in stored}
        out = []
        for source in self._sources:
            state = known.get(source.key) or SourceState(
                key=source.key, connector=source.connector, url=redact_url(source.url)
            )
            out.append(state)
        self._last = out
        return out

    async def quarantined(self, source: str) -> list[QuarantinedRecord]:
        return await self._store.quarantined(source)


_encoder = msgspec.json.Encoder()


def _digest(stored: dict[str, bytes]) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for key in sorted(stored):
        digest.update(stored[key])
        digest.update(b"\n")
    return digest.hexdigest()


def _same(stored: list[SourceState], last: list[SourceState] | None) -> bool:
    return (
        last is not None
        and len(stored) == len(last)
        and all(a is b for a, b in zip(stored, last, strict=True))
    )
