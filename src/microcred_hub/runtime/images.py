"""Index images in Redis: a replica starts from the current one, a harvesting replica writes them.

Loading an image costs a read and a decode; building from records costs decoding, tokenising
and stemming every record (over a minute at a million). So a replica tries the image first
and builds from the records only when it is missing or stale (``store.images`` decides), and
a replica that harvested changes, or had to build, writes a new image for the next one.

An image also carries the duplicate groups of its records when the writer's linker was in
step with its index (``runtime.linking``); one written while linking was still going on has
none, and the writer writes another once linking is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from microcred_hub.index import Index
from microcred_hub.index.image import IndexImage, capture, encode, restore
from microcred_hub.runtime import linking
from microcred_hub.runtime.linking import GroupsImage
from microcred_hub.store import StoreUnavailableError
from microcred_hub.store.images import StaleImage, read_image, write_image
from microcred_hub.store.redis import RedisStore

log = logging.getLogger("microcred_hub.hub")

#: changes that come in a burst (several sources harvested together) make one image
DEBOUNCE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a replica took from an image: its data version and the duplicate groups it
    carries (encoded; None when it has none or the index left some of its sources out)."""

    version: int
    duplicates: bytes | None


async def load_image(store: RedisStore, index: Index, keys: Iterable[str]) -> Loaded | None:
    """Fill ``index`` from the store's current image, or None (logged why) when there is no
    current image and the index must be built from the records."""
    keys = frozenset(keys)
    started = time.perf_counter()
    try:
        data, head = await read_image(store, keys)
    except StaleImage as why:
        log.info("index image not used: %s; building the index from the records", why)
        return None
    read = time.perf_counter() - started
    try:
        carried = restore(index, data)
    except ValueError as exc:
        log.warning("index image not used: %s; building the index from the records", exc)
        return None
    others = [key for key in index.sources() if key not in keys]
    if others:  # sources another replica serves and this one does not
        index.update((), [i for key in others for i in index.ids_of(key)])
        carried = None  # groups that may hold records this replica does not
    log.info(
        "index loaded from the store's image of data version %d: %d records, %.1f MB "
        "read in %.1f s, restored in %.1f s",
        head.version,
        len(index),
        head.size / 1e6,
        read,
        time.perf_counter() - started - read,
    )
    return Loaded(head.version, carried)


class ImageWriter:
    """Writes an image of the index after changes, at most one at a time.

    ``held()`` says which data version the index holds, or None while it may lack a change
    (a note of an older change still on its way): no image is written then. ``groups()``,
    when duplicates are linked, gives the groups in step with the index, or None while they
    are not (the image is then written without them, and ``lacks_groups`` says so).
    """

    def __init__(
        self,
        store: RedisStore,
        index: Index,
        held: Callable[[], int | None],
        groups: Callable[[], GroupsImage | None] | None = None,
    ) -> None:
        self._store = store
        self._index = index
        self._held = held
        self._groups = groups
        self._task: asyncio.Task[None] | None = None
        self._again = False
        #: the last image written lacks the groups this replica links
        self.lacks_groups = False

    def schedule(self) -> None:
        """Write an image soon (after a short pause for more changes)."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run(), name="write index image")

    async def _run(self) -> None:
        while True:
            self._again = False
            await asyncio.sleep(DEBOUNCE_SECONDS)
            await self.write()
            if not self._again:
                return

    async def write(self) -> bool:
        """Write an image of the index as it is now; False when the data moved on meanwhile."""
        started = time.perf_counter()
        store, index = self._store, self._index
        # The version and the index are read with no await between: they describe one state.
        version = self._held()
        if version is None:
            log.info("index image not written: a change is still on its way to the index")
            return False
        image = capture(index)
        groups = self._groups() if self._groups is not None else None
        counts = index.sources()
        data = await asyncio.to_thread(_encode, image, groups)
        del image
        linked = groups is not None
        try:
            written = await write_image(store, data, version, counts, linked=linked)
        except StoreUnavailableError as exc:
            log.warning("index image not written: %s", exc)
            return False
        if written:
            self.lacks_groups = self._groups is not None and not linked
            log.info(
                "index image of data version %d written: %d records%s, %.1f MB in %.1f s",
                version,
                len(index),
                f", {len(groups.groups)} duplicate groups" if groups is not None else "",
                len(data) / 1e6,
                time.perf_counter() - started,
            )
        return written

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _encode(image: IndexImage, groups: GroupsImage | None) -> bytes:
    if groups is not None:
        image.duplicates = linking.encode(groups)
    return encode(image)
