"""The shared store: Redis, so several hub replicas serve and harvest the same data.

Keys under ``prefix``: ``records`` (hash id → record JSON), ``fp`` (hash id → source and
fingerprint, so an apply decides "really changed" without reading whole records),
``src:<source>`` (set of ids), ``digest:<source>`` (hash id → content hash, withdrawn flag
and document URL: what a harvest diffs against, instead of reading back every record),
``states`` (hash), ``quarantine:<source>`` (JSON list),
``meta`` (hash), ``version`` (counter), ``lock:<source>`` (harvest locks) and the pub/sub
channel ``changes``. An apply runs in one MULTI/EXEC and then publishes a small note; every
other replica's reader fetches what the note names and calls its listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, cast

import msgspec
import redis.exceptions
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from microcred_hub.errors import ConfigError, redact_url, redact_urls
from microcred_hub.record import Microcredential, QuarantinedRecord, record_encoder
from microcred_hub.state import SourceState
from microcred_hub.store._common import gc_paused, notify
from microcred_hub.store._redis_changes import ChangeNote, ChangeReader
from microcred_hub.store.base import (
    ALL_SOURCES,
    ChangeSet,
    RecordDigest,
    StoreUnavailableError,
    digest_of,
    fingerprint,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Sequence

    from redis.typing import EncodableT, FieldT

    from microcred_hub.store.base import Listener

log = logging.getLogger("microcred_hub.store")

#: What a lost or refused connection looks like from redis-py.
REDIS_DOWN: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)
_SEP = "\x1f"
_records_decoder = msgspec.json.Decoder(list[Microcredential])
_record_decoder = msgspec.json.Decoder(Microcredential)
_quarantine_decoder = msgspec.json.Decoder(list[QuarantinedRecord])
_state_decoder = msgspec.json.Decoder(SourceState)
_digest_encoder = msgspec.json.Encoder()
_digests_decoder = msgspec.json.Decoder(list[RecordDigest])


def _encode_digest(digest: RecordDigest) -> bytes:
    return _digest_encoder.encode(digest)  # a JSON array: any URL survives it


def decode_digests(found: dict[bytes, bytes]) -> dict[str, RecordDigest]:
    """Decode a source's digest hash in one call, as the records are."""
    if not found:
        return {}
    with gc_paused():
        digests = _digests_decoder.decode(b"[" + b",".join(found.values()) + b"]")
        return dict(zip((k.decode() for k in found), digests, strict=True))


def decode_records(values: Sequence[bytes]) -> list[Microcredential]:
    """Decode many stored records in one call: one JSON array beats a Python-level loop."""
    if not values:
        return []
    with gc_paused():
        return _records_decoder.decode(b"[" + b",".join(values) + b"]")


class RedisStore:
    """Records, states, quarantine and meta in Redis under one key prefix."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "mch:",
        socket_timeout: float = 5.0,
        reconnect_delay: tuple[float, float] = (0.1, 5.0),
        chunk: int = 2000,
        note_limit: int = 1000,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._socket_timeout = socket_timeout
        self._chunk = chunk
        # Beyond this many ids a note says "reload the source" instead of listing them.
        self._note_limit = note_limit
        self._origin = uuid.uuid4().hex
        self._redis: Redis | None = None
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._reader = ChangeReader(self, reconnect_delay)
        self.channel = prefix + "changes"

    def _key(self, name: str) -> str:
        return self.prefix + name

    def _client(self) -> Redis:
        if self._redis is None:
            raise RuntimeError("RedisStore used before open(); call `await store.open()` first")
        return self._redis

    def new_client(self, *, retries: int) -> Redis:
        """A client on this store's URL; the change reader needs its own without retries."""
        return Redis.from_url(
            self.url,
            socket_timeout=self._socket_timeout,
            socket_connect_timeout=min(self._socket_timeout, 2.0),
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries),
        )

    @contextlib.contextmanager
    def unavailable(self, doing: str) -> Iterator[None]:
        """Turn redis-py's connection errors into StoreUnavailableError."""
        try:
            yield
        except REDIS_DOWN as exc:
            raise StoreUnavailableError(
                f"Redis at {redact_url(self.url)} is unreachable while {doing} "
                f"({redact_urls(str(exc))}); the hub "
                "keeps serving what it holds in memory: check that Redis runs and that "
                "store.url points at it"
            ) from exc

    async def open(self) -> None:
        # One retry with a short backoff: the first command after a Redis restart meets a
        # pooled connection that is already dead.
        self._redis = self.new_client(retries=2)
        try:
            await self._redis.ping()
        except (redis.exceptions.RedisError, OSError) as exc:
            await self._redis.aclose()
            self._redis = None
            raise ConfigError(
                f"cannot reach Redis at {redact_url(self.url)} ({redact_urls(str(exc))}); start "
                "Redis or fix the URL",
                key="store.url",
            ) from exc
        self._reader.baseline = await self.version()
        if self._listeners:
            self._reader.start()

    async def close(self) -> None:
        await self._reader.stop()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    # -- reading ---------------------------------------------------------------------------

    async def records(self, source: str | None = None) -> list[Microcredential]:
        with self.unavailable("reading records"):
            if source is not None:
                ids = cast("set[bytes]", await self._client().smembers(self._key("src:" + source)))
                return await self.fetch(sorted(i.decode() for i in ids))
            found: dict[bytes, bytes] = {}
            cursor = 0
            while True:
                # HSCAN in chunks rather than one HGETALL: Redis never builds a 100 MB reply
                # and other clients are served between chunks.
                reply = await self._client().hscan(self._key("records"), cursor, count=self._chunk)
                cursor, chunk = cast("tuple[int, dict[bytes, bytes]]", reply)
                found.update(chunk)
                if cursor == 0:
                    return decode_records(list(found.values()))

    async def fetch(self, ids: Sequence[str]) -> list[Microcredential]:
        """The records with these ids that exist (in that order)."""
        with self.unavailable("reading records"):
            values = await self._hmget(self._key("records"), ids)
        return decode_records([v for v in values if v is not None])

    async def _hmget(self, key: str, fields: Sequence[str]) -> list[bytes | None]:
        if not fields:
            return []
        pipe = self._client().pipeline(transaction=False)
        for start in range(0, len(fields), self._chunk):
            pipe.hmget(key, list(fields[start : start + self._chunk]))
        replies: list[list[bytes | None]] = await pipe.execute()
        return [value for reply in replies for value in reply]

    async def digests(self, source: str) -> dict[str, RecordDigest]:
        digest_key, ids_key = self._key("digest:" + source), self._key("src:" + source)
        with self.unavailable("reading record digests"):
            pipe = self._client().pipeline(transaction=True)
            pipe.hgetall(digest_key)
            pipe.scard(ids_key)
            found, count = cast("tuple[dict[bytes, bytes], int]", tuple(await pipe.execute()))
            if len(found) == count:
                return decode_digests(found)
            # Records stored before digests were kept: derive them once and keep them.
            return await self._rebuild_digests(source)

    async def _rebuild_digests(self, source: str) -> dict[str, RecordDigest]:
        async with self._client().pipeline(transaction=True) as pipe:
            # Any apply in between bumps the version: then these may be stale, keep none.
            await pipe.watch(self._key("version"))
            digests = {r.id: digest_of(r) for r in await self.records(source)}
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.delete(self._key("digest:" + source))
            if digests:
                pipe.hset(
                    self._key("digest:" + source),
                    mapping={k: _encode_digest(d) for k, d in digests.items()},
                )
            with contextlib.suppress(redis.exceptions.WatchError):
                await pipe.execute()
        return digests

    async def get(self, record_id: str) -> Microcredential | None:
        with self.unavailable("reading a record"):
            value = await self._client().hget(self._key("records"), record_id)
        return None if value is None else _record_decoder.decode(value)

    async def version(self) -> int:
        with self.unavailable("reading the data version"):
            value = await self._client().get(self._key("version"))
        return int(value or 0)

    async def states(self) -> list[SourceState]:
        with self.unavailable("reading source states"):
            values = await self._client().hvals(self._key("states"))
        return sorted((_state_decoder.decode(v) for v in values), key=lambda s: s.key)

    async def put_state(self, state: SourceState) -> None:
        async with self._lock:
            with self.unavailable("writing a source state"):
                pipe = self._client().pipeline(transaction=True)
                pipe.hset(self._key("states"), state.key, record_encoder.encode(state))
                pipe.get(self._key("version"))
                _, version = await pipe.execute()
            note = ChangeNote(
                origin=self._origin, version=int(version or 0), source=state.key, state=state
            )
            await self._announce(note, ChangeSet(source=state.key, state=state))

    async def quarantined(self, source: str) -> list[QuarantinedRecord]:
        with self.unavailable("reading the quarantine"):
            value = await self._client().get(self._key("quarantine:" + source))
        return [] if value is None else _quarantine_decoder.decode(value)

    async def get_meta(self, key: str) -> bytes | None:
        with self.unavailable("reading meta"):
            value = await self._client().hget(self._key("meta"), key)
        return cast("bytes | None", value)

    async def put_meta(self, key: str, value: bytes) -> None:
        with self.unavailable("writing meta"):
            await self._client().hset(self._key("meta"), key, value)

    # -- writing ---------------------------------------------------------------------------

    async def apply(self, change: ChangeSet) -> int:
        if change.full:
            raise ValueError("ChangeSet.full is for listeners only; apply upserts and deletes")
        async with self._lock:
            with self.unavailable("applying a change"):
                effective, touched, version = await self._apply(change)
            await self._announce(self._note(change, effective, touched, version), effective)
            return version

    async def _announce(self, note: ChangeNote, effective: ChangeSet) -> None:
        """Publish the note for the other replicas, then tell this one's listeners."""
        try:
            await self._client().publish(self.channel, msgspec.json.encode(note))
        except REDIS_DOWN:
            # The change landed. Other replicas lost their connection too, and resync
            # when it comes back, so nothing is missed for long.
            log.warning("change applied but not published: Redis went away")
        await notify(self._listeners, effective, note.version)

    async def _apply(self, change: ChangeSet) -> tuple[ChangeSet, set[str], int]:
        upsert_ids = [r.id for r in change.upserts]
        old = await self._hmget(self._key("fp"), upsert_ids + list(change.deletes))
        records: dict[FieldT, EncodableT] = {}
        fps: dict[FieldT, EncodableT] = {}
        digests: dict[str, dict[FieldT, EncodableT]] = {}
        added: dict[str, list[str]] = {}
        removed: dict[str, list[str]] = {}
        upserts: dict[str, Microcredential] = {}
        dropped = set(change.deletes)  # upserted and deleted in one change: deleted wins
        for record, previous in zip(change.upserts, old, strict=False):
            new_fp = f"{record.source}{_SEP}{fingerprint(record)}"
            if record.id in dropped or (previous is not None and previous.decode() == new_fp):
                continue
            if previous is not None:
                removed.setdefault(previous.decode().split(_SEP)[0], []).append(record.id)
            upserts[record.id] = record
            records[record.id] = record_encoder.encode(record)
            fps[record.id] = new_fp
            added.setdefault(record.source, []).append(record.id)
            digests.setdefault(record.source, {})[record.id] = _encode_digest(digest_of(record))
        deletes: list[str] = []
        for record_id, previous in zip(change.deletes, old[len(upsert_ids) :], strict=True):
            if previous is not None and record_id not in deletes:
                deletes.append(record_id)
                removed.setdefault(previous.decode().split(_SEP)[0], []).append(record_id)
        pipe = self._client().pipeline(transaction=True)
        for source, ids in removed.items():
            pipe.srem(self._key("src:" + source), *ids)
            pipe.hdel(self._key("digest:" + source), *ids)
        if records:
            pipe.hset(self._key("records"), mapping=records)
            pipe.hset(self._key("fp"), mapping=fps)
            for source, ids in added.items():
                pipe.sadd(self._key("src:" + source), *ids)
                pipe.hset(self._key("digest:" + source), mapping=digests[source])
        if deletes:
            pipe.hdel(self._key("records"), *deletes)
            pipe.hdel(self._key("fp"), *deletes)
        if change.quarantine is not None:
            key = self._key("quarantine:" + change.source)
            pipe.set(key, record_encoder.encode(change.quarantine))
        if change.state is not None:
            pipe.hset(self._key("states"), change.state.key, record_encoder.encode(change.state))
        changed = bool(upserts or deletes)
        if changed:
            pipe.incr(self._key("version"))
        else:
            pipe.get(self._key("version"))
        results = await pipe.execute()
        effective = ChangeSet(
            source=change.source,
            upserts=tuple(upserts.values()),
            deletes=tuple(deletes),
            quarantine=change.quarantine,
            state=change.state,
        )
        return effective, set(added) | set(removed), int(results[-1] or 0)

    def _note(
        self, change: ChangeSet, effective: ChangeSet, touched: set[str], version: int
    ) -> ChangeNote:
        note = ChangeNote(
            origin=self._origin,
            version=version,
            source=change.source,
            upserts=tuple(r.id for r in effective.upserts),
            deletes=effective.deletes,
            state=change.state,
            quarantine=change.quarantine is not None,
        )
        if len(note.upserts) + len(note.deletes) <= self._note_limit:
            return note
        # Too many ids for a pub/sub message: have the readers reload the source (or all).
        scope = change.source if touched <= {change.source} else ALL_SOURCES
        return msgspec.structs.replace(note, upserts=(), deletes=(), reload=scope)

    # -- listening and locking -----------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)
        if self._redis is not None:
            self._reader.start()

    @property
    def listeners(self) -> list[Listener]:
        return self._listeners

    @property
    def origin(self) -> str:
        """This instance's id in change notes: its own notes are not delivered twice."""
        return self._origin

    @property
    def connected(self) -> bool:
        """Whether the change reader currently holds its subscription (for readiness)."""
        return self._reader.connected

    @asynccontextmanager
    async def harvest_lock(self, source: str, ttl_seconds: float) -> AsyncIterator[bool]:
        lock = Lock(
            self._client(),
            self._key("lock:" + source),
            timeout=ttl_seconds,
            blocking=False,
            thread_local=False,  # asyncio tasks, not threads, share this lock object
        )
        with self.unavailable("taking the harvest lock"):
            acquired = await lock.acquire()
        if not acquired:
            yield False
            return
        renewer = asyncio.create_task(_keep_renewed(lock, ttl_seconds, source))
        try:
            yield True
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            with contextlib.suppress(redis.exceptions.LockError, *REDIS_DOWN):
                await lock.release()


async def _keep_renewed(lock: Lock, ttl_seconds: float, source: str) -> None:
    """Reset the lock's TTL every third of it, so only a dead holder lets it lapse."""
    while True:
        await asyncio.sleep(ttl_seconds / 3)
        try:
            await lock.reacquire()
        except redis.exceptions.LockNotOwnedError:
            log.warning("harvest lock of %s lapsed and was taken by another replica", source)
            return
        except REDIS_DOWN as exc:
            log.warning("cannot renew the harvest lock of %s: %s", source, exc)
