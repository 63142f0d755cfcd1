"""Duplicate linking beside the index, its long work done in slices after the hub is ready.

Linking every record costs minutes at a million, and a replica must serve in seconds. So the
long work runs as a task that gives the event loop back every few milliseconds (requests,
changes and SIGTERM are handled between slices), after the hub is ready:

- a start from an index image that carries the groups serves them at once; the task then
  files every record's features under their blocking keys (what the linker needs to re-link
  a change) without comparing anything: status ``restored`` until it is done;
- otherwise (no image, an image without groups or of other matching rules, a full resync)
  the task links every record in a linker of its own, whose groups replace the served ones
  when it is done: status ``linking``, and meanwhile the groups served are the ones from
  before (none on a first start: every record stands alone, ``distinct`` counts each).

A large change (a harvest of thousands of records) is linked in slices too, on the linker
itself: status ``linking`` until it is done, the groups of the records it does not touch served
as they were. Linked in one go it would hold the event loop for as long as the linking takes
(half a minute at 100 000 records, minutes at a million), and every request and health check
with it.

Changes that arrive meanwhile reach the index at once and wait here for the linker, which
applies them in order once caught up. Then the status is ``linked``.
"""

from __future__ import annotations

import asyncio
import enum
import gc
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path

import msgspec

from microcred_hub import duplicates, normalise
from microcred_hub.duplicates import Linker
from microcred_hub.index import Index
from microcred_hub.packing import PackedRecords
from microcred_hub.record import Microcredential
from microcred_hub.runtime import heap

log = logging.getLogger("microcred_hub.hub")

#: work between two yields to the event loop: a request waits at most about this long
SLICE_SECONDS = 0.02
#: records handed to the linker at a time within a slice (each hand-over regroups once)
BATCH = 16
PROGRESS_SECONDS = 10.0
#: a change of at least this many records is linked in slices (a smaller one takes a few tens
#: of milliseconds at most, so it is linked at once and its groups are served with its records)
LARGE = 2048


class LinkStatus(enum.StrEnum):
    OFF = "off"  # [duplicates] enabled = false
    LINKING = "linking"  # every record is being linked; the groups from before are served
    RESTORED = "restored"  # an image's groups are served; the linker re-reads the records
    LINKED = "linked"  # the groups served are those of the records the index holds
    FAILED = "failed"  # linking stopped on an error (logged); the groups from before stay


class GroupsImage(msgspec.Struct, array_like=True):
    """The linker's answers as an index image carries them (``Linker.snapshot``)."""

    rules: str
    groups: list[tuple[str, tuple[str, ...], str]]
    links: list[tuple[str, str, float, tuple[str, ...]]]


_decoder = msgspec.msgpack.Decoder(GroupsImage)
_encoder = msgspec.msgpack.Encoder()


def encode(groups: GroupsImage) -> bytes:
    return _encoder.encode(groups)


def rules(linker: Linker) -> str:
    """What decides the groups besides the records: the matching code and data, threshold and
    overrides. Groups an image carries are served only by a replica with the same rules (a
    new release or another threshold relinks rather than serve groups it would not make)."""
    digest = hashlib.sha256()
    for package in (duplicates, normalise):
        root = Path(str(package.__file__)).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    digest.update(repr(linker.threshold).encode())
    for pairs in (linker.overrides.always, linker.overrides.never):
        digest.update(repr(sorted(sorted(pair) for pair in pairs)).encode())
    return digest.hexdigest()[:24]


class Linking:
    """Keeps ``linker`` in step with ``index``; ``on_linked(relinked)`` runs once caught up
    (``relinked``: the groups were made here, not restored from an image)."""

    def __init__(self, linker: Linker, index: Index, on_linked: Callable[[bool], None]) -> None:
        self.linker = linker
        self._index = index
        self._on_linked = on_linked
        self._rules = rules(linker)
        self._task: asyncio.Task[None] | None = None
        #: changes that came while the task ran, each a call on the linker, in order
        self._waiting: list[Callable[[Linker], set[str]]] = []
        self.status = LinkStatus.LINKED
        #: names this replica's answers while they are its own (groups behind the index)
        self._token = ""

    @property
    def in_step(self) -> bool:
        """The groups served are those of the records the index holds."""
        return self._task is None and self.status == LinkStatus.LINKED

    def epoch(self) -> str:
        """For the response cache's key: "" when in step, else a mark of this replica alone
        (its answers then differ from an in-step replica's for the same data)."""
        return "" if self.in_step else self._token

    # -- starting --------------------------------------------------------------------------

    def restore(self, carried: bytes | None) -> bool:
        """Serve the groups an index image carries, if they are of these rules, and file the
        records' features in the background; False (nothing changed) when they cannot be used."""
        if carried is None:
            return False
        try:
            image = _decoder.decode(carried)
        except msgspec.DecodeError as exc:
            log.warning("duplicate groups in the index image not used: %s", exc)
            return False
        if image.rules != self._rules:
            log.info(
                "duplicate groups in the index image not used: made with other matching rules "
                "or settings; linking every record after the start"
            )
            return False
        self._cancel()
        self.linker.restore(image.groups, image.links)
        self._index.set_duplicates(self.linker.hidden(), (), self.linker.same_bodies)
        log.info(
            "duplicate groups restored from the index image: %d groups; filing the records "
            "to follow changes in the background",
            len(image.groups),
        )
        self._start(LinkStatus.RESTORED, self._file_all(self._index.packed()))
        return True

    def relink(self) -> None:
        """Link every record the index holds, in the background; the groups served until then
        are the ones from before."""
        self._cancel()
        # the groups from before, over the index as it is now (one replaced by a resync has
        # forgotten which of its records they hide)
        self._index.set_duplicates(self.linker.hidden(), (), None)
        self._start(LinkStatus.LINKING, self._link_all(self._index.packed()))

    def snapshot(self) -> GroupsImage | None:
        """The groups for an index image of the index as it is now; None when not in step."""
        if not self.in_step:
            return None
        groups, links = self.linker.snapshot()
        return GroupsImage(self._rules, groups, links)

    # -- following changes -----------------------------------------------------------------

    def apply(self, upserts: Sequence[Microcredential], deletes: Sequence[str]) -> None:
        if self._large(upserts):
            assert isinstance(upserts, PackedRecords)
            self._start(LinkStatus.LINKING, self._apply_large(upserts, deletes))
            return
        self._follow(lambda linker: linker.apply(upserts, deletes))

    def replace_source(self, source: str, records: Sequence[Microcredential]) -> None:
        if self._large(records):
            assert isinstance(records, PackedRecords)
            # the index holds the source's records as they are now (it is updated first)
            keep = set(self._index.ids_of(source))
            gone = [i for i in self.linker.ids_of(source) if i not in keep]
            self._start(LinkStatus.LINKING, self._apply_large(records, gone))
            return
        self._follow(lambda linker: linker.replace_source(source, records))

    def _large(self, records: Sequence[Microcredential]) -> bool:
        """Link ``records`` in slices: many, packed (a store's change), and nothing else is
        running (a change that comes while a task runs waits for it, in order)."""
        return (
            self._task is None
            and self.status == LinkStatus.LINKED
            and isinstance(records, PackedRecords)
            and len(records) >= LARGE
        )

    def _follow(self, change: Callable[[Linker], set[str]]) -> None:
        if self._task is not None:
            self._waiting.append(change)
        elif self.status == LinkStatus.LINKED:
            self._mark(change(self.linker))
        # FAILED: the linker lacks records it would need; its groups stay as they were

    def _mark(self, changed: set[str], *, every: bool = False) -> None:
        """Tell the index which of the records whose group changed are representatives
        (``every``: and hide every record that is not, as after the index was replaced)."""
        linker = self.linker
        shown = {i for i in changed if linker.is_representative(i)}
        hidden: Iterable[str] = linker.hidden() if every else changed - shown
        # handing same_bodies again tells the index its providers may have changed
        again = linker.same_bodies if changed or every else None
        self._index.set_duplicates(hidden, shown, again)

    # -- the background task ---------------------------------------------------------------

    def _start(self, status: LinkStatus, work: Coroutine[object, object, None]) -> None:
        self.status = status
        self._token = "linking-" + uuid.uuid4().hex[:12]
        self._task = asyncio.create_task(work, name=f"duplicates: {status}")

    def _cancel(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        # what was waiting is in the index already: the next task reads it from there
        self._waiting.clear()

    async def stop(self) -> None:
        task, self._task = self._task, None
        self._waiting.clear()
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _file_all(self, records: PackedRecords) -> None:
        if await self._slices(records, self.linker.file, "filed for re-linking"):
            self.linker.settle()
            self._caught_up(set(), relinked=False)

    async def _link_all(self, records: PackedRecords) -> None:
        linker = self.linker
        fresh = Linker(threshold=linker.threshold, overrides=linker.overrides)
        started = time.perf_counter()
        if not await self._slices(records, lambda batch: fresh.apply(batch, ()), "linked"):
            return
        fresh.settle()
        changed = linker.adopt(fresh)
        log.info(
            "duplicates linked over %d records in %.1f s: %d groups",
            len(linker),
            time.perf_counter() - started,
            sum(1 for _ in linker.groups()),
        )
        self._caught_up(changed, relinked=True)

    async def _apply_large(self, upserts: PackedRecords, deletes: Sequence[str]) -> None:
        """A large change on the linker itself, a batch at a time (linking does not depend on
        the order records arrive, so the groups are those of linking the change at once)."""
        linker = self.linker
        changed = linker.apply((), deletes)
        started = time.perf_counter()

        def step(batch: PackedRecords) -> None:
            changed.update(linker.apply(batch, ()))

        if not await self._slices(upserts, step, "linked"):
            return
        log.info(
            "duplicates: a change of %d records linked in %.1f s",
            len(upserts) + len(deletes),
            time.perf_counter() - started,
        )
        heap.trim()  # the change's features, decoded a batch at a time, are free now
        self._caught_up(changed, relinked=False)

    async def _slices(
        self, records: PackedRecords, step: Callable[[PackedRecords], object], done_what: str
    ) -> bool:
        """Hand ``records`` to ``step`` a batch at a time, yielding to the loop between slices;
        False when it failed (logged)."""
        packed = records.packed
        total, done = len(packed), 0
        started = reported = time.perf_counter()
        try:
            while done < total:
                until = time.perf_counter() + SLICE_SECONDS
                while done < total and time.perf_counter() < until:
                    step(PackedRecords(packed[done : done + BATCH]))
                    done = min(done + BATCH, total)
                await asyncio.sleep(0)
                now = time.perf_counter()
                if now - reported >= PROGRESS_SECONDS:
                    reported = now
                    log.info(
                        "duplicates: %d of %d records %s (%.0f %%, %.0f s)",
                        done,
                        total,
                        done_what,
                        100 * done / total,
                        now - started,
                    )
                    gc.freeze()  # what was built stays: keep the collector from rescanning it
        except asyncio.CancelledError:
            log.info("duplicates: stopped after %d of %d records %s", done, total, done_what)
            raise
        except Exception:
            log.exception("duplicates: linking failed; the groups from before are served")
            self.status = LinkStatus.FAILED
            self._task = None
            self._waiting.clear()
            return False
        return True

    def _caught_up(self, changed: set[str], *, relinked: bool) -> None:
        waiting, self._waiting = self._waiting, []
        for change in waiting:
            changed |= change(self.linker)
        self._task = None
        self.status = LinkStatus.LINKED
        self._mark(changed, every=relinked)
        if waiting:
            log.info("duplicates: %d changes that came meanwhile applied", len(waiting))
        gc.freeze()
        heap.trim()  # linking every record freed much: the records decoded, the blocks merged
        self._on_linked(relinked)
