"""CPU time per request through the whole ASGI app, in process: ``python benchmarks/http_profile.py``.

The same app ``http_bench.py`` loads with wrk (``create_app`` on generated records from a
memory-store snapshot, plus ``/static``), called directly with ASGI messages, so the figure
is the hub's own work per request without the network, the HTTP parser or the other
process on the machine: stable from run to run, where wrk's req/s is not.

Prints µs of CPU per request for static, the cached 20-record GET, the uncached one (a POST
with a different unused variable each time, as in http_bench.py), the same uncached query
written with declared variables (``query($first: Int, $after: String, $filter:
MicrocredentialFilter)``, as client libraries send it: ``uncached-vars``, same answer) and the
500-record page; ``--only uncached`` runs both uncached ones (``--only uncached-vars`` just
the second); ``--profile uncached`` (or ``uncached-vars``, ``cached``, ``static``, ``page``)
prints cProfile's top functions for that request instead; ``--concurrency 32`` keeps as many
requests in flight as wrk does.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import PAGE500, QUERY20, config_text, linked, write_snapshot

#: QUERY20 as a client library writes it: the arguments as declared variables
QUERY20_VARIABLES = QUERY20.replace(
    "{ microcredentials(filter: {eqfLevelMin: 4}, first: 20)",
    "query Page($first: Int, $after: String, $filter: MicrocredentialFilter) "
    "{ microcredentials(first: $first, after: $after, filter: $filter)",
)
assert QUERY20_VARIABLES != QUERY20
Call = Callable[[int], Awaitable[bytes]]


async def run(
    config_path: Path,
    count: int,
    profile: str | None,
    only: str | None = None,
    concurrency: int = 1,
) -> None:
    from starlette.responses import Response
    from starlette.routing import Route

    from microcred_hub.app import create_app
    from microcred_hub.config import load_config
    from microcred_hub.runtime import Hub

    hub = Hub(load_config(config_path))
    guard = create_app(hub, schedule=False)
    static_body: list[bytes] = []

    async def static(_request: object) -> Response:
        return Response(static_body[0], media_type="application/json")

    app: Any = guard
    while not hasattr(app, "router"):
        app = app.app
    app.router.routes.append(Route("/static", static))

    startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    done: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(
        guard({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, startup.get, done.put)  # type: ignore[arg-type]
    )
    assert (await done.get())["type"] == "lifespan.startup.complete"
    await linked(hub)

    async def call(method: str, path: str, query: bytes = b"", body: bytes = b"") -> bytes:
        headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk")]
        if method == "POST":
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
            "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
            "headers": headers,
        }  # fmt: skip
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        out = bytearray()
        status = 0

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.extend(message.get("body", b""))

        await guard(scope, receive, send)  # type: ignore[arg-type]
        assert status == 200, (status, bytes(out[:300]))
        return bytes(out)

    get_query = urllib.parse.urlencode({"query": QUERY20}).encode()
    static_body.append(await call("GET", "/graphql", get_query))
    query20 = json.dumps(QUERY20)
    page_after: list[str | None] = [None]

    async def uncached(i: int) -> bytes:
        body = b'{"query": %s, "variables": {"n": %d}}' % (query20.encode(), i)
        return await call("POST", "/graphql", body=body)

    query20_variables = json.dumps(QUERY20_VARIABLES).encode()
    # $after left out (a first page), plus the unused variable that misses the cache
    variables = b'"first": 20, "filter": {"eqfLevelMin": 4}, "n": %d'

    async def uncached_variables(i: int) -> bytes:
        body = b'{"query": %s, "variables": {%s}}' % (query20_variables, variables % i)
        return await call("POST", "/graphql", body=body)

    # the two spellings of the query answer the same bytes (n apart from every measured one)
    assert await uncached_variables(-(10**6)) == await uncached(-(10**6))

    async def cached(_i: int) -> bytes:
        return await call("GET", "/graphql", get_query)

    async def static_call(_i: int) -> bytes:
        return await call("GET", "/static")

    async def page(i: int) -> bytes:
        body = json.dumps({"query": PAGE500, "variables": {"after": page_after[0], "n": i}})
        answer = await call("POST", "/graphql", body=body.encode())
        info = json.loads(answer)["data"]["microcredentials"]["pageInfo"]
        page_after[0] = info["endCursor"] if info["hasNextPage"] else None
        return answer

    calls: dict[str, tuple[Call, int]] = {
        "static": (static_call, count),
        "cached": (cached, count),
        "uncached": (uncached, count),
        "uncached-vars": (uncached_variables, count),
        "page": (page, max(count // 100, 20)),
    }
    for name, (function, n) in calls.items():
        wanted = profile or only
        if wanted is not None and name != wanted and not (only and name.startswith(only + "-")):
            continue
        for i in range(min(n, 200)):  # warm-up: compiled selections, caches, allocator
            await function(-1 - i)
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        if concurrency == 1:
            for i in range(n):
                await function(i)
        else:  # as wrk keeps them: requests in flight together, interleaved at every await

            async def worker(first: int, function: Call = function, n: int = n) -> None:
                for i in range(first, n, concurrency):
                    await function(i)

            await asyncio.gather(*(worker(k) for k in range(concurrency)))
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(50)
        print(f"{name:<13} {cpu / n * 1e6:9.1f} µs CPU/request  ({n} requests)")
    await startup.put({"type": "lifespan.shutdown"})
    await lifespan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=5000)
    names = ("static", "cached", "uncached", "uncached-vars", "page")
    parser.add_argument("--profile", choices=names)
    parser.add_argument("--only", choices=names, help="uncached: both uncached requests")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop, as serve does")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight together (wrk: 32)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_snapshot(folder / "snapshot.json", args.records, args.seed)
        config = folder / "hub.toml"
        config.write_text(config_text(folder / "snapshot.json"))
        if args.uvloop:
            import uvloop

            uvloop.run(run(config, args.requests, args.profile, args.only, args.concurrency))
        else:
            asyncio.run(run(config, args.requests, args.profile, args.only, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
