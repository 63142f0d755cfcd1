"""Errors, grouped by what the caller does next.

- ``ConfigError``: fix the config file or environment; start-up stops (exit 2).
- ``FetchError``: a register could not be read.
  - ``RetryableFetchError``: transient (connection reset, timeout, 429, 5xx); retried with
    backoff, and if it persists the source is marked STALE/FAILING, last good data kept.
  - ``FatalFetchError``: retrying will not help (404, wrong content type, too large, host
    not allowed, garbage); the source is marked FAILING, last good data kept.
- ``InvalidRecordError``: one record cannot be normalised; it is quarantined with the reason,
  the rest of the harvest lands.
- ``ConnectorContractError``: the plugin itself is broken (bad metadata, wrong return type).

Every message says what to do about it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

_SECRET_PARAM = re.compile(r"token|key|secret|passw|pwd|sig|auth|credential|session", re.I)
_URL = re.compile(r"https?://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """The URL with passwords and secret-looking query values replaced by ***, fit for logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}" if ":" in user else netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(k) for k, _ in pairs):
            query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_urls(text: str) -> str:
    """Every URL in a message redacted (register errors end up in `sources` and logs)."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def validation_message(exc: msgspec.ValidationError) -> tuple[str, str | None]:
    """msgspec says 'Expected `int`, got `str` - at `$.sources[0].port`': the message without
    backticks, and the dotted key it names (None for the top level)."""
    message, _, where = str(exc).partition(" - at `")
    key = where.rstrip("`").removeprefix("$.").removeprefix("$") or None
    return message.replace("`", ""), key


class HubError(Exception):
    """Base of every error the hub raises on purpose."""


class ConfigError(HubError):
    """The configuration is invalid; the message names the file, the key and the fix."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class FetchError(HubError):
    """A register could not be read."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = redact_url(url) if url else url
        self.status = status
        super().__init__(redact_urls(message))


class RetryableFetchError(FetchError):
    """Transient failure: worth retrying with backoff."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, url=url, status=status)


class FatalFetchError(FetchError):
    """Permanent failure for this harvest: retrying will not help."""


class InvalidRecordError(HubError):
    """One raw record cannot be normalised: quarantine it with this reason."""

    def __init__(self, reason: str, *, local_id: str | None = None) -> None:
        self.reason = reason
        self.local_id = local_id
        super().__init__(reason)


class ConnectorContractError(HubError):
    """A connector plugin breaks the SDK contract; its author must fix it."""
