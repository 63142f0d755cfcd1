"""The fetcher the hub injects into connectors: every outbound request goes through here.

Registers are untrusted: requests go only to allowed hosts, bodies are capped while they stream,
redirects are followed by hand (each hop's host checked, a bounded number), JSON answers must say
so in their content type, and only transient failures are retried (tenacity, exponential backoff
with jitter, honouring Retry-After).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import aiohttp
import msgspec
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from yarl import URL

from microcred_hub import __version__, telemetry
from microcred_hub.errors import FatalFetchError, FetchError, RetryableFetchError
from microcred_hub.sdk import JSON, FetchResponse

Params = Mapping[str, str] | Sequence[tuple[str, str]] | None

_JSON_TYPES = ("application/json", "application/ld+json", "text/json")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Per-source limits; every field has a safe default."""

    allowed_hosts: tuple[str, ...] = ()  # "host" or "host:port"; empty allows none over HTTP
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while reading a body
    total_timeout: float = 120.0  # one request, all retries excluded
    max_bytes: int = 20 * 1024 * 1024
    retries: int = 3  # extra attempts after the first, for retryable failures only
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_redirects: int = 5
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)  # e.g. auth; never logged
    allow_files: bool = False  # file:// URLs (local registers, the demo data)
    use_validators: bool = True  # send stored ETag / Last-Modified when asked to be conditional


class MetaStore(Protocol):
    """Where conditional-GET validators persist between harvests (the record store)."""

    async def get_meta(self, key: str) -> bytes | None: ...


class _Validators(msgspec.Struct, frozen=True):
    etag: str | None = None
    last_modified: str | None = None


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of a URL, lower-cased, as allowed_hosts lists them."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HttpFetcher:
    """Implements ``sdk.Fetcher`` over one aiohttp session."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        validators: MetaStore | None = None,
        validator_prefix: str = "validators:",
    ) -> None:
        self.policy = policy
        self._validators = validators
        self._validator_prefix = validator_prefix
        self._session: aiohttp.ClientSession | None = None
        #: validators seen in this harvest; the harvest persists them only once its data landed,
        #: so a failed harvest never turns into a 304 "unchanged" next time
        self.pending_validators: dict[str, bytes] = {}
        self.requests = 0
        self.bytes_read = 0

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            p = self.policy
            timeout = aiohttp.ClientTimeout(
                total=p.total_timeout, sock_connect=p.connect_timeout, sock_read=p.read_timeout
            )
            headers = {"User-Agent": f"microcred-hub/{__version__}", **p.headers}
            self._session = aiohttp.ClientSession(
                timeout=timeout,
                headers=headers,
                auto_decompress=True,
                trust_env=False,
                trace_configs=telemetry.client_trace_configs(),
            )
        return self._session

    async def get_json(
        self, url: str, *, params: Params = None, headers: Mapping[str, str] | None = None
    ) -> JSON:
        return (await self.get(url, params=params, headers=headers)).json()

    async def get(
        self,
        url: str,
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
        conditional: bool = False,
    ) -> FetchResponse:
        if url.startswith("file:"):
            return await self._read_file(url)
        full_url = str(URL(url).update_query(params)) if params else url
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RetryableFetchError),
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=self._wait,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._get_once(full_url, headers or {}, accept, conditional)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(
            multiplier=self.policy.backoff_initial,
            max=self.policy.backoff_max,
            jitter=self.policy.backoff_initial,
        )(state)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableFetchError) and exc.retry_after is not None:
            return min(max(exc.retry_after, backoff), self.policy.backoff_max)
        return backoff

    async def _conditional_headers(self, url: str) -> dict[str, str]:
        if self._validators is None or not self.policy.use_validators:
            return {}
        raw = await self._validators.get_meta(self._validator_prefix + url)
        if raw is None:
            return {}
        saved = msgspec.json.decode(raw, type=_Validators)
        out: dict[str, str] = {}
        if saved.etag:
            out["If-None-Match"] = saved.etag
        if saved.last_modified:
            out["If-Modified-Since"] = saved.last_modified
        return out

    def _check_host(self, url: str) -> None:
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise FatalFetchError(f"{url}: only http(s) URLs may be fetched", url=url)
        host = host_of(url)
        bare = host.split(":", 1)[0]
        if host not in self.policy.allowed_hosts and bare not in self.policy.allowed_hosts:
            raise FatalFetchError(
                f"{url}: host {host!r} is not allowed for this source; add it to the source's "
                "allowed_hosts if it is really part of the register",
                url=url,
            )

    async def _get_once(
        self, url: str, headers: Mapping[str, str], accept: str, conditional: bool
    ) -> FetchResponse:
        send = {"Accept": accept, **headers}
        if conditional:
            send.update(await self._conditional_headers(url))
        current = url
        started = time.monotonic()
        for _hop in range(self.policy.max_redirects + 1):
            self._check_host(current)
            self.requests += 1
            try:
                async with self._client().get(current, headers=send, allow_redirects=False) as resp:
                    if resp.status in _REDIRECTS and "Location" in resp.headers:
                        current = urljoin(current, resp.headers["Location"])
                        continue
                    return await self._read_response(url, current, resp, accept, conditional)
            except FetchError:
                raise
            except TimeoutError as exc:
                elapsed = time.monotonic() - started
                raise RetryableFetchError(
                    f"{current}: timed out after {elapsed:.1f} s", url=current
                ) from exc
            except aiohttp.ClientPayloadError as exc:
                raise RetryableFetchError(
                    f"{current}: connection closed mid-body ({exc})", url=current
                ) from exc
            except aiohttp.ClientError as exc:
                raise RetryableFetchError(
                    f"{current}: {type(exc).__name__}: {exc}", url=current
                ) from exc
        raise FatalFetchError(
            f"{url}: more than {self.policy.max_redirects} redirects (loop?)", url=url
        )

    async def _read_response(
        self,
        requested: str,
        url: str,
        resp: aiohttp.ClientResponse,
        accept: str,
        conditional: bool,
    ) -> FetchResponse:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        status = resp.status
        if status == 304:
            return FetchResponse(url=url, status=304, headers=headers)
        if status in _RETRYABLE_STATUS:
            raise RetryableFetchError(
                f"{url}: HTTP {status}",
                url=url,
                status=status,
                retry_after=_retry_after_seconds(headers.get("retry-after")),
            )
        if status >= 400:
            raise FatalFetchError(f"{url}: HTTP {status}", url=url, status=status)
        declared = resp.content_length
        if declared is not None and declared > self.policy.max_bytes:
            raise FatalFetchError(
                f"{url}: body of {declared} bytes exceeds the limit of {self.policy.max_bytes}",
                url=url,
                status=status,
            )
        body = await self._read_capped(url, resp)
        if "json" in accept:
            ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if ctype and not (ctype in _JSON_TYPES or ctype.endswith("+json")):
                raise FatalFetchError(
                    f"{url}: expected JSON but the register answered {ctype!r}",
                    url=url,
                    status=status,
                )
        if conditional and ("etag" in headers or "last-modified" in headers):
            saved = _Validators(
                etag=headers.get("etag"), last_modified=headers.get("last-modified")
            )
            self.pending_validators[self._validator_prefix + requested] = msgspec.json.encode(saved)
        return FetchResponse(url=url, status=status, headers=headers, body=body)

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise FatalFetchError(
                    f"{url}: body exceeds the limit of {self.policy.max_bytes} bytes", url=url
                )
            chunks.append(chunk)
        self.bytes_read += size
        return b"".join(chunks)

    async def _read_file(self, url: str) -> FetchResponse:
        if not self.policy.allow_files:
            raise FatalFetchError(f"{url}: file:// URLs are not allowed for this source", url=url)
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path))
        self.requests += 1
        try:
            size = await asyncio.to_thread(lambda: path.stat().st_size)
            if size > self.policy.max_bytes:
                raise FatalFetchError(
                    f"{url}: file of {size} bytes exceeds the limit of {self.policy.max_bytes}",
                    url=url,
                )
            body = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise FatalFetchError(f"{url}: no such file", url=url, status=404) from exc
        except OSError as exc:
            raise FatalFetchError(f"{url}: cannot read ({exc.strerror})", url=url) from exc
        self.bytes_read += len(body)
        return FetchResponse(url=url, status=200, headers={}, body=body)
