"""What every resolver gets: the index, source states, quarantine and the query limits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcred_hub.config import QueryLimits
    from microcred_hub.duplicates import Linker
    from microcred_hub.index import Index
    from microcred_hub.record import QuarantinedRecord
    from microcred_hub.state import SourceState


@dataclass(frozen=True, slots=True)
class QueryContext:
    index: Index
    source_states: Callable[[], Awaitable[list[SourceState]]]
    quarantined: Callable[[str], Awaitable[list[QuarantinedRecord]]]
    limits: QueryLimits
    #: one step of index work at a time, each in a loop turn of its own (schema._index_turn);
    #: the app shares one between all requests
    turns: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: the duplicate groups (None when [duplicates] is off: every record stands alone)
    duplicates: Linker | None = None
