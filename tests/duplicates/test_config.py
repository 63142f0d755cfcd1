"""[duplicates]: enabled, threshold and the overrides file, checked at start like the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from microcred_hub.config import load_config, load_overrides
from microcred_hub.errors import ConfigError
from microcred_hub.runtime.hub import Hub

SOURCE = '[[sources]]\nkey = "x"\nconnector = "nzqa"\nurl = "http://127.0.0.1:1/"\n'


def write(tmp_path: Path, duplicates: str, overrides: str | None = None) -> Path:
    if overrides is not None:
        (tmp_path / "pairs.toml").write_text(overrides, encoding="utf-8")
    config = tmp_path / "hub.toml"
    config.write_text(f"[duplicates]\n{duplicates}\n{SOURCE}", encoding="utf-8")
    return config


def test_linking_is_on_by_default_and_can_be_turned_off(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(SOURCE, encoding="utf-8")
    assert Hub(load_config(config)).linker is not None
    assert Hub(load_config(write(tmp_path, "enabled = false"))).linker is None


def test_the_overrides_file_is_read_relative_to_the_config(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        'threshold = 0.95\noverrides = "pairs.toml"',
        'always = [["elm:a", "ctdl:b"]]\nnever = [["elm:c", "edubadges:d"]]\n',
    )
    loaded = load_config(config)
    assert load_overrides(loaded).always == (("elm:a", "ctdl:b"),)
    linker = Hub(loaded).linker
    assert linker is not None and linker.threshold == 0.95
    assert linker.overrides.never == {frozenset({"elm:c", "edubadges:d"})}


@pytest.mark.parametrize(
    ("duplicates", "overrides", "says"),
    [
        ("threshold = 0", None, "above 0"),
        ("threshold = 1.5", None, "at most 1"),
        ('overrides = "missing.toml"', None, "not found"),
        ('overrides = "pairs.toml"', "always = [[", "cannot read"),
        ('overrides = "pairs.toml"', 'always = [["elm:a"]]', "always"),
        ('overrides = "pairs.toml"', 'always = [["elm:a", "elm:a"]]', "two different"),
        ('overrides = "pairs.toml"', 'never = [["a", "b"]]', "<source>:<local id>"),
        ('overrides = "pairs.toml"', 'sometimes = [["x:a", "y:b"]]', "sometimes"),
        (
            'overrides = "pairs.toml"',
            'always = [["x:a", "y:b"]]\nnever = [["y:b", "x:a"]]',
            "both in always and never",
        ),
    ],
)
def test_a_bad_duplicates_setting_stops_start_up_naming_the_key(
    tmp_path: Path, duplicates: str, overrides: str | None, says: str
) -> None:
    config = write(tmp_path, duplicates, overrides)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.key in ("duplicates.threshold", "duplicates.overrides")
    assert says in str(caught.value) and str(config) in str(caught.value)


def test_the_cli_exits_2_on_a_bad_overrides_file(tmp_path: Path) -> None:
    config = write(tmp_path, 'overrides = "missing.toml"')
    done = subprocess.run(
        [sys.executable, "-m", "microcred_hub.cli", "harvest", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "duplicates.overrides" in done.stderr and "Traceback" not in done.stderr
