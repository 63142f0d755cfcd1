"""Bounded concurrency for detail fetches: at most ``limit`` requests in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def bounded(
    items: Iterable[T],
    work: Callable[[T], Awaitable[R]],
    *,
    limit: int,
    ordered: bool = True,
) -> AsyncIterator[R]:
    """``work(item)`` for every item, ``limit`` at a time, yielding each result.

    A sliding window rather than batches: one slow request holds one slot, not a whole batch.
    ``ordered`` yields in the items' order (stable output between harvests); otherwise each
    result as soon as it is ready. The first exception cancels the requests still running and
    is raised.
    """
    width = max(1, limit)
    pending: dict[asyncio.Task[R], int] = {}
    ready: dict[int, R] = {}
    next_out = 0
    try:
        for index, item in enumerate(items):
            while len(pending) >= width:
                async for result in _settle(pending, ready, ordered):
                    yield result
                if ordered:
                    while next_out in ready:
                        yield ready.pop(next_out)
                        next_out += 1
            pending[asyncio.ensure_future(work(item))] = index
        while pending:
            async for result in _settle(pending, ready, ordered):
                yield result
        while next_out in ready:
            yield ready.pop(next_out)
            next_out += 1
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _settle(
    pending: dict[asyncio.Task[R], int], ready: dict[int, R], ordered: bool
) -> AsyncIterator[R]:
    """Wait for one request at least; unordered results are yielded, ordered ones kept."""
    done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    for task in sorted(done, key=lambda t: pending[t]):
        index = pending.pop(task)
        if ordered:
            ready[index] = task.result()
        else:
            yield task.result()
