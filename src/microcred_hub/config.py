"""Typed configuration (TOML), validated at start with errors that name the file, key and fix."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

import msgspec

from microcred_hub.errors import ConfigError, validation_message
from microcred_hub.origins import parse_allowed_host

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
    cluster: bool = False  # url names one node of a Redis Cluster; the rest are discovered


class CacheConfig(_Section, frozen=True):
    url: str = "memory://"
    ttl_seconds: float = 300.0
    max_entries: int = 10_000
    cluster: bool = False


#: shorter admin tokens are refused at start: they can be guessed
MIN_ADMIN_TOKEN_LENGTH = 16


class AdminConfig(_Section, frozen=True):
    token: str | None = None  # unset or empty: admin endpoints off
    #: failed attempts a client may make before it is locked out (for 1 s, doubling each time)
    max_failed_attempts: int = 5


class ServerConfig(_Section, frozen=True):
    host: str = "127.0.0.1"
    port: int = 8000
    production: bool = False  # no field suggestions, no GraphiQL
    graphiql: bool = True
    #: GET /dashboard; stays on with production = true (it runs only its own listed queries)
    dashboard: bool = True
    log_format: Literal["text", "json"] = "text"
    max_body_bytes: int = 1_000_000
    request_timeout_seconds: float = 30.0
    rate_limit_per_second: float = 0.0  # per client; 0 = off
    rate_limit_burst: int = 50
    #: addresses or networks of the reverse proxies whose X-Forwarded-For is believed; none
    #: by default, so a client cannot pick its own address (and rate-limit bucket)
    trusted_proxies: tuple[str, ...] = ()
    #: which of "metrics" and "readyz" also need the admin token (/healthz never does)
    token_required_for: tuple[Literal["metrics", "readyz"], ...] = ()


class QueryLimits(_Section, frozen=True):
    """The ``[limits]`` config table; each refusal names the key it hit."""

    max_first: int = 500
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 100000
    #: statistics groups in one answer (a country x EQF-level cross-tab is a few hundred)
    max_groups: int = 1000
    #: introspection counted level by level, ``ofType`` included (max_depth skips that chain)
    max_introspection_depth: int = 20
    #: a search argument: characters, distinct words, and what each word adds to the cost
    max_search_length: int = 500
    max_search_words: int = 20
    search_word_cost: int = 1000
    introspection: bool = True
    suggestions: bool = True
    #: Automatic Persisted Queries: remember up to this many documents by hash
    persisted_queries: bool = True
    persisted_queries_max: int = 1000
    #: allow-list mode: only the documents of persisted_queries_file run (dashboards)
    persisted_only: bool = False
    #: JSON documents served by hash from the start (graphql/persisted.py); the allow-list
    persisted_queries_file: str | None = None


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


class DuplicatesConfig(_Section, frozen=True):
    """The ``[duplicates]`` table: linking the same micro-credential across registers."""

    enabled: bool = True
    #: links below this confidence are not made (0-1); see duplicates.linker for the default
    threshold: float = 0.9
    #: a TOML file of pairs to always / never link: always = [["a:1", "b:2"]], never = [...]
    overrides: str | None = None


class OverridePairs(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What an overrides file holds: record id pairs a register owner decided on."""

    always: tuple[tuple[str, str], ...] = ()
    never: tuple[tuple[str, str], ...] = ()


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
    max_bytes: int = 10 * 1024 * 1024  # one response
    max_total_bytes: int = 256 * 1024 * 1024  # every response of one harvest together
    max_records: int = 500_000  # records one harvest may yield
    max_redirects: int = 5
    headers: dict[str, str] = msgspec.field(default_factory=dict)  # sent to its own origins only
    allowed_hosts: tuple[str, ...] = ()  # beyond the hosts of url/urls: "host" or "host:port"
    #: reach host names that resolve to loopback, private, link-local or multicast addresses
    allow_private_addresses: bool = False
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
    duplicates: DuplicatesConfig = msgspec.field(default_factory=DuplicatesConfig)
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
            if path == "admin.token" and value == match.group(0):
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
        message, key = validation_message(exc)
        if message.startswith("Object contains unknown field"):
            message += "; check the spelling against API.md (Config)"
        elif message.startswith("Object missing required field"):
            message += "; add it"
        raise ConfigError(message, file=file, key=key) from None
    _check(config, file)
    return config


def _check_server(config: HubConfig, file: str) -> None:
    token = config.admin.token
    if token and len(token) < MIN_ADMIN_TOKEN_LENGTH:
        raise ConfigError(
            f"the admin token has {len(token)} characters; use at least "
            f"{MIN_ADMIN_TOKEN_LENGTH} random ones (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'), or leave it unset to turn admin off",
            file=file,
            key="admin.token",
        )
    if not 0 <= config.server.port <= 65535:
        raise ConfigError(
            f"{config.server.port} is not a TCP port: use 1-65535 (0: any free port)",
            file=file,
            key="server.port",
        )
    if config.admin.max_failed_attempts < 1:
        raise ConfigError("must be 1 or more", file=file, key="admin.max_failed_attempts")
    for i, proxy in enumerate(config.server.trusted_proxies):
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f'{proxy!r} is not an IP address or network; write e.g. "10.0.0.5" or '
                '"10.0.0.0/8" (the proxies in front of the hub)',
                file=file,
                key=f"server.trusted_proxies[{i}]",
            ) from None
    if config.server.token_required_for and not token:
        raise ConfigError(
            "needs an admin token: set [admin] token, or empty this list",
            file=file,
            key="server.token_required_for",
        )


def overrides_path(config: HubConfig) -> Path | None:
    """The overrides file; a relative path is relative to the config file."""
    name = config.duplicates.overrides
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute() and config.path != "<defaults>":
        path = Path(config.path).resolve().parent / path
    return path


def load_overrides(config: HubConfig) -> OverridePairs:
    """The pairs of ``[duplicates] overrides``; ConfigError names the file, key and fix."""
    path = overrides_path(config)
    if path is None:
        return OverridePairs()
    key = "duplicates.overrides"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"overrides file {str(path)!r} not found; create it or remove the key",
            file=config.path,
            key=key,
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read overrides file {str(path)!r} ({exc}); fix it",
            file=config.path,
            key=key,
        ) from None
    try:
        pairs = msgspec.convert(data, OverridePairs, strict=True)
    except msgspec.ValidationError as exc:
        message, where = validation_message(exc)
        raise ConfigError(
            f"{path}: {message} at {where or 'the top'}; write "
            'always = [["source:id", "source:id"], ...] and never = [...]',
            file=config.path,
            key=key,
        ) from None
    for kind in ("always", "never"):
        for i, (a, b) in enumerate(getattr(pairs, kind)):
            if a == b or ":" not in a or ":" not in b:
                raise ConfigError(
                    f"{path}: {kind}[{i}] must name two different record ids "
                    f'"<source>:<local id>" (got {a!r}, {b!r})',
                    file=config.path,
                    key=key,
                )
    clash = {frozenset(p) for p in pairs.always} & {frozenset(p) for p in pairs.never}
    if clash:
        shown = ", ".join(sorted(" & ".join(sorted(p)) for p in clash))
        raise ConfigError(
            f"{path}: {shown} is both in always and never; keep one", file=config.path, key=key
        )
    return pairs


def _check_redis(config: HubConfig, file: str) -> None:
    if "{" in config.store.prefix or "}" in config.store.prefix:
        raise ConfigError(
            "must not contain '{' or '}': the hub puts its own Redis Cluster hash tags after it",
            file=file,
            key="store.prefix",
        )
    for name, section in (("store", config.store), ("cache", config.cache)):
        url = urlsplit(section.url)
        if url.scheme not in ("redis", "rediss"):
            if section.cluster:
                raise ConfigError(
                    "needs a redis:// or rediss:// url naming one cluster node (got "
                    f'{url.scheme}://); set {name}.url = "redis://host:port" or remove '
                    f"{name}.cluster",
                    file=file,
                    key=f"{name}.cluster",
                )
            continue
        _check_redis_url(url, name, file, cluster=section.cluster)


def _check_redis_url(url: SplitResult, name: str, file: str, *, cluster: bool) -> None:
    """redis-py refuses a port that is not a number with a traceback, and quietly uses
    database 0 for a path that is not one: both are config errors."""
    try:
        port = url.port
    except ValueError:
        port = -1
    if port == -1 or (cluster and not url.hostname):
        example, what = (
            ("10.0.0.5:7000", "a cluster node") if cluster else ("10.0.0.5:6379", "Redis")
        )
        raise ConfigError(
            f'is not host:port of {what}; write e.g. "redis://{example}"',
            file=file,
            key=f"{name}.url",
        )
    database = url.path.strip("/")
    if cluster and database not in ("", "0"):
        raise ConfigError(
            f"names database {database!r}, but a Redis Cluster has only database "
            f'0: drop the path ("redis://{url.netloc}")',
            file=file,
            key=f"{name}.url",
        )
    if database and not database.isdigit():
        raise ConfigError(
            f"names database {database!r}; write its database number after the port "
            '("redis://host:port/0"), or no path for database 0',
            file=file,
            key=f"{name}.url",
        )


def _check_limits(config: HubConfig, file: str) -> None:
    if config.limits.max_groups < 1:
        raise ConfigError(
            f"must be 1 or more (got {config.limits.max_groups}): the statistics groups one "
            "answer may hold",
            file=file,
            key="limits.max_groups",
        )
    for key, minimum, above in _RANGES:
        section, _, name = key.partition(".")
        value = getattr(getattr(config, section), name)
        _check_range(value, minimum, above, file, key)
    for i, source in enumerate(config.sources):
        for name, minimum, above in _SOURCE_RANGES:
            _check_range(getattr(source, name), minimum, above, file, f"sources[{i}].{name}")


#: (key, minimum, whether the minimum itself is refused): numbers that make no sense below it
_RANGES: tuple[tuple[str, float, bool], ...] = (
    ("store.lock_ttl_seconds", 0, True),
    ("cache.ttl_seconds", 0, False),
    ("cache.max_entries", 0, False),
    ("server.max_body_bytes", 1, False),
    ("server.request_timeout_seconds", 0, True),
    ("server.rate_limit_per_second", 0, False),
    ("server.rate_limit_burst", 1, False),
    ("limits.max_first", 1, False),
    ("limits.max_depth", 1, False),
    ("limits.max_aliases", 0, False),
    ("limits.max_tokens", 1, False),
    ("limits.max_cost", 1, False),
    ("limits.max_introspection_depth", 1, False),
    ("limits.max_search_length", 1, False),
    ("limits.max_search_words", 1, False),
    ("limits.search_word_cost", 0, False),
    ("limits.persisted_queries_max", 0, False),
    ("telemetry.export_interval_ms", 1, False),
    ("telemetry.export_timeout_seconds", 0, True),
)
_SOURCE_RANGES: tuple[tuple[str, float, bool], ...] = (
    ("timeout_seconds", 0, True),
    ("connect_timeout_seconds", 0, True),
    ("retries", 0, False),
    ("max_redirects", 0, False),
)


def _check_range(value: float, minimum: float, above: bool, file: str, key: str) -> None:
    if value > minimum or (value == minimum and not above):
        return
    wanted = f"above {minimum}" if above else f"{minimum} or more"
    raise ConfigError(f"must be {wanted} (got {value})", file=file, key=key)


def _check(config: HubConfig, file: str) -> None:
    _check_server(config, file)
    if not 0.0 < config.duplicates.threshold <= 1.0:
        raise ConfigError(
            f"{config.duplicates.threshold} is not a confidence; use a number above 0 and at "
            "most 1 (default 0.9)",
            file=file,
            key="duplicates.threshold",
        )
    load_overrides(config)
    _check_redis(config, file)
    _check_limits(config, file)
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
        for j, entry in enumerate(source.allowed_hosts):
            try:
                parse_allowed_host(entry)
            except ValueError as exc:
                raise ConfigError(str(exc), file=file, key=f"{where}.allowed_hosts[{j}]") from None
        for name in ("max_bytes", "max_total_bytes", "max_records"):
            if getattr(source, name) < 1:
                raise ConfigError(
                    f"must be at least 1 (got {getattr(source, name)})",
                    file=file,
                    key=f"{where}.{name}",
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
