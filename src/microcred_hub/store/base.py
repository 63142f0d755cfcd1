"""The store protocol every backend implements and the change set it applies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import NamedTuple, Protocol

import msgspec

from microcred_hub.errors import HubError
from microcred_hub.record import Microcredential, QuarantinedRecord
from microcred_hub.state import SourceState

#: ``ChangeSet.source`` of a full resync covering every source.
ALL_SOURCES = "*"


class StoreUnavailableError(HubError):
    """The store backend cannot be reached right now; keep serving the in-memory index.

    Transient: the hub reports it (readiness, source state) and retries; nothing to fix in
    the config unless it persists, then check that Redis runs and ``store.url`` points at it.
    """


class ChangeSet(msgspec.Struct, frozen=True, kw_only=True):
    """One harvest's effect on one source, applied atomically by the store.

    Listeners receive only what really changed: upserts whose content hash, withdrawn flag or
    document URL differ from the stored copy, deletes of ids that existed. With ``full=True``
    (sent to listeners only, never passed to ``apply``) ``upserts`` is the complete record set of
    ``source`` — or of every source when ``source == ALL_SOURCES`` — and a listener drops
    whatever else it holds for that scope: another replica's large change, or a resync after
    the store connection came back.
    """

    source: str
    #: new or changed records (withdrawn ones included); stores hand listeners PackedRecords
    upserts: Sequence[Microcredential] = ()
    deletes: tuple[str, ...] = ()  # ids to drop entirely (e.g. a source removed from config)
    quarantine: tuple[QuarantinedRecord, ...] | None = None  # None: keep the previous list
    state: SourceState | None = None
    full: bool = False


Listener = Callable[[ChangeSet, int], Awaitable[None]]


class RecordDigest(NamedTuple):
    """What a harvest compares a stored record by: far smaller than the record itself."""

    content_hash: str
    withdrawn: bool
    source_url: str | None  # the document that gave it (provenance), for 304 answers


class Store(Protocol):
    """Where records, source states and quarantine live; every backend passes one test suite."""

    async def open(self) -> None:
        """Connect / load the snapshot.

        Raises ConfigError when the backend is unreachable or the snapshot unreadable; after
        open, a lost Redis connection raises StoreUnavailableError from every method.
        """
        ...

    async def close(self) -> None: ...

    async def records(self, source: str | None = None) -> Sequence[Microcredential]:
        """Every record (of one source), withdrawn ones included (PackedRecords: each record
        is decoded when reached)."""
        ...

    async def get(self, record_id: str) -> Microcredential | None: ...

    async def fetch(self, ids: Sequence[str]) -> Sequence[Microcredential]:
        """The records with these ids that exist (in that order)."""
        ...

    async def digests(self, source: str) -> dict[str, RecordDigest]:
        """id -> digest of every record of ``source`` (withdrawn ones included)."""
        ...

    async def apply(self, change: ChangeSet) -> int:
        """Apply a change atomically, notify listeners, return the new data version."""
        ...

    async def version(self) -> int:
        """Data version: bumped by every apply that changed records."""
        ...

    async def states(self) -> list[SourceState]: ...

    async def put_state(self, state: SourceState) -> None:
        """Store a state and tell every replica's listeners (a ChangeSet holding only it)."""
        ...

    async def quarantined(self, source: str) -> list[QuarantinedRecord]: ...

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(change, version)`` after every apply (in every replica)."""
        ...

    async def get_meta(self, key: str) -> bytes | None:
        """Small opaque values (HTTP validators for conditional GET, cursors)."""
        ...

    async def put_meta(self, key: str, value: bytes) -> None: ...

    def harvest_lock(self, source: str, ttl_seconds: float) -> AbstractAsyncContextManager[bool]:
        """Hold the right to harvest ``source``: yields False when someone else holds it.

        Redis: a lock with expiry, renewed while held, so a dead replica's lock lapses after
        ``ttl_seconds``. Memory: an in-process lock (the TTL does not apply).
        """
        ...


def fingerprint(record: Microcredential) -> str:
    """What decides "really changed": the register's content, whether it was withdrawn, and
    the document that gave it (a 304 from that document keeps the record)."""
    withdrawn = "W" if record.withdrawn_at is not None else "-"
    return f"{record.provenance.content_hash}|{withdrawn}|{record.provenance.source_url}"


def digest_of(record: Microcredential) -> RecordDigest:
    provenance = record.provenance
    return RecordDigest(
        provenance.content_hash, record.withdrawn_at is not None, provenance.source_url
    )
