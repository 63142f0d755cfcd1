"""The response cache in a served hub: an answer computed on a miss and the same answer served
from the cache carry the same bytes and the same ETag, and a GET revalidates with it."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from microcred_hub.generate import generate_list
from microcred_hub.store.memory import Snapshot, write_snapshot
from tests.support.hub_process import HubProcess

QUERY = "{ microcredentials(first: 5) { totalCount edges { cursor node { id title } } } }"


async def test_a_missed_and_a_cached_answer_have_the_same_bytes_and_etag(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(snapshot, Snapshot(version=1, records=generate_list(400, seed=3)))
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[store]\nurl = "memory://"\nsnapshot = "{snapshot}"\n\n[cache]\nurl = "memory://"\n'
        '\n[[sources]]\nkey = "nzqa"\nconnector = "nzqa"\nurl = "https://nzqa.invalid/feed"\n'
        "enabled = false\n"  # no harvest: the data and the source states stay as they are
    )
    async with HubProcess(config) as hub, aiohttp.ClientSession() as session:
        answers = []
        for _ in range(2):  # a miss, then a hit
            async with session.post(hub.url + "/graphql", json={"query": QUERY}) as response:
                assert response.status == 200
                answers.append((await response.read(), response.headers["ETag"]))
        assert answers[0] == answers[1]
        body, etag = answers[0]
        assert b'"totalCount":' in body
        assert len(etag) == 26 and etag.startswith('"') and etag.endswith('"')
        url = hub.url + "/graphql"
        for _ in range(2):  # a GET's miss, then its hit: the same ETag, and a 304 for it
            async with session.get(url, params={"query": QUERY}) as response:
                assert (await response.read(), response.headers["ETag"]) == (body, etag)
        headers = {"If-None-Match": etag}
        async with session.get(url, params={"query": QUERY}, headers=headers) as response:
            assert response.status == 304
