"""Node packages the tests run for real (an Apollo gateway and subgraph, the GraphQL-over-HTTP
audit), pinned in tests/federation/package-lock.json and installed once outside the clone
($MICROCRED_HUB_NPM_DIR, default ~/.cache/microcred-hub/federation-npm)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / "federation"
SCRIPTS = ("jobs-subgraph.mjs", "gateway.mjs", "audit.mjs")
NODE = shutil.which("node")
NPM = shutil.which("npm")

needs_node = pytest.mark.skipif(
    NODE is None or NPM is None, reason="node and npm are needed to run the Node tools for real"
)


def npm_dir() -> Path:
    """The pinned packages, installed once outside the clone (reruns are quick)."""
    default = Path.home() / ".cache" / "microcred-hub" / "federation-npm"
    folder = Path(os.environ.get("MICROCRED_HUB_NPM_DIR", default))
    folder.mkdir(parents=True, exist_ok=True)
    lock = (PACKAGES / "package-lock.json").read_bytes()
    stamp = folder / ".installed-lock"
    if not stamp.exists() or stamp.read_bytes() != lock:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(PACKAGES / name, folder / name)
        assert NPM is not None
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        stamp.write_bytes(lock)
    for script in SCRIPTS:  # ESM resolves packages from the script's folder
        shutil.copyfile(PACKAGES / script, folder / script)
    return folder


class NodeProcess:
    def __init__(self, folder: Path, *args: str) -> None:
        assert NODE is not None
        self.log = folder / f"{args[0]}.{os.getpid()}.{time.monotonic_ns()}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [NODE, *args], cwd=folder, stdout=self._out, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait_for_line(self, text: str, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited with {self.proc.returncode}:\n{self.output()}")
            await asyncio.sleep(0.1)
        raise TimeoutError(self.output())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._out.close()
