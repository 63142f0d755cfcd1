"""Index images kept in Redis beside the records, so a new replica loads in seconds.

Keys under the store's prefix: ``index:head`` beside ``version`` (same hash tag: the head
is switched in a transaction watching the version), naming the current image with the data
version and per-source record counts it was taken at (and whether it carries the duplicate
groups: a replica waiting for a complete image reads it there), and ``index:<id>:<n>``, the image in
chunks (no value nears Redis's size limit, other clients are served between them, and on a
cluster the chunks spread over the nodes).

An image is used only when it is provably current: its data version equals the store's and
each source's record count equals the store's, checked again after the chunks are read. A
stale or incomplete image is never served; the replica builds from the records instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

import msgspec
import redis.exceptions

if TYPE_CHECKING:
    from microcred_hub.store.redis import RedisStore

CHUNK = 8 * 1024 * 1024
#: chunks sent or fetched in one round trip
_BATCH = 4
#: an image replaced by a newer one stays this long for replicas still reading it
_LINGER_SECONDS = 120


class ImageHead(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int
    counts: dict[str, int]
    chunks: int
    size: int
    #: the image carries the duplicate groups of its records
    linked: bool = False


_head_decoder = msgspec.json.Decoder(ImageHead)


class StaleImage(Exception):
    """No image, or not one of the data the store holds now; the message says which."""


def _chunk_key(store: RedisStore, image_id: str, n: int) -> str:
    return f"{store.keys.prefix}index:{image_id}:{n}"


def _head_key(store: RedisStore) -> str:
    return store.keys.version.removesuffix("version") + "index:head"


async def _counts(store: RedisStore, sources: list[str]) -> dict[str, int]:
    """Records per source as the store holds them (the sum over the source's buckets)."""
    pipe = store._client().pipeline(transaction=False)
    for source in sources:
        for key in store.keys.record_buckets(source):
            pipe.hlen(key)
    lengths = await pipe.execute()
    width = len(lengths) // len(sources) if sources else 0
    return {s: sum(lengths[i * width : (i + 1) * width]) for i, s in enumerate(sources)}


async def write_image(
    store: RedisStore, data: bytes, version: int, counts: dict[str, int], *, linked: bool = False
) -> bool:
    """Store an image of data version ``version``; False when the data moved on meanwhile."""
    client = store._client()
    image_id = uuid.uuid4().hex[:16]
    view = memoryview(data)  # chunks without copies: an image can be hundreds of MB
    chunks = [view[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [view]
    with store.unavailable("writing the index image"):
        for start in range(0, len(chunks), _BATCH):
            pipe = client.pipeline(transaction=False)
            for n in range(start, min(start + _BATCH, len(chunks))):
                # Expiring until the head names them: a writer that dies leaves no garbage.
                pipe.set(_chunk_key(store, image_id, n), chunks[n], ex=_LINGER_SECONDS * 5)
            await pipe.execute()
        head = ImageHead(
            id=image_id,
            version=version,
            counts=counts,
            chunks=len(chunks),
            size=len(data),
            linked=linked,
        )
        head_key, version_key = _head_key(store), store.keys.version
        async with client.pipeline(transaction=True) as pipe:
            await pipe.watch(version_key)
            if int(await pipe.get(version_key) or 0) != version:
                return False
            old = await pipe.get(head_key)
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.set(head_key, msgspec.json.encode(head))
            try:
                await pipe.execute()
            except redis.exceptions.WatchError:
                return False
        # Kept now that the head names them (a writer dying before this leaves a head whose
        # chunks expire: readers then find it incomplete and build from the records).
        pipe = client.pipeline(transaction=False)
        for n in range(len(chunks)):
            pipe.persist(_chunk_key(store, image_id, n))
        await pipe.execute()
        if old is not None:
            previous = _head_decoder.decode(old)
            pipe = client.pipeline(transaction=False)
            for n in range(previous.chunks):
                pipe.expire(_chunk_key(store, previous.id, n), _LINGER_SECONDS)
            await pipe.execute()
    return True


async def read_image(store: RedisStore, sources: Iterable[str]) -> tuple[bytes, ImageHead]:
    """The current image and its head; StaleImage when there is none that is current."""
    client = store._client()
    sources = sorted(sources)
    with store.unavailable("reading the index image"):
        pipe = client.pipeline(transaction=False)
        pipe.get(_head_key(store))
        pipe.get(store.keys.version)
        raw_head, raw_version = await pipe.execute()
        if raw_head is None:
            raise StaleImage("no index image in the store yet")
        head = _head_decoder.decode(raw_head)
        _check(head, int(raw_version or 0), await _counts(store, sources))
        parts: list[bytes] = []
        for start in range(0, head.chunks, _BATCH):
            pipe = client.pipeline(transaction=False)
            for n in range(start, min(start + _BATCH, head.chunks)):
                pipe.get(_chunk_key(store, head.id, n))
            parts += await pipe.execute()
        if any(part is None for part in parts):
            raise StaleImage("the index image was replaced while it was read")
        # Records may have changed while the chunks came: then the image is not current.
        if int(await client.get(store.keys.version) or 0) != head.version:
            raise StaleImage("the data changed while the index image was read")
    data = b"".join(parts)
    if len(data) != head.size:
        raise StaleImage(f"the index image has {len(data)} bytes, its head says {head.size}")
    return data, head


def _check(head: ImageHead, version: int, counts: dict[str, int]) -> None:
    if head.version != version:
        raise StaleImage(
            f"the index image is of data version {head.version}, the store is at {version}"
        )
    for source, count in counts.items():
        held = head.counts.get(source, 0)
        if held != count:
            raise StaleImage(f"the index image holds {held} records of {source}, the store {count}")
