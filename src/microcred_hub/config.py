"""Typed configuration (TOML), validated at start with errors that name the file, key and fix."""

from __future__ import annotations

import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from microcred_hub.errors import ConfigError
from microcred_hub.graphql.limits import QueryLimits

ENV_VAR = "MICROCRED_HUB_CONFIG"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class StoreConfig(_Section, frozen=True):
    url: str = "memory://"
    snapshot: str | None = None  # memory store only
    prefix: str = "mch:"  # redis key prefix
    #: a harvest lock lapses this long after its holder died (it is renewed while alive)
    lock_ttl_seconds: float = 60.0


class CacheConfig(_Section, frozen=True):
    url: str = "memory://"
    ttl_seconds: float = 300.0
    max_entries: int = 10_000


class AdminConfig(_Section, frozen=True):
    token: str | None = None  # unset or empty: admin endpoints off


class ServerConfig(_Section, frozen=True):
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False  # no field suggestions, no GraphiQL
    graphiql: bool = True
    log_format: Literal["text", "json"] = "text"
    max_body_bytes: int = 1_000_000
    request_timeout_seconds: float = 30.0
    rate_limit_per_second: float = 0.0  # per client; 0 = off
    rate_limit_burst: int = 50


class TelemetryConfig(_Section, frozen=True):
    """OpenTelemetry traces over OTLP/HTTP; no endpoint: tracing off (and free)."""

    endpoint: str | None = None  # "http://collector:4318": spans go to <endpoint>/v1/traces
    service_name: str = "microcred-hub"
    headers: dict[str, str] = msgspec.field(default_factory=dict)  # e.g. an API key
    sample_ratio: float = 1.0  # of new traces; a client's sampled traceparent is followed
    export_interval_ms: int = 2000
    export_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(
                f"endpoint: {self.endpoint!r} is not an http(s) URL of an OTLP/HTTP receiver "
                '(e.g. "http://127.0.0.1:4318")'
            )
        if not 0.0 <= self.sample_ratio <= 1.0:
            raise ValueError(f"sample_ratio: {self.sample_ratio} must be between 0 and 1")


class SourceConfig(_Section, frozen=True):
    """One ``[[sources]]`` table; keys not listed here are the connector's own options."""

    key: str
    connector: str
    url: str
    urls: tuple[str, ...] = ()
    interval_seconds: float = 3600.0
    enabled: bool = True
    timeout_seconds: float = 30.0  # read timeout; total per request is 4x
    connect_timeout_seconds: float = 10.0
    retries: int = 3
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    allowed_hosts: tuple[str, ...] = ()  # beyond the hosts of url/urls
    allow_empty: bool = False  # accept a harvest that returns nothing as "register emptied"
    options: dict[str, object] = msgspec.field(default_factory=dict)

    @property
    def all_urls(self) -> tuple[str, ...]:
        return (self.url, *(u for u in self.urls if u != self.url))


class HubConfig(_Section, frozen=True):
    store: StoreConfig = msgspec.field(default_factory=StoreConfig)
    cache: CacheConfig = msgspec.field(default_factory=CacheConfig)
    admin: AdminConfig = msgspec.field(default_factory=AdminConfig)
    server: ServerConfig = msgspec.field(default_factory=ServerConfig)
    limits: QueryLimits = msgspec.field(default_factory=QueryLimits)
    telemetry: TelemetryConfig = msgspec.field(default_factory=TelemetryConfig)
    sources: tuple[SourceConfig, ...] = ()
    path: str = "<defaults>"  # where it was read from, for messages

    def source(self, key: str) -> SourceConfig:
        for source in self.sources:
            if source.key == key:
                return source
        known = ", ".join(s.key for s in self.sources) or "none"
        raise ConfigError(f"no source {key!r} (configured: {known})", file=self.path)


def demo_config_path() -> Path:
    """The bundled demo config: NZQA-like and edubadges demo registers as local files."""
    return Path(str(resources.files("microcred_hub") / "demo" / "demo.toml"))


def resolve_config_path(option: str | None) -> Path:
    """--config, else $MICROCRED_HUB_CONFIG, else the bundled demo config."""
    chosen = option or os.environ.get(ENV_VAR) or None
    return Path(chosen) if chosen else demo_config_path()


def _expand(value: object, path: str, file: str, config_dir: Path) -> object:
    """Expand ${VAR} (and ${CONFIG_DIR}) in every string, so secrets stay out of files."""
    if isinstance(value, dict):
        return {
            k: _expand(v, f"{path}.{k}" if path else k, file, config_dir) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_expand(v, f"{path}[{i}]", file, config_dir) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "CONFIG_DIR":
            return config_dir.as_posix()
        env = os.environ.get(name)
        if env is None:
            if path == "admin.token":
                return ""  # documented: unset token = admin endpoints off
            raise ConfigError(
                f"environment variable {name} is not set; export it or put the value in the file",
                file=file,
                key=path,
            )
        return env

    return _ENV_REF.sub(sub, value)


def _split_source(raw: dict[str, object], fields: frozenset[str]) -> dict[str, object]:
    known = {k: v for k, v in raw.items() if k in fields}
    known["options"] = {k: v for k, v in raw.items() if k not in fields}
    return known


def _friendly(exc: msgspec.ValidationError) -> tuple[str, str | None]:
    """msgspec says 'Expected `int`, got `str` - at `$.sources[0].port`': split message and key."""
    text = str(exc)
    message, _, where = text.partition(" - at `")
    key = where.rstrip("`").removeprefix("$.").removeprefix("$") or None
    return message.replace("`", ""), key


def parse_config(text: str, *, file: str, config_dir: Path) -> HubConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix the syntax", file=file) from None
    expanded = _expand(data, "", file, config_dir)
    assert isinstance(expanded, dict)
    sources = expanded.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise ConfigError("must be an array of tables: write [[sources]]", file=file, key="sources")
    fields = frozenset(SourceConfig.__struct_fields__) - {"options"}
    expanded["sources"] = [_split_source(s, fields) for s in sources]
    expanded["path"] = file
    try:
        config = msgspec.convert(expanded, HubConfig, strict=True)
    except msgspec.ValidationError as exc:
        message, key = _friendly(exc)
        if message.startswith("Object contains unknown field"):
            message += "; check the spelling against API.md (Config)"
        elif message.startswith("Object missing required field"):
            message += "; add it"
        raise ConfigError(message, file=file, key=key) from None
    _check(config, file)
    return config


def _check(config: HubConfig, file: str) -> None:
    seen: set[str] = set()
    for i, source in enumerate(config.sources):
        where = f"sources[{i}]"
        if not _SOURCE_KEY.match(source.key):
            raise ConfigError(
                f"{source.key!r} is not a valid key: use lower-case letters, digits, '-' or '_' "
                "(it becomes the id prefix, e.g. 'nzqa:MC4217')",
                file=file,
                key=f"{where}.key",
            )
        if source.key in seen:
            raise ConfigError(
                f"duplicate source key {source.key!r}; keys must be unique",
                file=file,
                key=f"{where}.key",
            )
        seen.add(source.key)
        for j, url in enumerate(source.all_urls):
            scheme = urlsplit(url).scheme
            if scheme not in ("http", "https", "file") or (
                scheme != "file" and not urlsplit(url).hostname
            ):
                name = "url" if j == 0 else f"urls[{j - 1}]"
                raise ConfigError(
                    f"{url!r} is not an http(s):// or file:// URL", file=file, key=f"{where}.{name}"
                )
        if source.interval_seconds < 1:
            raise ConfigError(
                "must be at least 1 second", file=file, key=f"{where}.interval_seconds"
            )
    for name in ("store", "cache"):
        url = getattr(config, name).url
        if urlsplit(url).scheme not in ("memory", "redis", "rediss", "unix"):
            raise ConfigError(
                f"{url!r}: use memory:// or redis://host:port/db", file=file, key=f"{name}.url"
            )


def load_config(path: Path) -> HubConfig:
    """Read and validate a config file; every problem is a ConfigError naming file and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found; pass --config FILE or set {ENV_VAR}", file=str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file ({exc})", file=str(path)) from None
    return parse_config(text, file=str(path), config_dir=path.resolve().parent)
