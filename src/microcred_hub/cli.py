"""Command line: serve, harvest, stats, connectors list|check, export-schema (API.md)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import shutil
import socket
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from microcred_hub import __version__
from microcred_hub.cli_stats import add_parser as add_stats_parser
from microcred_hub.config import HubConfig, load_config, resolve_config_path
from microcred_hub.errors import ConfigError, ConnectorContractError, HubError
from microcred_hub.logs import setup_logging
from microcred_hub.state import HarvestSummary

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from microcred_hub.runtime import Hub

EXIT_CONFIG = 2


class TerminalProgress:
    """Per-source pages and records on stderr: redrawn in place on a tty, else a line a second."""

    def __init__(self, stream: TextIO = sys.stderr, *, columns: int | None = None) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.columns = columns
        self.pages: dict[str, int] = {}
        self.count: dict[str, int] = {}
        # Off a tty the first line waits a second: a harvest that ends sooner prints only its
        # summary, not a snapshot of its first page ("0 records") that reads like a result.
        self._last = 0.0 if self.tty else time.monotonic()

    def page(self, source: str, url: str) -> None:
        self.pages[source] = self.pages.get(source, 0) + 1
        self._draw()

    def records(self, source: str, count: int) -> None:
        self.count[source] = count
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < (0.1 if self.tty else 1.0):
            return
        self._last = now
        parts = [
            f"{k}: {self.pages.get(k, 0)} pages, {self.count.get(k, 0)} records"
            for k in sorted(self.pages)
        ]
        line = "harvesting — " + " | ".join(parts)
        if self.tty:
            # One screen row at most: erasing the line before the summary clears only the row
            # the cursor is on, so a wrapped line would leave its first rows behind.
            width = self.columns or shutil.get_terminal_size().columns
            if len(line) >= width:
                line = line[: max(width - 2, 1)] + "…"
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self.pages:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def format_summaries(summaries: Sequence[HarvestSummary]) -> str:
    """The table `harvest` prints: one row a source, then failures spelled out."""
    head = (
        "source",
        "result",
        "records",
        "added",
        "changed",
        "removed",
        "quarantined",
        "pages",
        "seconds",
    )
    rows = [
        (
            s.source,
            "skipped" if s.skipped else "ok" if s.ok else "FAILED",
            str(s.records),
            str(s.added),
            str(s.changed),
            str(s.removed),
            str(s.quarantined),
            str(s.pages),
            f"{s.seconds:.2f}",
        )
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *rows]
    ]
    for s in summaries:
        lines.extend(f"{s.source}: error: {e}" for e in s.errors if not s.ok)
    failed = sum(not s.ok for s in summaries)
    total = sum(s.records for s in summaries if s.ok)
    lines.append(
        f"{len(summaries)} source(s), {total} records, "
        + (f"{failed} failed" if failed else "all succeeded")
    )
    return "\n".join(lines)


def _config(args: argparse.Namespace) -> HubConfig:
    return load_config(resolve_config_path(getattr(args, "config", None)))


async def _reach_redis(hub: Hub) -> None:
    """A Redis store unreachable, or a Redis store or cache not the kind configured (cluster or
    not), is a config error: raised here it exits 2 naming the key, not as a traceback from the
    server's start."""
    from microcred_hub.cache import check_cache
    from microcred_hub.store import RedisStore

    if isinstance(hub.store, RedisStore):
        await hub.store.open()
        await hub.store.close()
    cache = hub.config.cache
    await check_cache(cache.url, cluster=cache.cluster, file=hub.config.path)


def server_implementation() -> tuple[str, str]:
    """uvloop and httptools where installed (uvloop has no Windows build): about 2.7 times the
    requests a second of the pure-Python pair on the same answer."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, http


def _check_listen(config: HubConfig, host: str, port: int) -> None:
    """A port already taken stops start-up here, naming the key and the fix: uvicorn would
    start the app and its harvest first, then exit 3 with only the errno."""
    if not 0 <= port <= 65535:  # the config's is checked; this is --port
        raise ConfigError(
            f"--port {port} is not a TCP port: use 1-65535 (0: any free port)",
            key="server.port",
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(
            f"cannot resolve {host!r} ({exc.strerror}); pass --host or fix [server] host",
            file=str(config.path),
            key="server.host",
        ) from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror}); stop what holds it, "
                "or pass --port or set [server] port to another",
                file=str(config.path),
                key="server.port",
            ) from exc


class _StartErrors:
    """The app, with a ConfigError met while the hub starts (a snapshot that cannot be read,
    say) kept for ``serve`` to report like any other: uvicorn would log it as a traceback
    and exit 3."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.error: ConfigError | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        failed: list[Message] = []

        async def hold_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failed.append(message)  # sent once the error is known
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except ConfigError as exc:
            self.error = exc
            await send({"type": "lifespan.startup.failed", "message": ""})
        except BaseException:
            for message in failed:
                await send(message)
            raise


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from microcred_hub.app import create_app
    from microcred_hub.runtime import Hub

    config = _config(args)
    setup_logging(config.server.log_format)
    hub = Hub(config)
    asyncio.run(_reach_redis(hub))
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    _check_listen(config, host, port)
    # uvicorn's own "running on http://host:port" names a path that answers 404: say where to go.
    origin = f"http://{host}:{port}"
    pages = [f"GraphQL on {origin}/graphql" + ("" if config.server.production else " (GraphiQL)")]
    if config.server.dashboard:
        pages.append(f"dashboard on {origin}/dashboard")
    logging.getLogger("microcred_hub").info(
        "serving %d source(s) from %s: %s", len(hub.sources), config.path, ", ".join(pages)
    )
    loop, http = server_implementation()
    logging.getLogger("microcred_hub").info("event loop %s, HTTP parser %s", loop, http)
    app = _StartErrors(create_app(hub, schedule=not args.no_harvest))
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            loop=loop,
            http=http,
            log_config=None,
            access_log=False,
            lifespan="on",
            server_header=False,
            # the app reads X-Forwarded-For itself, from [server] trusted_proxies only
            proxy_headers=False,
        )
    except SystemExit:  # uvicorn's when the start failed
        if app.error is not None:
            raise app.error from None
        raise
    return 0


async def _harvest(config: HubConfig, keys: list[str]) -> list[HarvestSummary]:
    from microcred_hub import telemetry
    from microcred_hub.runtime import Hub

    telemetry.configure(config.telemetry)
    hub = Hub(config)
    for key in keys:
        config.source(key)  # unknown key: ConfigError before anything runs
    progress = TerminalProgress()
    hub.scheduler.progress = progress
    await hub.start(schedule=False)
    try:
        return await hub.scheduler.harvest(keys or None)
    finally:
        progress.done()
        await hub.stop()
        telemetry.shutdown()


def cmd_harvest(args: argparse.Namespace) -> int:
    config = _config(args)
    setup_logging(config.server.log_format, level=logging.WARNING)
    summaries = asyncio.run(_harvest(config, args.source or []))
    print(format_summaries(summaries))
    return 0 if all(s.ok for s in summaries) else 1


def cmd_connectors_list(args: argparse.Namespace) -> int:
    from microcred_hub.plugins import discover

    plugins, broken = discover()
    for name, plugin in plugins.items():
        info = plugin.info
        print(f"{name:<12} {info.version:<8} {info.description}")
        if plugin.samples is not None:
            print(f"{'':<12} {'':<8} sample configs: {plugin.samples}")
    for name, why in broken.items():
        print(f"{name:<12} BROKEN   {why}")
    return 1 if broken else 0


def cmd_connectors_new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from microcred_hub.scaffold import new_connector

    into = Path(args.into or f"microcred-hub-{args.name.replace('_', '-')}")
    for path in new_connector(args.name, into):
        print(f"wrote {path}")
    print(
        f"\nnext: cd {into} && pip install -e '.[test]' && pytest\n"
        "then replace every TEMPLATE: mark (connector.py, README.md, fixtures/) with your "
        "register's own shape; `microcred-hub connectors list` shows the connector once installed"
    )
    return 0


def cmd_connectors_samples(args: argparse.Namespace) -> int:
    """Print the folder of a connector's sample configs (for `cp` or `--config`)."""
    from microcred_hub.plugins import discover

    plugins, _broken = discover()
    plugin = plugins.get(args.connector)
    if plugin is None:
        print(f"microcred-hub: no connector {args.connector!r} is installed", file=sys.stderr)
        return 1
    if plugin.samples is None:
        print(f"microcred-hub: connector {args.connector!r} ships no samples", file=sys.stderr)
        return 1
    print(plugin.samples)
    return 0


def cmd_connectors_check(args: argparse.Namespace) -> int:
    from microcred_hub.probe import probe_sources

    config = _config(args)
    setup_logging(config.server.log_format, level=logging.WARNING)
    results = asyncio.run(probe_sources(config))
    for line in results.lines:
        print(line)
    return 0 if results.ok else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from microcred_hub.cli_stats import run_stats

    config = None if args.url else _config(args)
    if config is not None:
        setup_logging(config.server.log_format, level=logging.WARNING)
    return run_stats(args, config)


def cmd_export_schema(args: argparse.Namespace) -> int:
    from microcred_hub.graphql import export_sdl

    sys.stdout.write(export_sdl(federation=args.federation))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microcred-hub", description="One GraphQL endpoint over micro-credential registers."
    )
    parser.add_argument("--version", action="version", version=f"microcred-hub {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    config_help = "config file (default: $MICROCRED_HUB_CONFIG, else the bundled demo config)"

    serve = sub.add_parser(
        "serve",
        help="harvest in the background and serve GraphQL",
        description="Serve POST/GET /graphql (GraphiQL in a browser), /dashboard, /healthz, "
        "/readyz and /metrics, harvesting every source in the background; answers before the "
        "first harvest ends. Without a config: the bundled demo, on "
        "http://127.0.0.1:8000/graphql.",
    )
    serve.add_argument("--config", help=config_help)
    serve.add_argument("--host", help="address to listen on (default: [server] host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: [server] port, 8000)")
    serve.add_argument("--no-harvest", action="store_true", help="serve the stored data only")
    serve.set_defaults(func=cmd_serve)

    harvest = sub.add_parser(
        "harvest",
        help="harvest once into the configured store",
        description="Harvest every source (or those named) once into the configured store and "
        "print a summary per source; exit 1 if any source failed. A memory:// store without "
        "a snapshot keeps nothing after the command ends.",
    )
    harvest.add_argument("--config", help=config_help)
    harvest.add_argument(
        "--source", action="append", metavar="KEY", help="only this source (repeatable)"
    )
    harvest.set_defaults(func=cmd_harvest)

    add_stats_parser(sub, config_help).set_defaults(func=cmd_stats)

    connectors = sub.add_parser("connectors", help="installed connector plugins")
    csub = connectors.add_subparsers(dest="connectors_command", required=True)
    csub.add_parser("list", help="name, version, description").set_defaults(
        func=cmd_connectors_list
    )
    samples = csub.add_parser("samples", help="print the folder of a connector's sample configs")
    samples.add_argument(
        "connector", nargs="?", default="tabular", help="connector name (default: tabular)"
    )
    samples.set_defaults(func=cmd_connectors_samples)
    check = csub.add_parser("check", help="validate the config and reach every source once")
    check.add_argument("--config", help=config_help)
    check.set_defaults(func=cmd_connectors_check)
    new = csub.add_parser(
        "new", help="write a standalone connector package (code, fixtures, tests) to start from"
    )
    new.add_argument("name", help="the connector's entry-point name, e.g. myregister")
    new.add_argument("--into", help="the new folder (default: ./microcred-hub-NAME)")
    new.set_defaults(func=cmd_connectors_new)

    export = sub.add_parser(
        "export-schema",
        help="print the GraphQL SDL",
        description="Print the schema's SDL on stdout (the source of schema.graphql).",
    )
    export.add_argument(
        "--federation",
        action="store_true",
        help="the Apollo Federation v2 subgraph SDL (@link, @key, _service, _entities)",
    )
    export.set_defaults(func=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ConfigError as exc:
        print(f"microcred-hub: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ConnectorContractError as exc:
        print(f"microcred-hub: connector error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except HubError as exc:
        print(f"microcred-hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
