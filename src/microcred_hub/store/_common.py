"""Helpers shared by the store backends."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from microcred_hub.store.base import ChangeSet, Listener

log = logging.getLogger("microcred_hub.store")


async def notify(listeners: Sequence[Listener], change: ChangeSet, version: int) -> None:
    """Call every listener; one failing listener must not cost the others their update."""
    for listener in listeners:
        try:
            await listener(change, version)
        except Exception:
            log.exception("store listener %r failed on a change of %s", listener, change.source)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC around a bulk decode.

    Decoding 100 000 records allocates millions of objects, and the collector would rescan
    the growing heap many times over: a pause makes the decode about three times faster.
    Only wrap synchronous code (no await inside), as the switch is process-wide.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
