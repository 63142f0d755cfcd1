"""Where the Redis store keeps what: every key name, in one place.

Standalone Redis and Redis Cluster share one layout. Keys that one write changes together
share a hash tag, so on a cluster they sit in one slot:

- the hub's own keys, tagged ``{<prefix>}``: ``version`` (counter), ``states`` (hash),
  ``meta`` (hash), ``sources`` (set of sources that have records), ``quarantine:<source>``
  (JSON list) and the ``changes`` channel;
- records, in ``BUCKETS`` buckets per source tagged ``{<prefix><source>:<n>}``, each a
  ``records`` hash (id -> record JSON) and a ``digest`` hash (id -> content hash, withdrawn
  flag and document URL: what an apply decides "really changed" by and a harvest diffs
  against, without reading whole records). A record's id starts with its source, and its
  bucket is a hash of the id: the buckets, and so the records, spread over the nodes;
- harvest locks ``lock:<source>``, one key each.
"""

from __future__ import annotations

import zlib

#: buckets per source: enough to spread one large source over many nodes, few enough that
#: reading a small source stays a handful of round trips
BUCKETS = 64


def source_of(record_id: str) -> str:
    """A record id is ``<source>:<local id>`` and source keys hold no ':'."""
    return record_id.split(":", 1)[0]


def bucket_of(record_id: str) -> int:
    return zlib.crc32(record_id.encode()) % BUCKETS


class RedisKeys:
    """The key names under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        hub = prefix + "{" + prefix + "}"
        self.version = hub + "version"
        self.states = hub + "states"
        self.meta = hub + "meta"
        self.sources = hub + "sources"
        self.channel = hub + "changes"
        self._quarantine = hub + "quarantine:"

    def quarantine(self, source: str) -> str:
        return self._quarantine + source

    def lock(self, source: str) -> str:
        return f"{self.prefix}lock:{source}"

    def records(self, source: str, bucket: int) -> str:
        return f"{self.prefix}{{{self.prefix}{source}:{bucket}}}records"

    def digests(self, source: str, bucket: int) -> str:
        return f"{self.prefix}{{{self.prefix}{source}:{bucket}}}digest"

    def record_buckets(self, source: str) -> list[str]:
        return [self.records(source, n) for n in range(BUCKETS)]

    def records_of(self, record_id: str) -> str:
        """The records hash holding ``record_id``."""
        return self.records(source_of(record_id), bucket_of(record_id))

    def digest_buckets(self, source: str) -> list[str]:
        return [self.digests(source, n) for n in range(BUCKETS)]

    def digests_of(self, record_id: str) -> str:
        return self.digests(source_of(record_id), bucket_of(record_id))
