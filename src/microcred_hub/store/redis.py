"""The shared store: Redis or a Redis Cluster, so several hub replicas serve and harvest the
same data.

The key layout is in ``_redis_keys`` and the standalone/cluster difference in
``_redis_client``. An apply writes records bucket by bucket and bumps the data version, on a
standalone Redis in one MULTI/EXEC; on a cluster the buckets live on several nodes, so it is
one pipeline whose writes each node applies in order, and whose acknowledgement waits for a
replica of every primary written. It then publishes a small note (sharded pub/sub on a
cluster); every other replica's reader fetches what the note names and calls its listeners.
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

from microcred_hub.errors import redact_url, redact_urls
from microcred_hub.packing import PackedRecords
from microcred_hub.record import Microcredential, QuarantinedRecord, record_encoder
from microcred_hub.state import SourceState
from microcred_hub.store._common import notify
from microcred_hub.store._redis_changes import ChangeNote, ChangeReader
from microcred_hub.store._redis_client import (
    REDIS_DOWN,
    WAIT_MS,
    Client,
    Connector,
    ReplicaWaits,
)
from microcred_hub.store._redis_codec import (
    decode_digests,
    decode_quarantine,
    decode_record,
    decode_records,
    decode_state,
    encode_digest,
    unchanged,
)
from microcred_hub.store._redis_keys import RedisKeys, source_of
from microcred_hub.store.base import (
    ALL_SOURCES,
    ChangeSet,
    RecordDigest,
    StoreUnavailableError,
    digest_of,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence

    from redis.typing import EncodableT, FieldT

    from microcred_hub.store.base import Listener

log = logging.getLogger("microcred_hub.store")

#: record hashes scanned side by side when reading a whole source
_SCAN_WIDTH = 8


class RedisStore:
    """Records, states, quarantine and meta in Redis (standalone or Cluster) under one prefix."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "mch:",
        cluster: bool = False,
        socket_timeout: float = 5.0,
        reconnect_delay: tuple[float, float] = (0.1, 5.0),
        chunk: int = 2000,
        note_limit: int = 1000,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.cluster = cluster
        self.keys = RedisKeys(prefix)
        self._connector = Connector(
            url, cluster=cluster, socket_timeout=socket_timeout, key="store.url"
        )
        self._waits = ReplicaWaits()
        self._chunk = chunk
        # Beyond this many ids a note says "reload the source" instead of listing them.
        self._note_limit = note_limit
        self._origin = uuid.uuid4().hex
        self._redis: Client | None = None
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._reader = ChangeReader(self, reconnect_delay)
        self.channel = self.keys.channel

    def _client(self) -> Client:
        if self._redis is None:
            raise RuntimeError("RedisStore used before open(); call `await store.open()` first")
        return self._redis

    async def listener_client(self) -> Redis:
        """A client for the change reader's subscription, on the node serving the channel."""
        return await self._connector.node_client(self.channel)

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
        self._redis = self._connector.client(retries=2)
        try:
            await self._connector.check(self._redis)
        except BaseException:
            await self._redis.aclose()
            self._redis = None
            raise
        self._reader.baseline = await self.version()
        if self._listeners:
            self._reader.start()

    async def close(self) -> None:
        await self._reader.stop()
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    # -- reading ---------------------------------------------------------------------------

    async def records(self, source: str | None = None) -> PackedRecords:
        with self.unavailable("reading records"):
            if source is None:
                members = await self._client().smembers(self.keys.sources)
                sources = sorted(m.decode() for m in cast("set[bytes]", members))
            else:
                sources = [source]
            found: dict[bytes, bytes] = {}
            for name in sources:
                await self._scan_into(found, self.keys.record_buckets(name))
            return decode_records(list(found.values()))

    async def _scan_into(self, found: dict[bytes, bytes], keys: list[str]) -> None:
        """Read whole hashes with HSCAN, a few side by side: Redis never builds a 100 MB reply
        and other clients are served between chunks."""
        for start in range(0, len(keys), _SCAN_WIDTH):
            cursors = {key: 0 for key in keys[start : start + _SCAN_WIDTH]}
            while cursors:
                pipe = self._client().pipeline(transaction=False)
                for key, cursor in cursors.items():
                    pipe.hscan(key, cursor, count=self._chunk)
                replies = await pipe.execute()
                for key, (cursor, chunk) in zip(list(cursors), replies, strict=True):
                    found.update(chunk)
                    if cursor == 0:
                        del cursors[key]
                    else:
                        cursors[key] = cursor

    async def fetch(self, ids: Sequence[str]) -> PackedRecords:
        """The records with these ids that exist (in that order)."""
        with self.unavailable("reading records"):
            values = await self._hmget(self.keys.records_of, ids)
        return decode_records([v for v in values if v is not None])

    async def _hmget(
        self, key_of: Callable[[str], str], fields: Sequence[str]
    ) -> list[bytes | None]:
        """HMGET each field from the hash ``key_of(field)`` names; replies in field order."""
        if not fields:
            return []
        by_key: dict[str, list[str]] = {}
        for field in fields:
            by_key.setdefault(key_of(field), []).append(field)
        pipe = self._client().pipeline(transaction=False)
        asked: list[str] = []
        for key, names in by_key.items():
            for start in range(0, len(names), self._chunk):
                batch = names[start : start + self._chunk]
                pipe.hmget(key, batch)
                asked.extend(batch)
        replies: list[list[bytes | None]] = await pipe.execute()
        got = dict(zip(asked, (value for reply in replies for value in reply), strict=True))
        return [got[field] for field in fields]

    async def digests(self, source: str) -> dict[str, RecordDigest]:
        """What a harvest diffs against: the digests beside the records, no record read."""
        found: dict[bytes, bytes] = {}
        buckets = self.keys.digest_buckets(source)
        with self.unavailable("reading record digests"):
            # digests are small (about 100 bytes each): whole hashes, a few per round trip
            for start in range(0, len(buckets), _SCAN_WIDTH):
                pipe = self._client().pipeline(transaction=False)
                for key in buckets[start : start + _SCAN_WIDTH]:
                    pipe.hgetall(key)
                for reply in await pipe.execute():
                    found.update(reply)
        return decode_digests(found)

    async def get(self, record_id: str) -> Microcredential | None:
        with self.unavailable("reading a record"):
            value = await self._client().hget(self.keys.records_of(record_id), record_id)
        return None if value is None else decode_record(value)

    async def version(self) -> int:
        with self.unavailable("reading the data version"):
            value = await self._client().get(self.keys.version)
        return int(value or 0)

    async def states(self) -> list[SourceState]:
        with self.unavailable("reading source states"):
            values = await self._client().hvals(self.keys.states)
        return sorted((decode_state(v) for v in values), key=lambda s: s.key)

    async def put_state(self, state: SourceState) -> None:
        async with self._lock:
            with self.unavailable("writing a source state"):
                # the states and the version share a slot: one transaction on a cluster too
                pipe = self._client().pipeline(transaction=True)
                pipe.hset(self.keys.states, state.key, record_encoder.encode(state))
                pipe.get(self.keys.version)
                _, version = await pipe.execute()
            note = ChangeNote(
                origin=self._origin, version=int(version or 0), source=state.key, state=state
            )
            await self._announce(note, ChangeSet(source=state.key, state=state))

    async def quarantined(self, source: str) -> list[QuarantinedRecord]:
        with self.unavailable("reading the quarantine"):
            value = await self._client().get(self.keys.quarantine(source))
        return [] if value is None else decode_quarantine(value)

    async def get_meta(self, key: str) -> bytes | None:
        with self.unavailable("reading meta"):
            value = await self._client().hget(self.keys.meta, key)
        return cast("bytes | None", value)

    async def put_meta(self, key: str, value: bytes) -> None:
        with self.unavailable("writing meta"):
            await self._client().hset(self.keys.meta, key, value)

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
        client = self._client()
        try:
            data = msgspec.json.encode(note)
            if self.cluster:
                # sharded pub/sub: only the channel's shard carries the note
                await client.spublish(self.channel, data)
            else:
                await client.publish(self.channel, data)
        except REDIS_DOWN:
            # The change landed. Other replicas lost their connection too, and resync
            # when it comes back, so nothing is missed for long.
            log.warning("change applied but not published: Redis went away")
        await notify(self._listeners, effective, note.version)

    async def _apply(self, change: ChangeSet) -> tuple[ChangeSet, set[str], int]:
        keys = self.keys
        upsert_ids = [r.id for r in change.upserts]
        for record in change.upserts:
            if source_of(record.id) != record.source:
                # the id picks the record's buckets: "<source>:<local id>", as harvests make it
                raise ValueError(f"record id {record.id!r} does not start with {record.source}:")
        old = await self._hmget(keys.digests_of, upsert_ids + list(change.deletes))
        records: dict[str, dict[FieldT, EncodableT]] = {}
        digests: dict[str, dict[FieldT, EncodableT]] = {}
        upserts: dict[str, Microcredential] = {}
        touched: set[str] = set()
        dropped = set(change.deletes)  # upserted and deleted in one change: deleted wins
        for record, previous in zip(change.upserts, old, strict=False):
            if record.id in dropped or (previous is not None and unchanged(previous, record)):
                continue
            upserts[record.id] = record
            records.setdefault(keys.records_of(record.id), {})[record.id] = record_encoder.encode(
                record
            )
            digest = encode_digest(digest_of(record))
            digests.setdefault(keys.digests_of(record.id), {})[record.id] = digest
            touched.add(source_of(record.id))
        deletes: list[str] = []
        for record_id, previous in zip(change.deletes, old[len(upsert_ids) :], strict=True):
            if previous is not None and record_id not in deletes:
                deletes.append(record_id)
                touched.add(source_of(record_id))
        client = self._client()
        # a cluster cannot run one transaction over many slots; see the module docstring
        pipe = client.pipeline(transaction=not self.cluster)
        for key, mapping in records.items():
            pipe.hset(key, mapping=mapping)
        for key, mapping in digests.items():
            pipe.hset(key, mapping=mapping)
        for record_id in deletes:
            pipe.hdel(keys.records_of(record_id), record_id)
            pipe.hdel(keys.digests_of(record_id), record_id)
        if upserts:
            pipe.sadd(keys.sources, *sorted({source_of(i) for i in upserts}))
        if change.quarantine is not None:
            pipe.set(keys.quarantine(change.source), record_encoder.encode(change.quarantine))
        if change.state is not None:
            pipe.hset(keys.states, change.state.key, record_encoder.encode(change.state))
        changed = bool(upserts or deletes)
        if changed:
            pipe.incr(keys.version)
        else:
            pipe.get(keys.version)
        written = [*records, *digests, keys.version]
        waits = await self._waits.queue(client, pipe, written) if changed else 0
        try:
            results = await pipe.execute()
        except REDIS_DOWN:
            self._waits.forget()
            raise
        acks = results[len(results) - waits :] if waits else []
        if any(int(acked) < 1 for acked in acks):
            # not acknowledged: the harvest fails and runs again, rather than count on a write
            # that a failover could lose
            raise redis.exceptions.ConnectionError(
                f"no replica confirmed the write within {WAIT_MS} ms"
            )
        effective = ChangeSet(
            source=change.source,
            upserts=PackedRecords.of(upserts.values()),  # the local index keeps these bytes
            deletes=tuple(deletes),
            quarantine=change.quarantine,
            state=change.state,
        )
        return effective, touched, int(results[len(results) - waits - 1] or 0)

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
            self.keys.lock(source),
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
