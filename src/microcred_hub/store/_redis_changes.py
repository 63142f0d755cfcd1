"""Other replicas' changes: the pub/sub note format and the reader that delivers them.

Pub/sub drops whatever is published while a subscriber is disconnected, so after every
reconnect the reader sends its listeners a full resync (``ChangeSet(source=ALL_SOURCES,
full=True)`` holding every record) instead of trusting that nothing was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import msgspec
from redis.asyncio import Redis

from microcred_hub.record import Microcredential, QuarantinedRecord
from microcred_hub.state import SourceState
from microcred_hub.store._common import notify
from microcred_hub.store.base import (
    ALL_SOURCES,
    ChangeSet,
    Listener,
    StoreUnavailableError,
)

log = logging.getLogger("microcred_hub.store")


class ChangeSource(Protocol):
    """What the reader needs of its store (RedisStore): a way in, and the records a note names."""

    channel: str
    cluster: bool

    @property
    def origin(self) -> str: ...

    @property
    def listeners(self) -> Sequence[Listener]: ...

    async def listener_client(self) -> Redis: ...

    def unavailable(self, doing: str) -> AbstractContextManager[None]: ...

    async def version(self) -> int: ...

    async def records(self, source: str | None = None) -> Sequence[Microcredential]: ...

    async def fetch(self, ids: Sequence[str]) -> Sequence[Microcredential]: ...

    async def quarantined(self, source: str) -> list[QuarantinedRecord]: ...


class ChangeNote(msgspec.Struct, frozen=True, kw_only=True):
    """What one apply published: small, so the readers fetch the records themselves."""

    origin: str  # the publishing RedisStore instance; it has notified its own listeners
    version: int
    source: str
    upserts: tuple[str, ...] = ()
    deletes: tuple[str, ...] = ()
    reload: str | None = None  # a source or ALL_SOURCES: too many ids to list, reload it
    state: SourceState | None = None
    quarantine: bool = False  # the source's quarantine list was replaced


_note_decoder = msgspec.json.Decoder(ChangeNote)


class ChangeReader:
    """One background task per store: subscribe, deliver notes, reconnect with backoff."""

    def __init__(self, store: ChangeSource, delays: tuple[float, float]) -> None:
        self._store = store
        self._first_delay, self._max_delay = delays
        self._task: asyncio.Task[None] | None = None
        #: the data version when the store opened; the hub's first read is at least this new
        self.baseline = 0
        self.connected = False
        #: on a cluster, how often a quiet subscription checks that its node still serves
        #: the channel (a replica promoted by a failover takes the channel's notes away)
        self.check_seconds = 2.0

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"read {self._store.channel}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        # Cancel until it ends: redis-py can swallow a cancellation that lands while it
        # (re)connects, and the reader would then go on listening after close().
        while not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=0.1)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()

    async def _run(self) -> None:
        delay = self._first_delay
        first = True
        while True:
            try:
                await self._listen(resync_always=not first)
            except StoreUnavailableError as exc:
                log.warning("store changes: %s; reconnecting in %.1f s", exc, delay)
            finally:
                self.connected = False
            first = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_delay)

    async def _listen(self, *, resync_always: bool) -> None:
        store = self._store
        # Its own client without retries: redis-py would otherwise reconnect and resubscribe
        # silently, and the notes lost meanwhile would go unnoticed. On a cluster it is a
        # client of the node serving the channel's slot (sharded pub/sub).
        with store.unavailable("subscribing to changes"):
            client = await store.listener_client()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            with store.unavailable("subscribing to changes"):
                if store.cluster:
                    await pubsub.ssubscribe(store.channel)
                else:
                    await pubsub.subscribe(store.channel)
            self.connected = True
            with store.unavailable("resyncing"):
                # Anything published before the subscription took effect was missed. On the
                # first start only the changes since open() matter: the hub reads records
                # after open(), so it has everything older.
                if resync_always or await store.version() != self.baseline:
                    await self._resync()
            with store.unavailable("reading changes"):
                # The loop ends when the subscription does; the caller then subscribes again,
                # where the channel now lives, and resyncs.
                while pubsub.subscribed:
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=self.check_seconds
                    )
                    if message is None:
                        if store.cluster and not await _still_primary(client):
                            return
                    elif message.get("type") in ("message", "smessage"):
                        await self._deliver(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _resync(self) -> None:
        store = self._store
        version = await store.version()
        records = await store.records()
        change = ChangeSet(source=ALL_SOURCES, upserts=records, full=True)
        await notify(store.listeners, change, version)

    async def _deliver(self, data: bytes) -> None:
        store = self._store
        try:
            note = _note_decoder.decode(data)
        except msgspec.DecodeError:
            log.warning("ignoring a malformed note on %s: %r", store.channel, data[:200])
            return
        if note.origin == store.origin:
            return
        quarantine = tuple(await store.quarantined(note.source)) if note.quarantine else None
        if note.reload is None:
            upserts = await store.fetch(note.upserts)
            change = ChangeSet(
                source=note.source,
                upserts=upserts,
                deletes=note.deletes,
                quarantine=quarantine,
                state=note.state,
            )
        else:
            scope = note.reload
            records = await store.records(None if scope == ALL_SOURCES else scope)
            change = ChangeSet(
                source=scope,
                upserts=records,
                full=True,
                quarantine=quarantine if scope == note.source else None,
                state=note.state,
            )
        await notify(store.listeners, change, note.version)


async def _still_primary(client: Redis) -> bool:
    """Whether the subscription's node is still a primary: after a manual failover the old
    primary serves on as a replica, and its sharded subscribers hear nothing more."""
    role = await client.role()
    return bool(role[0] in (b"master", "master"))
