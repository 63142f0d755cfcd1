"""Persisted queries: Apollo's Automatic Persisted Queries (APQ) and an optional allow-list.

APQ: a client sends ``extensions.persistedQuery = {version: 1, sha256Hash}`` without the query;
an unknown hash answers ``PersistedQueryNotFound`` (``extensions.code``
``PERSISTED_QUERY_NOT_FOUND``), the client retries with hash and query, the hub checks the hash
and remembers the document. Documents live in a bounded in-process LRU, not in the response
cache (whose TTL would evict them at random). Limitation: each replica learns hashes on its own,
so after a restart or on another replica a client gets one ``PersistedQueryNotFound`` and
re-sends the query, which the protocol already provides for.

Persisted-query file (``[limits] persisted_queries_file``): its documents are known by hash from
the start, on every replica, and never evicted; other queries still run, and APQ registers them
as above (Apollo Router's persisted-query list without its safelist).

Allow-list (``[limits] persisted_only = true`` with ``persisted_queries_file``): only the
documents in the file run, whether sent by hash or in full; APQ registration is off. A document
sent in full runs when its hash is listed, or when it parses to exactly a listed operation (the
same tokens laid out differently; comments do not count).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import msgspec
from graphql import GraphQLError, parse, print_ast

from microcred_hub.errors import ConfigError

NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
_HASH = re.compile(r"^[0-9a-fA-F]{64}$")
#: larger documents run but are not remembered, so the LRU's memory stays bounded
MAX_REMEMBERED_CHARS = 64 * 1024


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run; ``code`` goes to ``extensions.code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def as_error(self) -> dict[str, object]:
        return {"message": self.message, "extensions": {"code": self.code}}


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _printed(document: str, max_tokens: int) -> str | None:
    """The document as graphql-core prints it (comments and layout gone, meaning kept), or
    None when it does not parse. Unlike folding whitespace in the text, this keeps a newline
    that ends a ``#`` comment meaningful."""
    try:
        return print_ast(parse(document, no_location=True, max_tokens=max_tokens))
    except (GraphQLError, RecursionError):
        return None


def _only_error(detail: str) -> PersistedQueryError:
    return PersistedQueryError(
        f"{detail}: this hub runs only the queries listed in [limits] persisted_queries_file "
        "([limits] persisted_only = true); send one of those documents or its sha256Hash",
        "PERSISTED_QUERY_ONLY",
    )


class PersistedQueries:
    """Resolves a request's query from its ``persistedQuery`` extension (APQ or allow-list)."""

    def __init__(
        self,
        *,
        max_entries: int = 1000,
        allow_list: Mapping[str, str] | None = None,
        listed: Mapping[str, str] | None = None,
        apq: bool = True,
        max_tokens: int = 2000,
    ) -> None:
        self.max_entries = max(0, max_entries)
        self.apq = apq
        self._known: OrderedDict[str, str] = OrderedDict()
        #: the persisted-query file's documents: apart from the LRU, so they are never evicted
        self._listed = {k.lower(): v for k, v in (listed or {}).items()}
        self.allow_list = (
            None if allow_list is None else {k.lower(): v for k, v in allow_list.items()}
        )
        self.max_tokens = max_tokens
        printed = (_printed(doc, max_tokens) for doc in (allow_list or {}).values())
        self._allowed_printed = frozenset(doc for doc in printed if doc is not None)

    def __len__(self) -> int:
        return len(self._known)

    def resolve(self, query: str | None, extensions: Mapping[str, object] | None) -> str | None:
        """The document to run; raises PersistedQueryError when there is none it may run."""
        persisted = None if extensions is None else extensions.get("persistedQuery")
        if persisted is None:
            if self.allow_list is not None and query is not None and not self._allowed(query):
                raise _only_error("query not on the allow-list")
            return query
        digest = _hash_of(persisted)
        if query is None:
            return self._lookup(digest)
        if sha256_hex(query) != digest:
            raise PersistedQueryError(
                "provided sha256Hash does not match the query; hash the exact query text sent",
                "PERSISTED_QUERY_HASH_MISMATCH",
            )
        if self.allow_list is not None:
            if not self._allowed(query):
                raise _only_error("query not on the allow-list")
            return query
        self._remember(digest, query)
        return query

    def _allowed(self, query: str) -> bool:
        assert self.allow_list is not None
        if sha256_hex(query) in self.allow_list:
            return True
        # The same operation laid out differently (what a client's formatter does) runs too.
        printed = _printed(query, self.max_tokens)
        return printed is not None and printed in self._allowed_printed

    def _lookup(self, digest: str) -> str:
        if self.allow_list is not None:
            document = self.allow_list.get(digest)
            if document is None:
                raise _only_error(f"unknown sha256Hash {digest}")
            return document
        listed = self._listed.get(digest)
        if listed is not None:
            return listed
        if not self.apq:
            raise PersistedQueryError(
                "PersistedQueryNotSupported: automatic persisted queries are off here "
                "([limits] persisted_queries = false); send the query",
                "PERSISTED_QUERY_NOT_SUPPORTED",
            )
        document = self._known.get(digest)
        if document is None:
            raise PersistedQueryError("PersistedQueryNotFound", NOT_FOUND_CODE)
        self._known.move_to_end(digest)
        return document

    def _remember(self, digest: str, query: str) -> None:
        if not self.apq or len(query) > MAX_REMEMBERED_CHARS or not self.max_entries:
            return
        if digest in self._listed:
            return
        self._known[digest] = query
        self._known.move_to_end(digest)
        while len(self._known) > self.max_entries:
            self._known.popitem(last=False)


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise PersistedQueryError(
            "extensions.persistedQuery must be an object {version: 1, sha256Hash: ...}",
            "PERSISTED_QUERY_INVALID",
        )
    if persisted.get("version") != 1:
        raise PersistedQueryError(
            f"persisted query version {persisted.get('version')!r} is not supported; send 1",
            "PERSISTED_QUERY_VERSION_UNSUPPORTED",
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.match(digest):
        raise PersistedQueryError(
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits",
            "PERSISTED_QUERY_INVALID",
        )
    return digest.lower()


def load_allow_list(path: Path, *, config_file: str) -> dict[str, str]:
    """hash -> document from a JSON file: a map hash -> document, a list of documents, or an
    Apollo persisted-query manifest (``{"operations": [{"id", "body"}, ...]}``)."""
    key = "limits.persisted_queries_file"
    try:
        data = msgspec.json.decode(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found; give the path of a JSON file", file=config_file, key=key
        ) from None
    except (OSError, msgspec.DecodeError) as exc:
        raise ConfigError(
            f"cannot read {path} as JSON ({exc})", file=config_file, key=key
        ) from None
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        data = {
            str(op.get("id")): op.get("body") for op in data["operations"] if isinstance(op, dict)
        }
    if isinstance(data, list):
        if not all(isinstance(doc, str) for doc in data):
            raise ConfigError(
                f"{path}: a list must hold query strings only", file=config_file, key=key
            )
        return {sha256_hex(doc): doc for doc in data}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a JSON object hash -> query or a list of queries",
            file=config_file,
            key=key,
        )
    out: dict[str, str] = {}
    for digest, document in data.items():
        if not isinstance(document, str) or sha256_hex(document) != str(digest).lower():
            raise ConfigError(
                f"{path}: entry {str(digest)[:16]}… is not the sha256 of its query; "
                "use the hex sha256 of the exact query text as the key",
                file=config_file,
                key=key,
            )
        out[str(digest).lower()] = document
    return out


def persisted_queries_for(
    *,
    enabled: bool,
    only: bool,
    file: str | None,
    max_entries: int,
    config_file: str,
    max_tokens: int = 2000,
    always_allowed: Mapping[str, str] | None = None,
) -> PersistedQueries:
    """The hub's persisted-query store from its ``[limits]`` settings; ``always_allowed``
    (hash -> document: the dashboard's queries) joins the allow-list in ``persisted_only``.
    Without ``persisted_only`` the file's documents are served by hash and other queries run."""
    if only and not file:
        raise ConfigError(
            "persisted_only = true needs persisted_queries_file (the allowed queries)",
            file=config_file,
            key="limits.persisted_queries_file",
        )
    listed = None
    if file:
        path = Path(file)
        if not path.is_absolute() and config_file != "<defaults>":
            path = Path(config_file).resolve().parent / path
        listed = load_allow_list(path, config_file=config_file)
    if only:
        allowed = {**(always_allowed or {}), **(listed or {})}
        return PersistedQueries(allow_list=allowed, max_tokens=max_tokens)
    return PersistedQueries(max_entries=max_entries, apq=enabled, listed=listed)
