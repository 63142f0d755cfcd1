"""`microcred-hub connectors new NAME` writes a package a register owner can install as it is.

Generated into a temporary folder, pip-installed offline beside the hub (as the example in
tests/test_third_party.py is), its own tests pass without a warning, mypy strict sees
``microcred_hub.sdk`` from it, and `connectors list` shows it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.hub_process import hub_command
from tests.test_third_party import offline_build_problem

NAME = "acme_register"


@dataclass(frozen=True)
class Generated:
    project: Path
    env: dict[str, str]  # with the installed copy on PYTHONPATH


def run(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=180, env=env, cwd=cwd, check=False
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    problem = offline_build_problem()
    if problem:
        pytest.skip(problem)
    base = tmp_path_factory.mktemp("new-connector")
    project = base / "microcred-hub-acme"
    run([*hub_command(), "connectors", "new", NAME, "--into", str(project)])
    # build from a copy: setuptools writes build/ and *.egg-info next to the sources
    target = base / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation"]
    run([*pip, "--no-index", "--quiet", "--target", str(target), str(project)])
    path = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    return Generated(project=project, env={**os.environ, "PYTHONPATH": path})


def test_the_package_has_what_an_installable_connector_needs(generated: Generated) -> None:
    project = generated.project
    package = project / f"{NAME}_connector"
    for part in ("pyproject.toml", "README.md", "tests/test_conformance.py"):
        assert (project / part).is_file(), part
    assert (package / "py.typed").is_file()
    assert (package / "fixtures" / "conformance" / "scenario.toml").is_file()
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert f'{NAME} = "{NAME}_connector:AcmeRegisterConnector"' in pyproject
    assert "_template" not in (project / "tests" / "test_normalise.py").read_text()


def test_its_own_tests_pass_against_the_installed_copy_without_warnings(
    generated: Generated, tmp_path: Path
) -> None:
    # from a neutral folder, so the package can only come from the installed copy
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA"]
    out = run([*args, str(generated.project / "tests")], env=generated.env, cwd=tmp_path)
    assert re.search(r"\b\d+ passed\b", out), out
    assert "skipped" not in out and "failed" not in out, out  # metadata included: installed
    assert "PASSED" in out and "::test_metadata" in out, out
    assert "warnings summary" not in out and "Warning:" not in out, out


def test_connectors_list_shows_it(generated: Generated) -> None:
    out = run([*hub_command(), "connectors", "list"], env=generated.env)
    line = next(line for line in out.splitlines() if line.startswith(f"{NAME} "))
    assert line.split()[1] == "0.1.0"
    assert "BROKEN" not in out


def test_mypy_strict_sees_the_sdk_from_the_package(generated: Generated) -> None:
    # the package's own [tool.mypy] (strict) from its folder, as its author runs it
    out = run([sys.executable, "-m", "mypy"], cwd=generated.project)
    assert "Success: no issues found" in out, out


def test_a_name_that_cannot_be_an_entry_point_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [*hub_command(), "connectors", "new", "My Register", "--into", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "lower-case letters" in done.stderr
    assert not (tmp_path / "x").exists()
