"""`connectors new NAME`: a standalone, installable connector package made from the template."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from microcred_hub import __version__
from microcred_hub.errors import ConfigError

TEMPLATE_PACKAGE = "microcred_hub_connectors._template"
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_SKIP_BLOCK = re.compile(r"\n\[skip\]\n(?:#[^\n]*\n)*metadata = [^\n]*\n?")

PYPROJECT = """\
# A microcred-hub connector package: its own distribution, found by the hub through one entry
# point. `pip install -e ".[test]"` beside the hub, then `pytest` and `microcred-hub connectors
# list`. See README.md and the hub's CONTRIBUTING.md ("Write a connector").
[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "microcred-hub-{dist}"
version = "0.1.0"
description = "microcred-hub connector for <register> (TEMPLATE: name the register)"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["microcred-hub>={hub_version}"]

[project.optional-dependencies]
test = ["pytest>=8.3", "pytest-asyncio>=0.25", "mypy>=1.13"]

# The name on the left is what a [[sources]] table writes as `connector = "{name}"`; it must
# equal info.name in {package}/connector.py.
[project.entry-points."microcred_hub.connectors"]
{name} = "{package}:{cls}Connector"

[tool.setuptools]
packages = ["{package}"]

[tool.setuptools.package-data]
# py.typed: type checkers read this package's annotations; the fixtures ship with it because
# the hub's own suite runs the conformance kit over every installed connector
{package} = [
    "py.typed",
    "fixtures/*.json",
    "fixtures/conformance/*",
    "fixtures/conformance/expected/*",
]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra"
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"

[tool.mypy]
strict = true
files = ["{package}"]
"""

INIT = '''"""The ``{name}`` connector for microcred-hub (see README.md)."""

from __future__ import annotations

from .connector import {cls}Connector, {cls}Options, normalise_item

__all__ = ["{cls}Connector", "{cls}Options", "normalise_item"]
'''


def package_name(name: str) -> str:
    return f"{name}_connector"


def class_stem(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ConfigError(
            f"connector name {name!r} is not usable: use 2-40 lower-case letters, digits and "
            "underscores, starting with a letter (e.g. 'myregister'); it becomes the "
            'entry-point name sources write as connector = "..."'
        )


def _adapt(text: str, name: str) -> str:
    """The template's own names replaced by the new connector's."""
    cls = class_stem(name)
    return (
        text.replace(TEMPLATE_PACKAGE, package_name(name))
        .replace("TemplateConnector", f"{cls}Connector")
        .replace("TemplateOptions", f"{cls}Options")
        .replace('name="template"', f'name="{name}"')
    )


def _copy(source: Traversable, target: Path, name: str) -> list[Path]:
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__" or entry.name.endswith(".pyc"):
            continue
        path = target / entry.name
        if entry.is_dir():
            written += _copy(entry, path, name)
        elif entry.name.endswith((".py", ".toml", ".md")):
            path.write_text(_adapt(entry.read_text(encoding="utf-8"), name), encoding="utf-8")
            written.append(path)
        else:
            path.write_bytes(entry.read_bytes())
            written.append(path)
    return written


def new_connector(name: str, into: Path) -> list[Path]:
    """Write the package for connector ``name`` into the new folder ``into``; the paths written.

    ``into`` holds pyproject.toml, README.md, tests/ and the package (code, py.typed, fixtures).
    """
    _check_name(name)
    if into.exists() and any(into.iterdir()):
        raise ConfigError(f"{into} already exists and is not empty; name a new folder with --into")
    template = resources.files(TEMPLATE_PACKAGE)
    package = package_name(name)
    root = into / package
    written = _copy(template, root, name)
    # the template's tests and README belong at the top of the project, not in the package
    tests = root / "tests"
    (into / "tests").mkdir(parents=True, exist_ok=True)
    for test in sorted(tests.iterdir()):
        moved = into / "tests" / test.name
        test.replace(moved)
        written.append(moved)
    tests.rmdir()
    readme = root / "README.md"
    readme.replace(into / "README.md")
    _rewrite(into / "README.md", name)
    scenario = root / "fixtures" / "conformance" / "scenario.toml"
    # a generated package declares its entry point, so the metadata check applies to it
    scenario.write_text(_SKIP_BLOCK.sub("\n", scenario.read_text(encoding="utf-8")))
    cls = class_stem(name)
    (root / "__init__.py").write_text(INIT.format(name=name, cls=cls), encoding="utf-8")
    (root / "py.typed").write_text("", encoding="utf-8")
    (into / "pyproject.toml").write_text(
        PYPROJECT.format(
            name=name,
            dist=name.replace("_", "-"),
            package=package,
            cls=cls,
            hub_version=__version__,
        ),
        encoding="utf-8",
    )
    written = [p for p in written if p.exists()]
    written += [into / "README.md", root / "py.typed", into / "pyproject.toml"]
    return sorted(set(written))


def _rewrite(readme: Path, name: str) -> None:
    text = readme.read_text(encoding="utf-8")
    text = text.replace(
        'TEMPLATE: `myreg = "my_package:MyConnector"` (the template itself has none)',
        f'`{name} = "{package_name(name)}:{class_stem(name)}Connector"`',
    )
    text = text.replace("`pytest connectors/_template`", "`pytest` (in this folder)")
    text = text.replace(
        'connector = "myreg"          # TEMPLATE: your entry-point name', f'connector = "{name}"'
    )
    readme.write_text(text, encoding="utf-8")
