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

#: query keys whose values are shown; every other value is a secret until proven otherwise
SAFE_QUERY_KEYS = frozenset(
    {
        "page", "pagesize", "page_size", "per_page", "perpage", "limit", "offset", "skip",
        "start", "count", "size", "cursor", "after", "before", "since", "updatedsince",
        "updated_since", "modifiedsince", "from", "to", "format", "expand", "include",
        "fields", "sort", "order", "orderby", "lang", "language", "locale", "type", "status",
        "community", "db",
    }
)  # fmt: skip
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>`]+")
_HIDDEN = "***"


def redact_url(url: str) -> str:
    """The URL as it may leave the process: user parts, query values and fragment hidden.

    Every user part (``https://TOKEN@host``, ``redis://user:pw@host``) and every query value whose
    key is not in SAFE_QUERY_KEYS become ``***``; keys stay, so the URL remains recognisable.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _HIDDEN
    netloc = parts.netloc
    if "@" not in netloc and not parts.query and not parts.fragment:
        return url  # nothing hidden; urlunsplit would also turn "memory://" into "memory:"
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{_HIDDEN}:{_HIDDEN}@{host}" if ":" in user else f"{_HIDDEN}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        shown = [(k, v if k.lower() in SAFE_QUERY_KEYS else _HIDDEN) for k, v in pairs]
        query = urlencode(shown, safe="*") if pairs else _HIDDEN
    fragment = _HIDDEN if parts.fragment else ""
    if (netloc, query, fragment) == (parts.netloc, parts.query, parts.fragment):
        return url  # nothing hidden: as written ("memory://" stays, urlunsplit would drop "//")
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def redact_urls(text: str) -> str:
    """Every URL in a message redacted (register errors end up in `sources` and logs)."""

    def one(match: re.Match[str]) -> str:
        url = match.group(0)
        core = url.rstrip(".,;:!?)]}")  # punctuation after a URL is the sentence's, not the URL's
        return redact_url(core) + url[len(core) :]

    return _URL.sub(one, text)


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
        message = redact_urls(message)  # config errors quote URLs, passwords and all
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
