"""Config loading: typed, env-expanded, and every mistake named by file, key and fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from microcred_hub.config import demo_config_path, load_config, parse_config
from microcred_hub.errors import ConfigError

GOOD = """
[store]
url = "memory://"
snapshot = "var/snap.json"

[cache]
url = "redis://127.0.0.1:6379/1"
ttl_seconds = 60

[admin]
token = "${TEST_ADMIN_TOKEN}"

[limits]
max_first = 100
max_groups = 50

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "http://127.0.0.1:9001/microcredentials"
interval_seconds = 600
format = "csv"
headers = { Authorization = "Bearer ${TEST_FEED_TOKEN}" }
"""


def parse(text: str) -> object:
    return parse_config(text, file="hub.toml", config_dir=Path("/etc/hub"))


def test_a_full_config_is_typed_and_connector_options_are_kept_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_ADMIN_TOKEN", "s3cret-admin-token-0f9e")
    monkeypatch.setenv("TEST_FEED_TOKEN", "feed-token")
    config = parse_config(GOOD, file="hub.toml", config_dir=Path("/etc/hub"))
    assert config.admin.token == "s3cret-admin-token-0f9e"
    assert config.cache.ttl_seconds == 60
    assert config.limits.max_first == 100
    assert config.limits.max_groups == 50
    source = config.sources[0]
    assert source.interval_seconds == 600
    assert source.headers == {"Authorization": "Bearer feed-token"}
    assert source.options == {"format": "csv"}


def test_an_unset_admin_token_turns_admin_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_ADMIN_TOKEN", raising=False)
    monkeypatch.setenv("TEST_FEED_TOKEN", "x")
    config = parse_config(GOOD, file="hub.toml", config_dir=Path("/etc/hub"))
    assert not config.admin.token


def test_an_unset_variable_elsewhere_names_the_key_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_FEED_TOKEN", raising=False)
    with pytest.raises(ConfigError) as err:
        parse(GOOD)
    assert "sources[0].headers.Authorization" in str(err.value)
    assert "TEST_FEED_TOKEN" in str(err.value)


def test_config_dir_is_expanded() -> None:
    text = '[[sources]]\nkey="a"\nconnector="nzqa"\nurl="file://${CONFIG_DIR}/feed.json"\n'
    assert (
        parse_config(text, file="x.toml", config_dir=Path("/srv/hub")).sources[0].url
        == "file:///srv/hub/feed.json"
    )


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ('[store]\nurl = "postgres://x"\n', "store.url", "memory://"),
        ('[cache]\nttl_seconds = "soon"\n', "cache.ttl_seconds", "Expected"),
        ("[server]\nprot = 80\n", "server", "unknown field"),
        (
            '[[sources]]\nkey = "A B"\nconnector = "nzqa"\nurl = "http://x"\n',
            "sources[0].key",
            "lower-case",
        ),
        (
            '[[sources]]\nkey = "a"\nconnector = "nzqa"\nurl = "ftp://x"\n',
            "sources[0].url",
            "http(s)://",
        ),
        ('[[sources]]\nkey = "a"\nconnector = "nzqa"\n', "sources[0]", "url"),
        (
            '[[sources]]\nkey="a"\nconnector="nzqa"\nurl="http://x"\n[[sources]]\nkey="a"\nconnector="nzqa"\nurl="http://y"\n',
            "sources[1].key",
            "duplicate",
        ),
        ("[store\n", None, "TOML"),
        ("[store]\ncluster = true\n", "store.cluster", "redis://"),
        ('[cache]\nurl = "memory://"\ncluster = true\n', "cache.cluster", "redis://"),
        ('[store]\nurl = "redis://10.0.0.5:7000/3"\ncluster = true\n', "store.url", "database 0"),
        ('[cache]\nurl = "redis://10.0.0.5:70x0"\ncluster = true\n', "cache.url", "host:port"),
        ('[store]\ncluster = "yes"\n', "store.cluster", "Expected bool"),
        ('[store]\nprefix = "mch:{a}:"\n', "store.prefix", "hash tags"),
        ("[limits]\nmax_groups = 0\n", "limits.max_groups", "1 or more"),
        ('[limits]\nmax_groups = "many"\n', "limits.max_groups", "Expected"),
        ('[store]\nurl = "redis://127.0.0.1:notaport"\n', "store.url", "host:port"),
        ('[cache]\nurl = "redis://127.0.0.1:99999"\n', "cache.url", "host:port"),
        ('[store]\nurl = "redis://127.0.0.1:6379/abc"\n', "store.url", "database number"),
        ('[cache]\nurl = "rediss://127.0.0.1:6379/1/2"\n', "cache.url", "database number"),
        ("[server]\nport = 70000\n", "server.port", "65535"),
        ("[server]\nport = -1\n", "server.port", "65535"),
        ("[server]\nrequest_timeout_seconds = 0\n", "server.request_timeout_seconds", "above 0"),
        ("[limits]\nmax_first = -1\n", "limits.max_first", "1 or more"),
        ("[cache]\nttl_seconds = -5\n", "cache.ttl_seconds", "0 or more"),
        (
            '[[sources]]\nkey = "a"\nconnector = "nzqa"\nurl = "http://x"\nretries = -1\n',
            "sources[0].retries",
            "0 or more",
        ),
        (
            '[[sources]]\nkey = "a"\nconnector = "nzqa"\nurl = "http://x"\ntimeout_seconds = 0\n',
            "sources[0].timeout_seconds",
            "above 0",
        ),
    ],
)
def test_a_bad_config_names_the_key_and_what_is_wrong(
    text: str, key: str | None, hint: str
) -> None:
    with pytest.raises(ConfigError) as err:
        parse(text)
    message = str(err.value)
    assert message.startswith("hub.toml")
    if key:
        assert key in message
    assert hint in message


def harvest_with(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "microcred_hub.cli", "harvest", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_config_file_says_how_to_pass_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.toml")
    assert "--config" in str(err.value)


def test_the_bundled_demo_config_is_valid() -> None:
    config = load_config(demo_config_path())
    assert [s.key for s in config.sources][:2] == ["nzqa", "edubadges"]  # the rest: test_demo.py
    assert all(s.url.startswith("file://") for s in config.sources)


def test_the_cli_exits_2_on_a_bad_config_naming_file_key_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "hub.toml"
    bad.write_text(
        '[[sources]]\nkey = "x"\nconnector = "no-such-plugin"\nurl = "http://127.0.0.1:1/"\n'
    )
    done = harvest_with(bad)
    assert done.returncode == 2
    assert str(bad) in done.stderr
    assert "sources[0].connector" in done.stderr
    assert "no-such-plugin" in done.stderr and "installed:" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_connector_options_are_refused_with_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "hub.toml"
    bad.write_text(
        '[[sources]]\nkey = "x"\nconnector = "nzqa"\nurl = "http://127.0.0.1:1/"\nfromat = "csv"\n'
    )
    done = harvest_with(bad)
    assert done.returncode == 2
    assert "fromat" in done.stderr and "sources[0]" in done.stderr


def test_an_unknown_tabular_level_framework_stops_start_up_listing_the_known_ones(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "hub.toml"
    bad.write_text(
        '[[sources]]\nkey = "t"\nconnector = "tabular"\nurl = "http://127.0.0.1:1/t.csv"\n'
        'format = "csv"\nid_column = "id"\nlevel_framework = "AQF"\n'
        'columns = { title = "name", level = "level" }\n'
    )
    done = harvest_with(bad)
    assert done.returncode == 2, done.stderr
    assert str(bad) in done.stderr and "sources[0]" in done.stderr
    assert "level_framework: unknown framework 'AQF'" in done.stderr
    assert "EQF (a stated level)" in done.stderr and "NFQ, NZQCF" in done.stderr
