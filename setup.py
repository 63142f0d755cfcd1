"""Package discovery pyproject.toml cannot express: connectors/ is microcred_hub_connectors.

Editable installs also get ``src/`` as a plain path line in a ``.pth`` file: this mapping makes
setuptools install an import-hook finder, which type checkers do not run, so without the path
line mypy in a plugin package beside an editable install could not see ``microcred_hub.sdk``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from setuptools import find_packages, setup
from setuptools.command.editable_wheel import editable_wheel

SRC = Path(__file__).resolve().parent / "src"

connector_packages = [
    "microcred_hub_connectors" + ("." + name if name else "")
    for name in ["", *find_packages("connectors", exclude=["*.tests", "*.tests.*", "tests"])]
]


class _WithSrcPath:
    """setuptools' own editable strategy, plus a ``.pth`` naming ``src/``."""

    def __init__(self, inner: Any, name: str) -> None:
        self.inner = inner
        self.name = name

    def __call__(self, wheel: Any, files: list[str], mapping: Any) -> object:
        wheel.writestr(f"__editable__.{self.name}-src.pth", f"{SRC}\n".encode())
        return self.inner(wheel, files, mapping)

    def __enter__(self) -> _WithSrcPath:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> object:
        return self.inner.__exit__(*exc)


class EditableWithSrcPath(editable_wheel):  # type: ignore[misc]
    def _select_strategy(self, name: str, tag: str, build_lib: Any) -> Any:
        return _WithSrcPath(super()._select_strategy(name, tag, build_lib), name)


setup(
    packages=[*find_packages("src"), *connector_packages],
    package_dir={"": "src", "microcred_hub_connectors": "connectors"},
    cmdclass={"editable_wheel": EditableWithSrcPath},
)
