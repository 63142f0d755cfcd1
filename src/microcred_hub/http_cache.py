"""Whole-response caching in front of the GraphQL app.

A cached answer is found before strawberry sees the request, so a repeated dashboard query costs
little more than a static file. Only a well-formed request is looked up (a malformed one goes
to the endpoint, which refuses it). The key is the exact query text, the variables in
canonical order, the operation name, the response media type and the hub's data epoch (the
store's data version and a digest of the stored source states), so no replica serves an answer
older than the data it holds, and replicas holding the same data share their answers.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import msgspec

from microcred_hub import telemetry
from microcred_hub.responses import DECODED_BODY, json_error

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from microcred_hub.cache import ResponseCache
    from microcred_hub.metrics import Metrics

_canonical = msgspec.json.Encoder(order="sorted")
_ENTRY_SEP = b"\n\x00\n"


class _Captured:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        # the one body message an answer usually is, as sent (no copy); chunks are joined
        self.body: bytes | bytearray = b""

    def add(self, chunk: bytes) -> None:
        if not self.body:
            self.body = chunk
        else:
            if isinstance(self.body, bytes):
                self.body = bytearray(self.body)
            self.body += chunk


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    chunks = bytearray()
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks += message.get("body", b"")
        if len(chunks) > limit:
            raise BodyTooLarge
        more = message.get("more_body", False)
    return bytes(chunks)


_UNDECODED = object()


def cache_key(
    method: str,
    query_string: bytes,
    body: bytes,
    accept: str,
    epoch: str,
    payload: object = _UNDECODED,
) -> str | None:
    """None when the request is not a cacheable query (a mutation, or not a well-formed
    GraphQL-over-HTTP request: those go to the endpoint, which refuses them), or registers
    an APQ hash (the endpoint must see it, whether its answer is cached or not).
    ``payload``: a POST body already decoded."""
    try:
        if method == "GET":
            params = dict(parse_qsl(query_string.decode("latin-1")))
            query: object = params.get("query")
            variables: object = (
                msgspec.json.decode(params["variables"]) if params.get("variables") else None
            )
            operation: object = params.get("operationName")
            extensions: object = (
                msgspec.json.decode(params["extensions"]) if params.get("extensions") else None
            )
        else:
            if payload is _UNDECODED:
                payload = msgspec.json.decode(body)
            if not isinstance(payload, dict):
                return None
            query = payload.get("query")
            variables = payload.get("variables")
            operation = payload.get("operationName")
            extensions = payload.get("extensions")
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # deeply nested JSON too
        return None
    if not (
        isinstance(query, str | None)
        and isinstance(variables, dict | None)
        and isinstance(operation, str | None)
        and isinstance(extensions, dict | None)
    ):
        return None  # the endpoint answers 400: a cached answer must not stand in for that
    if not query:
        query = _persisted_key(extensions)  # a hash-only APQ request names one document
    elif _persisted_key(extensions):
        # query and hash: a registration (rare: after PersistedQueryNotFound), which the
        # endpoint checks and remembers; a cached answer would leave the hash unknown
        return None
    if not query:
        return None  # (the schema has no mutations: anything else fails validation, uncached)
    # The exact text: folding whitespace would merge queries that differ in meaning (a
    # newline ends a "#" comment).
    material = _canonical.encode([query, variables, operation, accept, epoch])
    return hashlib.sha256(material).hexdigest()


class _Remembered:
    """A small LRU map with a budget of bytes (of its keys and values), for work a repeated
    request would redo: the cache key of a GET's query string, the ETag of a cached answer.
    A key over a tenth of the budget is not remembered."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self._bytes = 0

    def get(self, key: bytes) -> bytes | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: bytes, value: bytes) -> None:
        size = len(key) + len(value)
        if size * 10 > self.max_bytes or key in self._items:
            return
        self._items[key] = value
        self._bytes += size
        while self._bytes > self.max_bytes:
            old_key, old_value = self._items.popitem(last=False)
            self._bytes -= len(old_key) + len(old_value)


def _etag_of(body: bytes) -> bytes:
    # SHA-256 runs in hardware on current CPUs: twice as quick as BLAKE2 on a page's answer
    return b'"' + hashlib.sha256(body).hexdigest()[:24].encode() + b'"'


def _persisted_key(extensions: object) -> str:
    """ "apq:<sha256>" for an APQ request sent by hash only (graphql/persisted.py), else ""."""
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return f"apq:{digest.lower()}" if isinstance(digest, str) and digest else ""


class CachedGraphQL:
    """ASGI wrapper: answer from the response cache, else run the app and keep a good answer."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ResponseCache,
        epoch: Callable[[], str | None],
        metrics: Metrics,
        *,
        max_body_bytes: int,
        max_age: int,
    ) -> None:
        self.app = app
        self.cache = cache
        self.epoch = epoch
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.max_age = max_age
        # A dashboard repeats the same few GETs and is answered the same few entries: their
        # keys (the query string parsed, canonically encoded, hashed) and ETags (a hash of the
        # whole answer) are worked out once. An entry is the ETag's key as is: the very object
        # a memory cache hands back hashes once, and any other equal bytes find it too.
        self._get_keys = _Remembered(256 * 1024)
        self._etags = _Remembered(8 * 1024 * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"").decode("latin-1")
        query_string = scope["query_string"]
        if method not in ("GET", "POST") or (
            # a hash-only APQ GET carries extensions= and no query=: it is a query too
            method == "GET" and b"query=" not in query_string and b"extensions=" not in query_string
        ):
            await self.app(scope, receive, send)  # GraphiQL, OPTIONS, ...
            return
        media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if method == "POST" and not (media == b"application/json" or media.endswith(b"+json")):
            # GraphQL over HTTP: a POST body is JSON, and must say so
            message = "POST needs Content-Type: application/json"
            await json_error(415, message)(scope, receive, send)
            return
        try:
            body = await read_body(receive, self.max_body_bytes) if method == "POST" else b""
        except BodyTooLarge:
            # name the setting and its value, like every other limit
            message = f"request body exceeds [server] max_body_bytes = {self.max_body_bytes}"
            await json_error(413, message)(scope, receive, send)
            return
        payload: object = _UNDECODED
        if method == "POST":
            try:
                payload = msgspec.json.decode(body)
            except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
                pass  # the endpoint refuses it (cache_key decodes nothing more)
            else:
                scope[DECODED_BODY] = payload  # read once: the endpoint reuses it
        epoch = self.epoch()
        # no epoch: the answers are this replica's own for now (its store is unreachable)
        key = (
            None
            if epoch is None or (method == "POST" and payload is _UNDECODED)
            else self._key(method, query_string, body, accept, epoch, payload)
        )
        if key is not None:
            with telemetry.span("cache lookup"):
                hit = await self.cache.get(key)
            if hit is not None:
                self.metrics.cache_hit.inc()
                await self._send_cached(hit, method, headers, send)
                return
            self.metrics.cache_miss.inc()
        captured = await self._run(scope, body, send if key is None else None)
        if key is None or captured is None:
            return
        content_type = dict(captured.headers).get(b"content-type", b"application/json")
        body_out = captured.body if isinstance(captured.body, bytes) else bytes(captured.body)
        # The entry is made once: the same object is kept, and names its ETag for later hits.
        entry = content_type + _ENTRY_SEP + body_out
        # `"errors":` can only be a key (inside strings the quotes are escaped)
        has_errors = b'"errors":' in body_out
        # an answer computed while the epoch moved (a harvest landed, the store went away) may
        # mix both sides: it is sent, not kept
        if captured.status == 200 and not has_errors and self.epoch() == epoch:
            await self.cache.set(key, entry)
        await self._send(
            content_type,
            body_out,
            # not remembered: a fresh answer is often never asked for again, and its first hit
            # (the object the cache keeps) remembers it
            _etag_of(body_out),
            method,
            headers,
            send,
            captured.status,
            has_errors,
        )

    def _key(
        self,
        method: str,
        query_string: bytes,
        body: bytes,
        accept: str,
        epoch: str,
        payload: object,
    ) -> str | None:
        if method != "GET":
            return cache_key(method, query_string, body, accept, epoch, payload)
        # (the three parts cannot run together: neither an accept header nor an epoch holds \n)
        remembered = b"\n".join((accept.encode("latin-1"), epoch.encode(), query_string))
        known = self._get_keys.get(remembered)
        if known is not None:
            return known.decode() or None
        key = cache_key(method, query_string, body, accept, epoch)
        self._get_keys.put(remembered, (key or "").encode())
        return key

    def _etag(self, entry: bytes, body: bytes) -> bytes:
        etag = self._etags.get(entry)
        if etag is None:
            etag = _etag_of(body)
            self._etags.put(entry, etag)
        return etag

    async def _run(self, scope: Scope, body: bytes, passthrough: Send | None) -> _Captured | None:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        if passthrough is not None:
            await self.app(scope, replay, passthrough)
            return None
        captured = _Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = message["status"]
                captured.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured.add(message.get("body", b""))

        await self.app(scope, replay, capture)
        return captured

    async def _send_cached(
        self,
        entry: bytes,
        method: str,
        request_headers: dict[bytes, bytes],
        send: Send,
        status: int = 200,
    ) -> None:
        content_type, _, body = entry.partition(_ENTRY_SEP)
        etag = self._etag(entry, body)
        has_errors = b'"errors":' in body
        await self._send(
            content_type, body, etag, method, request_headers, send, status, has_errors
        )

    async def _send(
        self,
        content_type: bytes,
        body: bytes,
        etag: bytes,
        method: str,
        request_headers: dict[bytes, bytes],
        send: Send,
        status: int,
        has_errors: bool,
    ) -> None:
        headers = [(b"content-type", content_type), (b"etag", etag)]
        # an answer with errors (e.g. PersistedQueryNotFound) must not sit in a CDN: the
        # client retries with the full query and must reach the hub
        if method == "GET" and status == 200 and not has_errors:
            headers.append((b"cache-control", b"public, max-age=%d" % self.max_age))
            if request_headers.get(b"if-none-match") == etag:
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        else:
            headers.append(
                (b"cache-control", b"no-store" if status != 200 else b"private, no-cache")
            )
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
