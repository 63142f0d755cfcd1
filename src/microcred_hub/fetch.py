"""The fetcher the hub injects into connectors: every outbound request goes through here.

Registers are untrusted: requests go only to the source's origins (scheme, host and port) and
host names are checked again after resolution (``outbound``); the source's headers go only to its
own origins, request by request; bodies are capped while they stream, per response and per
harvest; redirects are followed by hand (each hop checked, never https -> http, a bounded number);
``file://`` reads stay below the source's folder; JSON answers must say so in their content type,
and only transient failures are retried (tenacity, exponential backoff with jitter, honouring
Retry-After). Connection failures read the same whatever the cause, so ``lastError`` tells a
client nothing about which ports answer; the detail goes to the log.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
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
from microcred_hub.contract import JSON, FetchResponse
from microcred_hub.errors import FatalFetchError, FetchError, RetryableFetchError, redact_url
from microcred_hub.outbound import (
    DEFAULT_PORTS,
    GuardedResolver,
    Origin,
    PrivateAddressError,
    format_origin,
    origin_of,
    origins_for,
)

log = logging.getLogger("microcred_hub.fetch")

Params = Mapping[str, str] | Sequence[tuple[str, str]] | None

_JSON_TYPES = ("application/json", "application/ld+json", "text/json")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Per-source limits; every field has a safe default."""

    #: "host" or "host:port" ("[v6]:port"), on http and https, default ports filled in
    allowed_hosts: tuple[str, ...] = ()
    #: exact origins ("https://host:443"); with allowed_hosts, all this fetcher may reach
    origins: tuple[str, ...] = ()
    #: where ``headers`` go; None: every reachable origin
    header_origins: tuple[str, ...] | None = None
    #: host names resolving to loopback/private/link-local/multicast addresses may be reached
    allow_private_addresses: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while reading a body
    total_timeout: float = 120.0  # one request, all retries excluded
    max_bytes: int = 10 * 1024 * 1024  # one response
    max_total_bytes: int | None = None  # every response of this fetcher together
    retries: int = 3  # extra attempts after the first, for retryable failures only
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_redirects: int = 5
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)  # e.g. auth; never logged
    allow_files: bool = False  # file:// URLs (local registers, the demo data)
    #: with allow_files: folders a file:// URL must resolve below (empty: anywhere)
    file_roots: tuple[str, ...] = ()
    use_validators: bool = True  # send stored ETag / Last-Modified when asked to be conditional


class MetaStore(Protocol):
    """Where conditional-GET validators persist between harvests (the record store)."""

    async def get_meta(self, key: str) -> bytes | None: ...


class _Validators(msgspec.Struct, frozen=True):
    etag: str | None = None
    last_modified: str | None = None


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
        self._origins = origins_for((), policy.allowed_hosts, schemes=DEFAULT_PORTS) | {
            o for o in map(origin_of, policy.origins) if o is not None
        }
        self._header_origins = (
            self._origins
            if policy.header_origins is None
            else {o for o in map(origin_of, policy.header_origins) if o is not None}
        )
        self._roots = tuple(Path(r).resolve() for r in policy.file_roots)

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
            # the source's own headers are added per request, for its own origins only
            headers = {"User-Agent": f"microcred-hub/{__version__}"}
            connector = aiohttp.TCPConnector(
                resolver=None if p.allow_private_addresses else GuardedResolver()
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
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

    def _check_origin(self, url: str, came_from: str | None) -> Origin:
        """The URL's origin when this source may reach it, else FatalFetchError naming the fix."""
        origin = origin_of(url)
        if origin is None:
            raise FatalFetchError(f"{url}: only http(s) URLs may be fetched", url=url)
        if came_from is not None and came_from.startswith("https:") and origin[0] == "http":
            raise FatalFetchError(f"{came_from}: refused a redirect from https to http", url=url)
        if origin not in self._origins:
            raise FatalFetchError(
                f"{url}: {format_origin(origin)} is not allowed for this source (not one of its "
                "origins); add the host (with its port, if not the default) to the source's "
                "allowed_hosts if it is really part of the register",
                url=url,
            )
        return origin

    def _headers_for(
        self, origin: Origin, first: Origin, accept: str, headers: Mapping[str, str]
    ) -> dict[str, str]:
        send = dict(self.policy.headers) if origin in self._header_origins else {}
        send["Accept"] = accept
        if origin == first:  # a connector's own headers never follow a redirect elsewhere
            send.update(headers)
        return send

    async def _get_once(
        self, url: str, headers: Mapping[str, str], accept: str, conditional: bool
    ) -> FetchResponse:
        first = self._check_origin(url, None)
        extra = dict(headers)
        if conditional:
            extra.update(await self._conditional_headers(url))
        current, came_from = url, None
        started = time.monotonic()
        for _hop in range(self.policy.max_redirects + 1):
            origin = self._check_origin(current, came_from)
            send = self._headers_for(origin, first, accept, extra)
            self.requests += 1
            try:
                async with self._client().get(current, headers=send, allow_redirects=False) as resp:
                    if resp.status in _REDIRECTS and "Location" in resp.headers:
                        current, came_from = urljoin(current, resp.headers["Location"]), current
                        continue
                    return await self._read_response(url, current, resp, accept, conditional)
            except FetchError:
                raise
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                raise self._not_connected(current, exc) from exc
            except TimeoutError as exc:
                elapsed = time.monotonic() - started
                raise RetryableFetchError(
                    f"{current}: timed out after {elapsed:.1f} s", url=current
                ) from exc
            except aiohttp.ClientPayloadError as exc:
                raise RetryableFetchError(
                    f"{current}: connection closed mid-body ({exc})", url=current
                ) from exc
            except aiohttp.ClientError as exc:  # refused, reset, closed: all look the same
                raise self._not_connected(current, exc) from exc
        raise FatalFetchError(
            f"{url}: more than {self.policy.max_redirects} redirects (loop?)", url=url
        )

    def _not_connected(self, url: str, exc: Exception) -> FetchError:
        """One message whether the port is closed, filtered or the host unknown: no scanner."""
        if isinstance(exc.__cause__, PrivateAddressError) or isinstance(
            getattr(exc, "os_error", None), PrivateAddressError
        ):
            return FatalFetchError(
                f"{url}: refused: the host name resolves to a loopback, private, link-local or "
                "multicast address; set allow_private_addresses = true on the source if the "
                "register really is on an internal network",
                url=url,
            )
        log.info("%s: connection failed: %s: %s", redact_url(url), type(exc).__name__, exc)
        return RetryableFetchError(
            f"{url}: the connection to the register failed (refused, reset, unreachable or "
            "timed out); check that it is up and that the source url is right",
            url=url,
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

    def validated_urls(self) -> list[str]:
        """The URLs read in this harvest that sent validators: they may answer 304 next time."""
        prefix = self._validator_prefix
        return [key.removeprefix(prefix) for key in self.pending_validators]

    def _budget(self) -> tuple[int, str]:
        """Bytes one more body may have, and the setting that bounds it."""
        total = self.policy.max_total_bytes
        if total is not None and total - self.bytes_read < self.policy.max_bytes:
            return max(0, total - self.bytes_read), "max_total_bytes"
        return self.policy.max_bytes, "max_bytes"

    def _too_large(self, url: str, what: str, size: int | None) -> FatalFetchError:
        limit, setting = self._budget()
        if setting == "max_total_bytes":
            return FatalFetchError(
                f"{url}: the register sent more than max_total_bytes = "
                f"{self.policy.max_total_bytes} bytes in this harvest; raise max_total_bytes "
                "for this source if the register is really that large",
                url=url,
            )
        shown = f"{what} of {size} bytes" if size is not None else what
        return FatalFetchError(f"{url}: {shown} exceeds the limit of {limit} bytes", url=url)

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        limit, _ = self._budget()
        declared = resp.content_length
        if declared is not None and declared > limit:
            raise self._too_large(url, "body", declared)
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                self.bytes_read += size
                raise self._too_large(url, "body", None)
            chunks.append(chunk)
        self.bytes_read += size  # what max_total_bytes counts, across the whole harvest
        return b"".join(chunks)

    def _local_path(self, url: str) -> Path:
        """The file a file:// URL names, resolved, refused when it leaves the source's folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FatalFetchError(f"{url}: not a local file URL (file:///path)", url=url)
        path = Path(url2pathname(parts.path)).resolve()
        if self._roots and not any(path.is_relative_to(root) for root in self._roots):
            raise FatalFetchError(
                f"{url}: refused: the path leaves the source's folder (a file source reads "
                "only below the folder of its configured url)",
                url=url,
            )
        return path

    async def _read_file(self, url: str) -> FetchResponse:
        if not self.policy.allow_files:
            raise FatalFetchError(f"{url}: file:// URLs are not allowed for this source", url=url)
        path = self._local_path(url)
        self.requests += 1
        try:
            size = await asyncio.to_thread(lambda: path.stat().st_size)
            limit, _ = self._budget()
            if size > limit:
                raise self._too_large(url, "file", size)
            body = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise FatalFetchError(f"{url}: no such file", url=url, status=404) from exc
        except OSError as exc:
            raise FatalFetchError(f"{url}: cannot read ({exc.strerror})", url=url) from exc
        self.bytes_read += len(body)
        return FetchResponse(url=url, status=200, headers={}, body=body)
