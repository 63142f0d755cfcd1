"""`[store] url` picks the backend; a wrong URL is a config error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred_hub.errors import ConfigError
from microcred_hub.store import MemoryStore, RedisStore, open_store


def test_memory_url_gives_a_memory_store_with_its_snapshot(tmp_path: Path) -> None:
    store = open_store("memory://", snapshot=tmp_path / "snap.json")
    assert isinstance(store, MemoryStore)
    assert store.snapshot_path == tmp_path / "snap.json"


def test_redis_url_gives_a_redis_store_with_the_prefix() -> None:
    store = open_store("redis://127.0.0.1:6379/2", snapshot=None, prefix="hub1:")
    assert isinstance(store, RedisStore)
    assert (store.url, store.prefix) == ("redis://127.0.0.1:6379/2", "hub1:")


@pytest.mark.parametrize("url", ["postgres://db/hub", "memory", "", "file:///tmp/x"])
def test_unknown_store_url_names_the_key_and_the_accepted_schemes(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, snapshot=None)
    assert caught.value.key == "store.url"
    assert "memory://" in str(caught.value)
    assert "redis://" in str(caught.value)


def test_a_snapshot_with_redis_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store("redis://127.0.0.1:6379/0", snapshot=tmp_path / "snap.json")
    assert caught.value.key == "store.snapshot"
