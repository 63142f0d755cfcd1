"""A connector's small persisted memory for one source, kept in the store between harvests.

The hub loads it before ``fetch`` and writes it back only when the harvest landed, next to the
HTTP validators, so every replica (and a restarted process) sees what the last harvest left:
a connector that remembers what each page held can answer a 304 without reading the page again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

import msgspec

from microcred_hub.errors import ConnectorContractError

JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"

#: the most a connector may keep per source, as encoded JSON (16 MiB)
MAX_STATE_BYTES = 16 * 1024 * 1024


class ConnectorState:
    """JSON a connector keeps for one source between harvests: read ``value``, replace with
    ``set``. Shared by replicas and kept across restarts; a failed harvest keeps the old value.
    """

    def __init__(self, value: JSON = None, *, max_bytes: int = MAX_STATE_BYTES) -> None:
        self._value: JSON = value
        self.max_bytes = max_bytes
        self.changed = False

    @property
    def value(self) -> JSON:
        """What the last successful harvest stored (None when nothing was kept yet)."""
        return self._value

    def set(self, value: JSON) -> None:
        """Keep ``value`` for the next harvest; raises ConnectorContractError when it is not
        JSON or is larger than ``max_bytes`` encoded (keep less, e.g. digests, not bodies)."""
        try:
            encoded = msgspec.json.encode(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ConnectorContractError(
                f"connector state must be JSON (dicts, lists, str, int, float, bool, None): {exc}"
            ) from exc
        if len(encoded) > self.max_bytes:
            raise ConnectorContractError(
                f"connector state of {len(encoded)} bytes is over the limit of {self.max_bytes};"
                " keep less per source (digests or positions rather than whole bodies)"
            )
        self._value = value
        self.changed = True

    def clear(self) -> None:
        """Forget everything kept (the next harvest starts with ``value`` None)."""
        self.set(None)

    def dump(self, connector: str) -> bytes:
        """The store's bytes for this state, tagged with the connector's name so that another
        connector given the same source key never reads it."""
        return msgspec.json.encode({"connector": connector, "value": self._value})

    @classmethod
    def load(
        cls, data: bytes | None, connector: str | None, *, max_bytes: int = MAX_STATE_BYTES
    ) -> ConnectorState:
        """The state stored for ``connector`` (None: whichever connector stored it); an
        unreadable one or another connector's is treated as none kept (a connector must cope
        with losing its state anyway)."""
        if data is None:
            return cls(max_bytes=max_bytes)
        try:
            with _gc_paused():  # many small objects at once: no cyclic GC pass mid-decode
                stored: JSON = msgspec.json.decode(data)
        except (msgspec.DecodeError, RecursionError):
            return cls(max_bytes=max_bytes)
        if not isinstance(stored, dict):
            return cls(max_bytes=max_bytes)
        if connector is not None and stored.get("connector") != connector:
            return cls(max_bytes=max_bytes)
        return cls(stored.get("value"), max_bytes=max_bytes)


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def state_key(source: str) -> str:
    """The store's meta key of a source's connector state."""
    return f"connector-state:{source}"
