"""The hub's app plus a /static route answering fixed JSON, through the same stack (benchmarks).

python benchmarks/serve_with_static.py CONFIG PORT STATIC_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.responses import Response
from starlette.routing import Route

from microcred_hub.app import create_app
from microcred_hub.config import load_config
from microcred_hub.runtime import Hub


def main() -> None:
    config_path, port, static_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    hub = Hub(load_config(Path(config_path)))
    guard = create_app(hub)
    body: list[bytes] = []  # read on first use: the benchmark writes it after warming the cache

    async def static(_request: object) -> Response:
        if not body:
            body.append(static_file.read_bytes())  # noqa: ASYNC240 - once, before measuring
        return Response(body[0], media_type="application/json")

    # the same Guard (metrics, request id, deadline) and router as /graphql
    guard.app.router.routes.append(Route("/static", static))  # type: ignore[attr-defined]
    uvicorn.run(guard, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
