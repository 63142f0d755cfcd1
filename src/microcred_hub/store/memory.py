"""The embedded store: dicts in this process, optionally kept in a JSON snapshot file.

The snapshot is what lets a restarted hub serve its last good data at once. It is written
whole (records, states, quarantine, meta, version) to a temporary file in the same
directory, fsynced and moved over the old one with ``os.replace``, so a crash mid-write
leaves the previous snapshot intact. Bursts of changes are coalesced into at most one write
per ``flush_interval`` seconds; ``close()`` always writes what is pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import msgspec

from microcred_hub.errors import ConfigError
from microcred_hub.packing import PackedRecords, pack_many, unpack
from microcred_hub.record import Microcredential, QuarantinedRecord
from microcred_hub.state import SourceState
from microcred_hub.store._common import gc_paused, notify
from microcred_hub.store.base import ChangeSet, RecordDigest, digest_of, fingerprint

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from pathlib import Path

    from microcred_hub.store.base import Listener

log = logging.getLogger("microcred_hub.store")


_DIGEST_HEAD = struct.Struct("<BI")  # flags, number of the page URL
_WITHDRAWN = 1
_SHA256_RAW = 2  # the hash is "sha256:" + 64 lowercase hex digits, kept as its 32 bytes
_SHA256 = "sha256:"


class _Digests:
    """Records' digests as kept beside their ids: one small bytes object each (flags, the
    page URL's number, the content hash as raw bytes), not a tuple and a 71-character str
    (~70 bytes a record instead of ~210; a harvest reads them back as RecordDigests)."""

    def __init__(self) -> None:
        self._urls: list[str | None] = []
        self._url_numbers: dict[str | None, int] = {}

    def pack(self, record: Microcredential) -> bytes:
        digest = digest_of(record)
        url = digest.source_url
        number = self._url_numbers.get(url)
        if number is None:
            number = self._url_numbers[url] = len(self._urls)
            self._urls.append(url)
        flags = _WITHDRAWN if digest.withdrawn else 0
        content = digest.content_hash
        raw = _raw_sha256(content)
        if raw is not None:
            return _DIGEST_HEAD.pack(flags | _SHA256_RAW, number) + raw
        return _DIGEST_HEAD.pack(flags, number) + content.encode()

    def unpack(self, data: bytes) -> RecordDigest:
        flags, number = _DIGEST_HEAD.unpack_from(data)
        rest = data[_DIGEST_HEAD.size :]
        content = _SHA256 + rest.hex() if flags & _SHA256_RAW else rest.decode()
        return RecordDigest(content, bool(flags & _WITHDRAWN), self._urls[number])


def _raw_sha256(content: str) -> bytes | None:
    if len(content) != len(_SHA256) + 64 or not content.startswith(_SHA256):
        return None
    try:
        raw = bytes.fromhex(content[len(_SHA256) :])
    except ValueError:
        return None
    return raw if _SHA256 + raw.hex() == content else None  # uppercase hex stays a str


SNAPSHOT_FORMAT = 1


class Snapshot(msgspec.Struct, kw_only=True, rename="camel"):
    """The whole memory store as written to disk."""

    format: int = SNAPSHOT_FORMAT
    version: int = 0
    records: list[Microcredential] = msgspec.field(default_factory=list)
    states: list[SourceState] = msgspec.field(default_factory=list)
    quarantine: dict[str, list[QuarantinedRecord]] = msgspec.field(default_factory=dict)
    meta: dict[str, bytes] = msgspec.field(default_factory=dict)


_snapshot_decoder = msgspec.json.Decoder(Snapshot)
_snapshot_encoder = msgspec.json.Encoder()


def load_snapshot(path: Path) -> Snapshot | None:
    """Read a snapshot; None when there is none yet. Unreadable → ConfigError naming the fix."""
    fix = "delete or move the file away to start empty (the next harvest refills it)"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the snapshot ({exc}); fix its permissions or point store.snapshot "
            "at a file in a writable directory",
            file=str(path),
            key="store.snapshot",
        ) from exc
    try:
        with gc_paused():
            snapshot = _snapshot_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ConfigError(
            f"the snapshot is corrupt or not a hub snapshot ({exc}); {fix}",
            file=str(path),
            key="store.snapshot",
        ) from exc
    if snapshot.format != SNAPSHOT_FORMAT:
        raise ConfigError(
            f"snapshot format {snapshot.format} is not {SNAPSHOT_FORMAT} (another hub "
            f"version wrote it); {fix}",
            file=str(path),
            key="store.snapshot",
        )
    return snapshot


def write_snapshot(path: Path, snapshot: Snapshot, packed: Sequence[bytes] = ()) -> None:
    """Encode and atomically replace ``path``: readers see the old file or the new one.

    ``packed`` records are decoded into the snapshot here, in the writer's thread.
    """
    if packed:
        snapshot.records = [unpack(record) for record in packed]
    data = _snapshot_encoder.encode(snapshot)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename itself must reach the disk too, or a power cut could bring back the old file.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_stale_temp_files(path: Path) -> None:
    """Temp files left by a writer that crashed mid-write are garbage: the old file won."""
    if not path.parent.is_dir():
        return
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


class MemoryStore:
    """Records in a dict by id; everything lost on exit unless ``snapshot`` is set."""

    def __init__(self, snapshot: Path | None = None, *, flush_interval: float = 1.0) -> None:
        self.snapshot_path = snapshot
        self._flush_interval = flush_interval
        self._records: dict[str, bytes] = {}  # packed (microcred_hub.packing)
        # source -> id -> digest, ids in insertion order: a harvest diffs against these, and
        # reading them from the packed records would cost an inflate per record every harvest
        self._by_source: dict[str, dict[str, bytes]] = {}  # digests packed by _digests
        self._digests = _Digests()
        self._states: dict[str, SourceState] = {}
        self._quarantine: dict[str, tuple[QuarantinedRecord, ...]] = {}
        self._meta: dict[str, bytes] = {}
        self._version = 0
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._harvest_locks: dict[str, asyncio.Lock] = {}
        self._write_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._dirty = False
        self._last_write = 0.0
        self._open = False

    async def open(self) -> None:
        if self.snapshot_path is not None:
            path = self.snapshot_path
            snapshot = await asyncio.to_thread(load_snapshot, path)
            await asyncio.to_thread(_remove_stale_temp_files, path)
            if snapshot is not None:
                self._load(snapshot)
        self._open = True

    def _load(self, snapshot: Snapshot) -> None:
        records = snapshot.records
        self._records = dict(zip((r.id for r in records), pack_many(records), strict=True))
        self._by_source = {}
        for record in records:
            self._by_source.setdefault(record.source, {})[record.id] = self._digests.pack(record)
        self._states = {state.key: state for state in snapshot.states}
        self._quarantine = {key: tuple(items) for key, items in snapshot.quarantine.items()}
        self._meta = dict(snapshot.meta)
        self._version = snapshot.version

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if self._open:
            await self.flush()
        self._open = False

    async def records(self, source: str | None = None) -> PackedRecords:
        if source is None:
            return PackedRecords(list(self._records.values()))
        return PackedRecords([self._records[i] for i in self._by_source.get(source, ())])

    async def get(self, record_id: str) -> Microcredential | None:
        packed = self._records.get(record_id)
        return None if packed is None else unpack(packed)

    async def fetch(self, ids: Sequence[str]) -> PackedRecords:
        found = (self._records.get(i) for i in ids)
        return PackedRecords([r for r in found if r is not None])

    async def digests(self, source: str) -> dict[str, RecordDigest]:
        unpack_digest = self._digests.unpack
        return {i: unpack_digest(d) for i, d in self._by_source.get(source, {}).items()}

    async def apply(self, change: ChangeSet) -> int:
        if change.full:
            raise ValueError("ChangeSet.full is for listeners only; apply upserts and deletes")
        async with self._lock:
            # No await until the change is complete: readers never see half of it.
            dropped = set(change.deletes)  # upserted and deleted in one change: deleted wins
            upserts = [
                packed
                for packed, record in PackedRecords.of(change.upserts).pairs()
                if record.id not in dropped and self._put_record(packed, record)
            ]
            deletes = [i for i in change.deletes if self._drop_record(i)]
            if change.quarantine is not None:
                self._quarantine[change.source] = change.quarantine
            if change.state is not None:
                self._states[change.state.key] = change.state
            if upserts or deletes:
                self._version += 1
            self._mark_dirty()
            effective = ChangeSet(
                source=change.source,
                upserts=PackedRecords(upserts),  # the index keeps these very bytes
                deletes=tuple(deletes),
                quarantine=change.quarantine,
                state=change.state,
            )
            # Inside the lock so listeners see changes in version order.
            await notify(self._listeners, effective, self._version)
            return self._version

    def _put_record(self, packed: bytes, record: Microcredential) -> bool:
        old_packed = self._records.get(record.id)
        if old_packed is not None:
            if old_packed == packed:
                return False
            old = unpack(old_packed)
            if old.source == record.source and fingerprint(old) == fingerprint(record):
                return False
            self._by_source.get(old.source, {}).pop(record.id, None)
        record_id = sys.intern(record.id)  # the index keys it by the same string object
        self._records[record_id] = packed
        self._by_source.setdefault(record.source, {})[record_id] = self._digests.pack(record)
        return True

    def _drop_record(self, record_id: str) -> bool:
        old = self._records.pop(record_id, None)
        if old is None:
            return False
        self._by_source.get(unpack(old).source, {}).pop(record_id, None)
        return True

    async def version(self) -> int:
        return self._version

    async def states(self) -> list[SourceState]:
        return list(self._states.values())

    async def put_state(self, state: SourceState) -> None:
        async with self._lock:
            self._states[state.key] = state
            self._mark_dirty()
            await notify(self._listeners, ChangeSet(source=state.key, state=state), self._version)

    async def quarantined(self, source: str) -> list[QuarantinedRecord]:
        return list(self._quarantine.get(source, ()))

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def get_meta(self, key: str) -> bytes | None:
        return self._meta.get(key)

    async def put_meta(self, key: str, value: bytes) -> None:
        self._meta[key] = value
        self._mark_dirty()

    @asynccontextmanager
    async def harvest_lock(self, source: str, ttl_seconds: float) -> AsyncIterator[bool]:
        # One process, so no expiry is needed: the lock dies with the process.
        lock = self._harvest_locks.setdefault(source, asyncio.Lock())
        if lock.locked():
            yield False
            return
        async with lock:
            yield True

    # -- snapshot -------------------------------------------------------------------------

    def _mark_dirty(self) -> None:
        if self.snapshot_path is None or not self._open:
            return
        self._dirty = True
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        while self._dirty:
            delay = self._last_write + self._flush_interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                # Shielded: close() may cancel this task, but a write already under way must
                # finish before close() writes, or the older data could land last.
                await asyncio.shield(self.flush())
            except ConfigError:
                log.exception("snapshot not written; will retry on the next change")
                return

    async def flush(self) -> None:
        """Write the snapshot now if anything changed since the last write."""
        path = self.snapshot_path
        if path is None:
            return
        async with self._write_lock:
            if not self._dirty:
                return
            self._dirty = False
            snapshot = self._to_snapshot()  # taken without awaiting: a consistent view
            packed = list(self._records.values())
            self._last_write = time.monotonic()
            try:
                await asyncio.to_thread(write_snapshot, path, snapshot, packed)
            except OSError as exc:
                self._dirty = True
                raise ConfigError(
                    f"cannot write the snapshot ({exc}); make its directory writable or "
                    "point store.snapshot elsewhere",
                    file=str(path),
                    key="store.snapshot",
                ) from exc

    def _to_snapshot(self) -> Snapshot:
        return Snapshot(
            version=self._version,
            states=list(self._states.values()),
            quarantine={key: list(items) for key, items in self._quarantine.items()},
            meta=dict(self._meta),
        )
