"""`microcred-hub serve` replicas on a real Redis Cluster: they share data, locks, notes and the
response cache, and keep serving and harvesting when a primary fails over to its replica."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.support.hub_process import HubProcess, free_port, graphql, hub_command, wait_for
from tests.support.redis_cluster import RedisCluster
from tests.support.registers import NZQA_FIXTURES, nzqa_app, start
from tests.test_replicas import ADMIN, _equals, count, redis_cache_hits

PREFIX = "mch-hub:"


@pytest.fixture
def own_cluster() -> Iterator[RedisCluster]:
    """A cluster of this test's own: one of its primaries gets killed."""
    cluster = RedisCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
async def register() -> AsyncIterator[tuple[web.Application, str]]:
    app = nzqa_app()
    runner, url = await start(app)
    yield app, url
    await runner.cleanup()


def cluster_config(tmp_path: Path, name: str, cluster_url: str, register_url: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f"""
[store]
url = "{cluster_url}"
cluster = true
prefix = "{PREFIX}"
lock_ttl_seconds = 2

[cache]
url = "{cluster_url}"
cluster = true

[admin]
token = "replica-admin-token-7d3a"

[[sources]]
key = "nzqa"
connector = "nzqa"
url = "{register_url}/microcredentials"
page_size = 5
interval_seconds = 3600
timeout_seconds = 30
retries = 0
"""
    )
    return path


def add_listing(app: web.Application, reference: str) -> None:
    pages = [json.loads((NZQA_FIXTURES / f"feed-page-{i}.json").read_text()) for i in (1, 2, 3)]
    pages[2]["items"].append(dict(pages[2]["items"][-1], reference=reference))
    app["pages"] = [json.dumps(p).encode() for p in pages]


async def test_replicas_on_a_cluster_share_data_and_cache_and_survive_a_failover(
    tmp_path: Path, own_cluster: RedisCluster, register: tuple[web.Application, str]
) -> None:
    app, url = register
    query = '{ microcredentials(filter: {source: ["nzqa"]}) { totalCount } sources { status } }'
    async with (
        HubProcess(cluster_config(tmp_path, "a", own_cluster.url, url)) as a,
        aiohttp.ClientSession() as session,
    ):
        await wait_for(lambda: _equals(count(session, a), 12))
        # b names another node than a: either finds the whole cluster
        other_node = f"redis://127.0.0.1:{own_cluster.ports[1]}"
        async with HubProcess(cluster_config(tmp_path, "b", other_node, url)) as b:
            assert await count(session, b) == 12  # from the cluster, without harvesting
            _, from_a = await graphql(session, a.url, query)
            hits = await redis_cache_hits(session, b)
            _, from_b = await graphql(session, b.url, query)
            assert from_b == from_a and await redis_cache_hits(session, b) == hits + 1

            # the primary holding the hub's own keys (version, states, channel) dies
            victim = own_cluster.primary_of(PREFIX + "{" + PREFIX + "}version")
            own_cluster.kill(victim)
            own_cluster.wait_healthy()
            assert await count(session, b) == 12  # serving throughout, from memory

            add_listing(app, "MC9001")

            async def harvested_on_b() -> bool:
                # the admin call may meet the failover still settling: ask again until it lands
                async with session.post(b.url + "/admin/harvest", headers=ADMIN) as resp:
                    assert resp.status == 202
                return await count(session, b) == 13

            await wait_for(harvested_on_b, within=30, interval=1.0)
            # a heard of it through the new primary of the channel's slot
            await wait_for(lambda: _equals(count(session, a), 13), within=30)


def test_cluster_true_against_a_standalone_redis_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text('[store]\nurl = "redis://127.0.0.1:6379"\ncluster = true\n')
    done = serve_refused(path)
    assert "store.cluster" in done and "not a cluster node" in done


def test_a_cluster_node_without_cluster_true_stops_the_start(
    tmp_path: Path, redis_cluster: RedisCluster
) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(f'[store]\nurl = "{redis_cluster.url}"\n')
    done = serve_refused(path)
    assert "store.cluster" in done and "set store.cluster = true" in done


def test_cache_cluster_true_against_a_standalone_redis_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text('[cache]\nurl = "redis://127.0.0.1:6379"\ncluster = true\n')
    done = serve_refused(path)
    assert "cache.cluster" in done and "not a cluster node" in done
    assert "Traceback" not in done


def test_a_cluster_node_as_cache_without_cluster_true_stops_the_start(
    tmp_path: Path, redis_cluster: RedisCluster
) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(f'[cache]\nurl = "{redis_cluster.url}"\n')
    done = serve_refused(path)
    assert "cache.cluster" in done and "set cache.cluster = true" in done
    assert "Traceback" not in done


async def test_an_unreachable_cache_redis_does_not_stop_the_start(tmp_path: Path) -> None:
    """The response cache only saves work: without its Redis every answer is a miss."""
    path = tmp_path / "hub.toml"
    path.write_text(f'[cache]\nurl = "redis://127.0.0.1:{free_port()}"\ncluster = true\n')
    async with HubProcess(path, extra_args=("--no-harvest",)) as hub:
        assert "Traceback" not in hub.output()


def serve_refused(config: Path) -> str:
    done = subprocess.run(
        [*hub_command(), "serve", "--no-harvest", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    return done.stderr
