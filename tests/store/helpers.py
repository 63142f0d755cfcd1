"""Helpers for the store tests: Redis reachability, our own redis-server, polling."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis.asyncio

from microcred_hub.record import Microcredential
from microcred_hub.store import ChangeSet, RedisStore

REDIS_URL = os.environ.get("MICROCRED_HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SRC = Path(__file__).resolve().parents[2] / "src"


def redis_reachable(url: str = REDIS_URL) -> bool:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def require_redis() -> str:
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: start redis-server to test it")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def drop_prefix(url: str, prefix: str) -> None:
    client = redis.asyncio.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def wait_for(predicate: Callable[[], bool], within: float = 3.0) -> None:
    """Poll until ``predicate()`` holds; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within} s")
        await asyncio.sleep(0.01)


class Recorder:
    """A store listener that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[ChangeSet, int]] = []

    async def __call__(self, change: ChangeSet, version: int) -> None:
        self.calls.append((change, version))


class RedisServer:
    """A redis-server of our own on a free port, so a test may kill and restart it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while not redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def subprocess_env() -> dict[str, str]:
    """Environment for a child Python that must import the hub even when not installed."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


async def fill_redis(url: str, prefix: str, records: list[Microcredential]) -> RedisStore:
    """An open store on ``prefix`` holding ``records``, one change per source (as harvests
    would write them); the caller closes it."""
    store = RedisStore(url, prefix=prefix)
    await store.open()
    by_source: dict[str, list[Microcredential]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    for source, items in by_source.items():
        await store.apply(ChangeSet(source=source, upserts=tuple(items)))
    return store
