"""A real Redis Cluster for the tests: three primaries with one replica each, on free ports.

Started as an operator would (``redis-server --cluster-enabled yes`` six times, then
``redis-cli --cluster create``), without persistence, in a temporary folder.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import redis

from tests.support.hub_process import free_port


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class RedisCluster:
    """Six redis-server processes joined into one cluster; ``url`` names one of them."""

    def __init__(self, primaries: int = 3, replicas: int = 1) -> None:
        self.size = primaries * (1 + replicas)
        self.replicas = replicas
        self.ports: list[int] = []
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="mch-cluster-"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> None:
        self.ports = _distinct_free_ports(self.size)
        for port in self.ports:
            self._spawn(port)
        deadline = time.monotonic() + 10
        while not all(_reachable(p) for p in self.ports):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server nodes did not start on {self.ports}")
            time.sleep(0.02)
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
             "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        self.wait_healthy()

    def _spawn(self, port: int) -> None:
        folder = self.folder / str(port)
        folder.mkdir(exist_ok=True)
        self.processes[port] = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no",
             # replicas copy their primary at once (the default waits 5 s to batch them)
             "--repl-diskless-sync-delay", "0", "--enable-debug-command", "local",
             "--dir", str(folder), "--daemonize", "no", "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)

    def wait_healthy(self, within: float = 30.0) -> None:
        """Until every live node reports the cluster ok with every slot served."""
        deadline = time.monotonic() + within
        while True:
            try:
                if all(self._ok(p) for p in self.processes):
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not become healthy")
            time.sleep(0.05)

    def _ok(self, port: int) -> bool:
        """Slots all served and, on a replica, its copy of the primary in sync: a replica
        that never synced will not take over."""
        with self.client(port) as node:
            info = node.cluster("INFO")
            replication = node.info("replication")
        if replication["role"] == "slave" and replication.get("master_link_status") != "up":
            return False
        return bool(info["cluster_state"] == "ok" and int(info["cluster_slots_ok"]) == 16384)

    def primary_of(self, key: str) -> int:
        """The port of the primary now serving ``key``."""
        with self.client(next(iter(self.processes))) as node:
            slot = node.cluster("KEYSLOT", key)
            for start, end, primary, *_ in node.cluster("SLOTS"):
                if start <= slot <= end:
                    return int(primary[1])
        raise LookupError(key)

    def replica_of(self, primary: int) -> int:
        with self.client(primary) as node:
            myid = node.cluster("MYID")
            for port in self.processes:
                if port == primary:
                    continue
                with self.client(port) as other:
                    role = other.execute_command("ROLE")
                if role[0] == b"slave" and int(role[2]) == primary:
                    return port
        raise LookupError(f"no replica of {primary} ({myid})")

    def freeze(self, port: int, seconds: float) -> threading.Thread:
        """Make a node unresponsive for ``seconds`` (DEBUG SLEEP), without waiting for it."""

        def sleep() -> None:
            with redis.Redis(host="127.0.0.1", port=port, socket_timeout=seconds + 5) as node:
                node.execute_command("DEBUG", "SLEEP", seconds)

        thread = threading.Thread(target=sleep, daemon=True)
        thread.start()
        return thread

    def kill(self, port: int) -> None:
        process = self.processes.pop(port)
        process.kill()
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
        for process in self.processes.values():
            process.wait()
        self.processes.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _distinct_free_ports(count: int) -> list[int]:
    """Free ports whose cluster bus ports (+10000) are below 65536 and free too."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port + 10000 < 65536 and port not in ports and _free(port + 10000):
            ports.append(port)
    return ports


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def drop_cluster_prefix(url: str, prefix: str) -> None:
    """Delete every key under ``prefix`` on every primary of the cluster ``url`` names."""
    import redis.asyncio

    client = redis.asyncio.RedisCluster.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
