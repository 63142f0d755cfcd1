"""Redis-backed response cache shared by replicas; a Redis failure is a miss, never an error."""

from __future__ import annotations

import logging
import re
import time
from typing import cast

import redis.exceptions
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from microcred_hub.cache.base import CacheStats
from microcred_hub.errors import ConfigError, redact_url, redact_urls

log = logging.getLogger("microcred_hub.cache")

# RedisClusterException: no node of a cluster reachable (it is no RedisError)
_FAILURES = (redis.exceptions.RedisError, redis.exceptions.RedisClusterException, OSError)


class RedisCache:
    """``SET key value EX ttl`` under ``prefix``.

    After a failure the cache stays out of the way for ``pause_seconds``: every request would
    otherwise wait for a connection attempt while Redis is down.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "mch:cache:",
        ttl_seconds: float = 300.0,
        *,
        timeout: float = 0.5,
        pause_seconds: float = 1.0,
        level: str = "redis",
        cluster: bool = False,
    ) -> None:
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.level = level
        self._pause_seconds = pause_seconds
        self._down_until = 0.0
        # One quick retry covers a pooled connection that died with a Redis restart. Every
        # entry is one key, so on a cluster entries spread over the nodes by themselves.
        self._redis: Redis | RedisCluster = (RedisCluster if cluster else Redis).from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self.hits = 0
        self.misses = 0
        self.errors = 0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, doing: str, exc: Exception) -> None:
        self.errors += 1
        self._down_until = time.monotonic() + self._pause_seconds
        log.warning("response cache: Redis failed while %s (%s); treating as a miss", doing, exc)

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = None
        if self._available():
            try:
                value = cast("bytes | None", await self._redis.get(self.prefix + key))
            except _FAILURES as exc:
                self._failed("reading", exc)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    async def set(self, key: str, value: bytes) -> None:
        if not self._available() or self.ttl_seconds <= 0:
            return
        try:
            # PX, not EX: sub-second TTLs stay honest.
            await self._redis.set(self.prefix + key, value, px=max(1, int(self.ttl_seconds * 1000)))
        except _FAILURES as exc:
            self._failed("writing", exc)

    async def clear(self) -> None:
        """Delete every key under the prefix (SCAN + UNLINK in batches, never KEYS); on a
        cluster SCAN visits every primary and UNLINK is split by slot."""
        try:
            batch: list[bytes] = []
            async for key in self._redis.scan_iter(
                match=_glob_escape(self.prefix) + "*", count=1000
            ):
                batch.append(key)
                if len(batch) >= 1000:
                    await self._redis.unlink(*batch)
                    batch.clear()
            if batch:
                await self._redis.unlink(*batch)
        except _FAILURES as exc:
            self._failed("clearing", exc)

    async def close(self) -> None:
        await self._redis.aclose()

    def stats(self) -> list[CacheStats]:
        return [CacheStats(self.level, self.hits, self.misses, self.errors)]


async def check_kind(
    url: str, *, cluster: bool, file: str | None = None, socket_timeout: float = 2.0
) -> None:
    """ConfigError naming ``cache.cluster`` when the Redis at ``url`` is a cluster node and the
    config says it is not, or the reverse: the cache would then fail (or half work) on every
    request, quietly. An unreachable Redis passes: it only costs cache misses."""
    where = redact_url(url)
    client = (RedisCluster if cluster else Redis).from_url(
        url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
    )
    try:
        if isinstance(client, RedisCluster):
            await client.initialize()
            return
        info = await client.info("cluster")
    except _FAILURES as exc:
        if "cluster mode is not enabled" in str(exc).lower():
            raise ConfigError(
                f"Redis at {where} is not a cluster node; remove cache.cluster or point "
                "cache.url at a node of the cluster",
                file=file,
                key="cache.cluster",
            ) from exc
        log.warning(
            "response cache: Redis at %s is unreachable (%s); every answer is a miss "
            "until it is back",
            where,
            redact_urls(str(exc)),
        )
        return
    finally:
        await client.aclose()
    if info.get("cluster_enabled"):
        raise ConfigError(
            f"Redis at {where} is a cluster node: set cache.cluster = true",
            file=file,
            key="cache.cluster",
        )


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)
