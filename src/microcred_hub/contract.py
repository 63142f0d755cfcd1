"""Connector-facing types: what the hub and a connector plugin exchange.

This is the bottom of the package (it imports only ``errors`` and ``record``): connectors
reach it through ``microcred_hub.sdk``; the hub, the fetcher and the conformance kit import it
directly. A connector is a class found through the entry-point group
``microcred_hub.connectors``:

    class MyConnector:
        info = ConnectorInfo(name="my", version="1.0.0", description="...", register="...")
        options_type = MyOptions            # a ConnectorOptions subclass: its own config keys

        def __init__(self, options: MyOptions) -> None: ...
        def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]: ...
        def normalise(self, raw: RawRecord) -> RecordDraft: ...   # pure: no clock, no I/O

``fetch`` does all I/O through ``ctx.fetcher`` (the hub injects timeouts, retries, size limits,
allowed hosts and conditional GET); ``normalise`` maps one raw record and raises
``InvalidRecordError`` for a record that cannot be mapped, which the hub quarantines.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import ClassVar, Protocol, TypeAlias, runtime_checkable

import msgspec

from microcred_hub.errors import ConnectorContractError, FatalFetchError
from microcred_hub.record import RecordDraft

JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"
JSONObject: TypeAlias = "dict[str, JSON]"


class ConnectorInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What a connector declares about itself; checked by the hub and the conformance kit."""

    name: str  # the entry-point name, e.g. "nzqa"
    version: str  # the connector's own version, recorded in provenance
    description: str
    register: str  # the register or register family it reads
    country: str | None = None  # ISO 3166-1 alpha-2 when the register is national
    formats: tuple[str, ...] = ()
    #: hosts a source may reach besides its own url's host (e.g. a CDN for documents)
    allowed_hosts: tuple[str, ...] = ()
    homepage: str | None = None


class ConnectorOptions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base class of a connector's own config keys (the rest of its ``[[sources]]`` table).

    Check values in ``__post_init__`` by raising ``ValueError``: the hub turns it into a config
    error that names the file, the source and the key.
    """

    def require_at_least(self, minimum: int, *names: str) -> None:
        """``ValueError("<name> must be at least <minimum>")`` for the first of ``names`` below
        ``minimum`` (counts, pages, concurrency)."""
        for name in names:
            if getattr(self, name) < minimum:
                raise ValueError(f"{name} must be at least {minimum}")


class RawRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One record as the register published it, before normalisation."""

    data: JSONObject
    local_id: str | None = None  # when known before normalising: used in quarantine reports
    source_url: str | None = None  # the document/page it came from
    #: this record supersedes the one yielded earlier in this harvest under the same local_id
    #: (a feed that streams and meets a higher version of a listing it already gave)
    replaces: bool = False
    #: why the connector already refuses this entry (see ``reject``): quarantined as it is,
    #: never handed to ``normalise``
    rejected: str | None = None


def reject(
    entry: JSON, reason: str, *, source_url: str | None = None, local_id: str | None = None
) -> RawRecord:
    """An entry ``fetch`` refuses (not an object, no id…), yielded so the hub quarantines it
    with ``reason`` instead of losing it silently; ``normalise`` never sees it."""
    data: JSONObject = entry if isinstance(entry, dict) else {"entry": entry}
    return RawRecord(data=data, local_id=local_id, source_url=source_url, rejected=reason)


def json_kind(value: JSON) -> str:
    """ "object", "array", "string", "number", "boolean" or "null": for reasons such as
    ``entry is a JSON string, not an object``."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    kinds = {dict: "object", list: "array", str: "string", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


class Unchanged(msgspec.Struct, frozen=True, kw_only=True):
    """A document the register says is unchanged (HTTP 304): keep the records it gave last time."""

    source_url: str


class FetchResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A register's answer, already checked for status, size and (for JSON) content type."""

    url: str
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def json(self) -> JSON:
        """The body as JSON; a body that is not JSON is a FatalFetchError naming the URL."""
        try:
            value: JSON = msgspec.json.decode(self.body)
        except (msgspec.DecodeError, RecursionError) as exc:
            raise FatalFetchError(
                f"{self.url} did not answer valid JSON ({exc}); check the source url",
                url=self.url,
                status=self.status,
            ) from exc
        return value

    def text(self) -> str:
        """The body decoded as UTF-8 (a byte-order mark is dropped; bad bytes replaced)."""
        return self.body.decode("utf-8-sig", errors="replace")


class Fetcher(Protocol):
    """The only way a connector reaches the network; injected by the hub."""

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
        conditional: bool = False,
    ) -> FetchResponse:
        """GET ``url``; with ``conditional`` the answer may be a 304 (``not_modified``)."""
        ...

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JSON:
        """GET ``url`` and decode its JSON body."""
        ...


#: the most a connector may keep per source, as encoded JSON (16 MiB)
MAX_STATE_BYTES = 16 * 1024 * 1024


class ConnectorState:
    """JSON a connector keeps for one source between harvests: read ``value``, replace with
    ``set``. Shared by replicas and kept across restarts; a failed harvest keeps the old value.
    """

    def __init__(self, value: JSON = None, *, max_bytes: int = MAX_STATE_BYTES) -> None:
        self._value: JSON = value
        self.max_bytes = max_bytes
        #: whether ``set`` gave a value other than the one kept: only then is it written back
        self.changed = False
        # encoded now: a connector may change the value it was given in place before ``set``
        self._kept = msgspec.json.encode(value)

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
        self.changed = encoded != self._kept

    def clear(self) -> None:
        """Forget everything kept (the next harvest starts with ``value`` None)."""
        self.set(None)

    @staticmethod
    def store_key(source: str) -> str:
        """The store's meta key of a source's connector state."""
        return f"connector-state:{source}"

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
            with collector_paused():  # many small objects at once: no cyclic GC pass mid-decode
                stored: JSON = msgspec.json.decode(data)
        except (msgspec.DecodeError, RecursionError):
            return cls(max_bytes=max_bytes)
        if not isinstance(stored, dict):
            return cls(max_bytes=max_bytes)
        if connector is not None and stored.get("connector") != connector:
            return cls(max_bytes=max_bytes)
        return cls(stored.get("value"), max_bytes=max_bytes)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a bulk load makes millions of objects that all
    stay, and the collector, woken every few hundred allocations, would rescan the growing
    heap each time for nothing (the caller collects once afterwards, if it must)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class HarvestContext(msgspec.Struct, frozen=True, kw_only=True):
    """What the hub hands ``fetch``: where to read, with what, and since when."""

    source_key: str
    url: str
    urls: tuple[str, ...]  # url first, then any extra ``urls`` of the source
    fetcher: Fetcher
    since: datetime | None = None  # last successful harvest, for incremental feeds
    on_page: Callable[[str], None] | None = None  # progress: one call per page fetched
    on_partial: Callable[[], None] | None = None
    #: what this connector kept for this source last time (shared by replicas): see ``set``
    state: ConnectorState = msgspec.field(default_factory=ConnectorState)

    def page(self, url: str) -> None:
        """Report one page or document fetched (progress on the terminal and in metrics)."""
        if self.on_page is not None:
            self.on_page(url)

    def partial(self) -> None:
        """Say this harvest yields only what changed (e.g. ``updatedSince``): records not seen
        are kept as they are, not marked withdrawn, and an empty answer is not a failure."""
        if self.on_partial is not None:
            self.on_partial()


@runtime_checkable
class Connector(Protocol):
    """A connector plugin instance, built as ``ConnectorClass(options)``."""

    info: ClassVar[ConnectorInfo]
    options_type: ClassVar[type[ConnectorOptions]]

    def fetch(self, ctx: HarvestContext) -> AsyncIterator[RawRecord | Unchanged]: ...

    def normalise(self, raw: RawRecord) -> RecordDraft: ...


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """One JSON document of a document source, with the URL it came from."""

    url: str
    data: JSON


def wire_json(draft: RecordDraft) -> JSONObject:
    """A draft as JSON the way the hub writes records and expected files hold them: camelCase
    keys, empty fields left out (what ``expected/*.toml`` compares against)."""
    value: JSONObject = msgspec.json.decode(msgspec.json.encode(draft))
    return value
