"""Connections to a standalone Redis or a Redis Cluster: one place knows the difference.

A cluster client is built from ``url`` (any one node) plus every node seen so far, so a hub
whose configured node died still finds the others. Writes that must survive a failover wait
for a replica of each primary they touched (``WAIT 1``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import redis.exceptions
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from microcred_hub.errors import ConfigError, redact_url, redact_urls

if TYPE_CHECKING:
    from collections.abc import Iterable

    from redis.asyncio.client import Pipeline
    from redis.asyncio.cluster import ClusterPipeline

#: a standalone or a cluster client: the commands the store uses are the same on both
Client = Redis | RedisCluster

#: What a lost or refused connection, or a cluster between topologies, looks like.
REDIS_DOWN: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ClusterError,  # CLUSTERDOWN, MASTERDOWN: a failover in progress
    redis.exceptions.TryAgainError,
    redis.exceptions.RedisClusterException,  # no node reachable, slot not covered
    OSError,
)

#: how long an acknowledged write waits for a replica's copy (milliseconds)
WAIT_MS = 2000


class Connector:
    """Builds clients for one store URL, standalone or cluster."""

    def __init__(self, url: str, *, cluster: bool, socket_timeout: float, key: str) -> None:
        self.url = url
        self.cluster = cluster
        self._socket_timeout = socket_timeout
        self._key = key  # the config key that names this URL, for errors
        self._nodes: list[tuple[str, int]] = []

    def client(self, *, retries: int) -> Client:
        timeout = self._socket_timeout
        connect_timeout = min(self._socket_timeout, 2.0)
        if not self.cluster:
            return Redis.from_url(
                self.url,
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries),
                socket_timeout=timeout,
                socket_connect_timeout=connect_timeout,
            )
        # A failover takes the cluster's node timeout and an election: back off longer.
        nodes = [ClusterNode(host, port) for host, port in self._nodes] or None
        return RedisCluster.from_url(
            self.url,
            startup_nodes=nodes,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), max(retries, 1) * 3),
            socket_timeout=timeout,
            socket_connect_timeout=connect_timeout,
        )

    async def check(self, client: Client) -> None:
        """Reach the server and make sure it is what the config says; ConfigError if not."""
        where = redact_url(self.url)
        try:
            if isinstance(client, RedisCluster):
                await client.initialize()
                self.remember(client)
            await client.ping()
            if not self.cluster:
                info = await client.info("cluster")
        except (
            redis.exceptions.RedisError,
            redis.exceptions.RedisClusterException,
            OSError,
        ) as exc:
            detail = redact_urls(str(exc))
            if "cluster mode is not enabled" in detail.lower():
                raise ConfigError(
                    f"Redis at {where} is not a cluster node; remove {_section(self._key)}.cluster"
                    " or point the url at a node of the cluster",
                    key=f"{_section(self._key)}.cluster",
                ) from exc
            raise ConfigError(
                f"cannot reach Redis at {where} ({detail}); start Redis or fix the URL",
                key=self._key,
            ) from exc
        if not self.cluster and info.get("cluster_enabled"):
            raise ConfigError(
                f"Redis at {where} is a cluster node: set {_section(self._key)}.cluster = true",
                key=f"{_section(self._key)}.cluster",
            )

    def remember(self, client: RedisCluster) -> None:
        """Keep the nodes a cluster client knows, to start from them next time."""
        self._nodes = [(n.host, int(n.port)) for n in client.get_nodes()]

    async def node_client(self, key: str) -> Redis:
        """A plain client of the node that serves ``key`` now, for a sharded subscription.

        It has no retries: a lost connection must surface, so the reader resyncs.
        """
        if not self.cluster:
            client = self.client(retries=0)
            assert isinstance(client, Redis)
            return client
        topology = self.client(retries=1)
        assert isinstance(topology, RedisCluster)
        try:
            await topology.initialize()
            node = topology.get_node_from_key(key)
            self.remember(topology)
            if node is None:
                raise redis.exceptions.RedisClusterException(f"no node serves {key}")
        finally:
            await topology.aclose()
        parts = urlsplit(self.url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{node.host}:{node.port}" if userinfo else f"{node.host}:{node.port}"
        url = urlunsplit((parts.scheme, netloc, "", parts.query, ""))
        return Redis.from_url(
            url,
            socket_timeout=None,  # a subscription waits for notes as long as it takes
            socket_connect_timeout=min(self._socket_timeout, 2.0),
            socket_keepalive=True,
            retry=Retry(ExponentialBackoff(), 0),
        )


class ReplicaWaits:
    """Queues ``WAIT 1`` on each primary written that has a replica.

    The replicas a primary has come from its own ``INFO replication``, asked again every
    ``refresh_seconds`` (CLUSTER SLOTS leaves out a replica until it has reported an offset,
    so the client's topology is no guide).
    """

    def __init__(self, refresh_seconds: float = 5.0) -> None:
        self._refresh_seconds = refresh_seconds
        self._replicas: dict[str, int] = {}
        self._asked_at = -refresh_seconds

    async def queue(
        self, client: Client, pipe: Pipeline | ClusterPipeline, keys: Iterable[str]
    ) -> int:
        """Queue the WAITs in ``pipe`` after the writes, so each runs on the connection that
        carried the writes it waits for. Returns how many were queued (their replies close
        the pipeline's)."""
        if not isinstance(client, RedisCluster):
            return 0
        if time.monotonic() - self._asked_at > self._refresh_seconds:
            await self._ask(client)
        nodes = {}
        for key in keys:
            node = client.get_node_from_key(key)
            if node is not None and self._replicas.get(node.name, 0) > 0:
                nodes[node.name] = node
        for node in nodes.values():
            pipe.execute_command("WAIT", 1, WAIT_MS, target_nodes=node)
        return len(nodes)

    async def _ask(self, client: RedisCluster) -> None:
        replicas = {}
        for node in client.get_primaries():
            info = await client.info("replication", target_nodes=node)
            replicas[node.name] = int(info.get("connected_slaves", 0))
        self._replicas = replicas
        self._asked_at = time.monotonic()

    def forget(self) -> None:
        """Ask again before the next write: the topology changed (a failover)."""
        self._asked_at = -self._refresh_seconds


def _section(key: str) -> str:
    return key.split(".", 1)[0]
