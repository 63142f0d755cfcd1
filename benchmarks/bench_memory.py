"""Whole-process RSS per record of a hub that harvested N records through the real pipeline.

    flock /tmp/microcred-bench.lock python benchmarks/bench_memory.py [--records 100000 1000000]

For each N: a loopback NZQA-like register (its own process) serves N generated records
(``generate_list(N)`` rendered by ``generate.nzqa_item``, 1 000 a page); `microcred-hub serve`
(memory store, one nzqa source, duplicate linking on as by default; ``--no-duplicates`` turns
it off) is started as users start it, harvests them at start-up (fetch, normalise, diff,
store, index, link), and once /readyz counts the records served and linked, the hub's VmRSS is read from
/proc and divided by the records served.
Goal: whole-process RSS <= 2 KB a record at 100 000 and at 1 000 000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.hub_process import free_port, hub_command  # noqa: E402

PAGE = 1000


def vm_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def serve_register(records: int, port: int) -> None:
    """The register process: NZQA-like pages of generated records on 127.0.0.1:port."""
    import msgspec
    from aiohttp import web

    from microcred_hub.generate import generate, nzqa_item
    from tests.support.registers import PLACEHOLDER, nzqa_app

    pages: list[bytes] = []
    items: list[dict[str, object]] = []
    count = (records + PAGE - 1) // PAGE

    def flush() -> None:
        number = len(pages) + 1
        following = f"{PLACEHOLDER}/microcredentials?page={number + 1}" if number < count else None
        doc = {"page": number, "pageSize": PAGE, "totalCount": records, "next": following}
        pages.append(json.dumps({**doc, "items": items}).encode())
        items.clear()

    for i, record in enumerate(generate(records, seed=3)):
        level = record.level
        if level is not None and not (level.framework_level or "1").isdigit():
            record = msgspec.structs.replace(record, level=None)  # NZQCF levels are numbers
        workload = record.workload
        if workload is not None and not (workload.original_value or "1").isdigit():
            # NZ credits are numbers (10 hours each), not other registers' durations
            credits = str(max(1, round((workload.hours or 10) / 10)))
            record = msgspec.structs.replace(
                record, workload=msgspec.structs.replace(workload, original_value=credits)
            )
        item = nzqa_item(record)
        item["reference"] = f"G{i:07d}"  # generated local ids of several formats may repeat
        items.append(item)
        if len(items) == PAGE:
            flush()
    if items:
        flush()

    async def run() -> None:
        runner = web.AppRunner(nzqa_app(pages=pages), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("serving", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


def readyz(base: str) -> int | None:
    """Records served once duplicate linking (if on) is done with them, else None."""
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            ready = json.loads(response.read())
    except (OSError, ValueError):
        return None
    if ready.get("duplicates", "off") not in ("off", "linked"):
        return None  # a large harvest is linked in the background after it is served
    return int(ready["records"])


def measure(records: int, *, duplicates: bool = True) -> dict[str, float]:
    register_port, hub_port = free_port(), free_port()
    register = subprocess.Popen(
        [sys.executable, __file__, "--serve-register", str(records), str(register_port)],
        stdout=subprocess.PIPE,
    )
    try:
        assert register.stdout is not None
        assert register.stdout.readline().strip() == b"serving", "register did not start"
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "hub.toml"
            config.write_text(
                f"""[store]
url = "memory://"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "http://127.0.0.1:{register_port}/microcredentials"
page_size = {PAGE}
max_pages = {records // PAGE + 2}
max_records = {records + 1}
max_total_bytes = {records * 10_000}
timeout_seconds = 120
"""
                + ("" if duplicates else "\n[duplicates]\nenabled = false\n")
            )
            base = f"http://127.0.0.1:{hub_port}"
            started = time.perf_counter()
            hub = subprocess.Popen(
                [*hub_command(), "serve", "--config", str(config), "--port", str(hub_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                served = None
                # One harvest lands in one change: the first count above 0 is all of it (and
                # the hub says when its duplicates are linked).
                while not served:
                    if hub.poll() is not None:
                        raise RuntimeError(f"hub exited with {hub.returncode}")
                    served = readyz(base)
                    if time.perf_counter() - started > 3600:
                        raise RuntimeError("nothing served after an hour")
                    time.sleep(0.5)
                harvested = time.perf_counter() - started
                time.sleep(3)  # let the harvest's last allocations go
                rss = vm_rss(hub.pid)
            finally:
                hub.terminate()
                hub.wait()
    finally:
        register.terminate()
        register.wait()
    return {
        "records": served,
        "harvest_seconds": harvested,
        "rss_bytes": rss,
        "rss_per_record": rss / served,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--no-duplicates",
        action="store_true",
        help="turn duplicate linking off ([duplicates] enabled = false; it is on by default)",
    )
    parser.add_argument("--serve-register", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_register:
        serve_register(*args.serve_register)
        return
    print("duplicate linking", "off" if args.no_duplicates else "on (the default)")
    print(f"{'served':>10}  {'spawn->served':>13}  {'RSS':>9}  {'RSS/record':>10}")
    for n in args.records:
        m = measure(n, duplicates=not args.no_duplicates)
        print(
            f"{m['records']:>10,}  {m['harvest_seconds']:>11.1f} s  {m['rss_bytes'] / 2**20:>5.0f} MiB  "
            f"{m['rss_per_record']:>8,.0f} B   (goal <= 2048 B)",
            flush=True,
        )


if __name__ == "__main__":
    main()
