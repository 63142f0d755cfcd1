"""Start `microcred-hub serve` as users do (the console script, a config file) and wait for it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import aiohttp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hub_command() -> list[str]:
    script = Path(sys.executable).parent / "microcred-hub"
    return [str(script)] if script.exists() else [sys.executable, "-m", "microcred_hub.cli"]


class HubProcess:
    """A hub subprocess on a free loopback port; ``async with`` waits for /readyz, then stops it."""

    def __init__(
        self, config: Path, *, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        self.config = config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = config.with_suffix(f".{self.port}.log")

    def start(self) -> None:
        args = [
            *hub_command(),
            "serve",
            "--config",
            str(self.config),
            "--port",
            str(self.port),
            *self.extra_args,
        ]
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            args, stdout=self._log_file, stderr=subprocess.STDOUT, env=self.env
        )

    async def wait_ready(self, within: float = 30.0) -> None:
        """Until /readyz answers 200; a hub that exits first or is not ready ``within``
        seconds is killed and reaped (no caller has to), and the error shows its log's tail."""
        try:
            await self._poll_ready(within)
        except BaseException:
            self.stop(signal.SIGKILL)
            raise

    async def _poll_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"hub exited with {self.proc.returncode}:\n{self.tail()}")
                try:
                    async with session.get(self.url + "/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"hub not ready after {within} s:\n{self.tail()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 40) -> str:
        """The last lines of the hub's log, as a failure shows them."""
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "_log_file"):
            self._log_file.close()

    async def __aenter__(self) -> HubProcess:
        self.start()
        await self.wait_ready()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def graphql(
    session: aiohttp.ClientSession,
    hub_url: str,
    query: str,
    variables: dict[str, object] | None = None,
) -> tuple[int, dict[str, object]]:
    async with session.post(
        hub_url + "/graphql", json={"query": query, "variables": variables or {}}
    ) as resp:
        return resp.status, await resp.json(content_type=None)


async def wait_for(predicate, within: float = 30.0, interval: float = 0.1) -> None:  # type: ignore[no-untyped-def]
    """Poll an async predicate until it is true (bounded)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(interval)
    raise TimeoutError(f"condition not met within {within} s")
