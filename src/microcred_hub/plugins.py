"""Connector discovery through the ``microcred_hub.connectors`` entry-point group."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import msgspec

from microcred_hub.contract import Connector, ConnectorInfo, ConnectorOptions
from microcred_hub.errors import ConfigError, ConnectorContractError, validation_message

GROUP = "microcred_hub.connectors"


@dataclass(frozen=True)
class Plugin:
    """An installed connector: its entry point and its (checked) class."""

    name: str
    cls: type[Connector]
    distribution: str | None

    @property
    def info(self) -> ConnectorInfo:
        return self.cls.info

    @property
    def samples(self) -> Path | None:
        """The folder of sample configs the connector's package ships, if any."""
        folder = Path(inspect.getfile(self.cls)).resolve().parent / "samples"
        return folder if folder.is_dir() else None

    def build(self, options: dict[str, object], *, file: str, key: str) -> Connector:
        """Decode the source's connector options and instantiate the connector."""
        try:
            decoded = msgspec.convert(options, self.cls.options_type, strict=False)
        except msgspec.ValidationError as exc:
            message, field = validation_message(exc)
            hint = "; see the connector's README for its options"
            raise ConfigError(
                message + hint, file=file, key=f"{key}.{field}" if field else key
            ) from None
        instance = self.cls(decoded)  # type: ignore[call-arg]
        return instance


def check_plugin_class(name: str, obj: object) -> type[Connector]:
    """The SDK contract a connector class must meet; ConnectorContractError names the breach."""
    if not inspect.isclass(obj):
        raise ConnectorContractError(
            f"connector {name!r}: entry point must name a class, got {obj!r}"
        )
    info = getattr(obj, "info", None)
    if not isinstance(info, ConnectorInfo):
        raise ConnectorContractError(
            f"connector {name!r}: class attribute 'info' must be a ConnectorInfo"
        )
    if info.name != name:
        raise ConnectorContractError(
            f"connector {name!r}: info.name is {info.name!r}; it must equal the entry-point name"
        )
    options_type = getattr(obj, "options_type", None)
    if not (inspect.isclass(options_type) and issubclass(options_type, ConnectorOptions)):
        raise ConnectorContractError(
            f"connector {name!r}: 'options_type' must be a subclass of sdk.ConnectorOptions"
        )
    for method in ("fetch", "normalise"):
        if not callable(getattr(obj, method, None)):
            raise ConnectorContractError(f"connector {name!r}: missing method {method}()")
    if not inspect.isasyncgenfunction(obj.fetch):  # type: ignore[attr-defined]
        raise ConnectorContractError(f"connector {name!r}: fetch() must be an async generator")
    return obj  # type: ignore[return-value]


def _load(ep: EntryPoint) -> Plugin:
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not take the hub down with it
        raise ConnectorContractError(f"connector {ep.name!r} failed to import: {exc}") from exc
    dist = ep.dist.name if ep.dist is not None else None
    return Plugin(name=ep.name, cls=check_plugin_class(ep.name, obj), distribution=dist)


def discover() -> tuple[dict[str, Plugin], dict[str, str]]:
    """Installed plugins by name, and the ones that failed to load with why."""
    plugins: dict[str, Plugin] = {}
    broken: dict[str, str] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            plugins[ep.name] = _load(ep)
        except ConnectorContractError as exc:
            broken[ep.name] = str(exc)
    return plugins, broken


def plugin_for(name: str, plugins: dict[str, Plugin], *, file: str, key: str) -> Plugin:
    if name in plugins:
        return plugins[name]
    installed = ", ".join(sorted(plugins)) or "none"
    raise ConfigError(
        f"no connector plugin named {name!r} is installed (installed: {installed}); "
        "pip install the package that provides it or fix the name",
        file=file,
        key=key,
    )
