"""Hostile GraphQL against a real `microcred-hub serve` over generated records: searches that
would hold the event loop, cost tricks, deep introspection, and requests that must not be
answered from the response cache."""

from __future__ import annotations

import asyncio
import json
import random
import string
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.security.graphql_hub import Answer, post, serving, write_hub
from tests.support.hub_process import HubProcess

#: enough records that searching them word by word takes the hub seconds
RECORDS = 20_000
#: the tests' own time limit, not their hub's start: that is bounded by its readiness
#: (``serving``), and takes long on a loaded machine at 20 000 records
pytestmark = pytest.mark.timeout(120, func_only=True)
#: /healthz waits for whatever holds the event loop; seconds would mean a frozen hub
PROMPT = 1.0


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with serving(write_hub(tmp_path_factory.mktemp("hostile"), "", RECORDS, quarantined=150)) as h:
        yield h


async def healthz_while(hub: HubProcess, payload: dict[str, object]) -> tuple[Answer, float]:
    """The answer to ``payload`` and the slowest /healthz sent while it was being worked on."""
    async with aiohttp.ClientSession() as session:
        task = asyncio.create_task(post(session, hub, payload))
        await asyncio.sleep(0.1)  # the query has arrived
        slowest = 0.0
        while True:
            started = time.perf_counter()
            async with session.get(hub.url + "/healthz") as resp:
                assert resp.status == 200
            slowest = max(slowest, time.perf_counter() - started)
            if task.done():
                return task.result(), slowest
            await asyncio.sleep(0.05)


def distinct_words(count: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return " ".join("".join(rnd.choices(string.ascii_lowercase, k=8)) for _ in range(count))


@pytest.mark.parametrize(
    "query",
    [
        '{ providers(search: "' + "p " * 5000 + '") { totalCount } }',
        '{ microcredentials(search: "' + distinct_words(20_000) + '") { totalCount } }',
        '{ facets(search: "' + distinct_words(20_000, 2) + '") { source { value } } }',
    ],
    ids=["providers", "microcredentials", "facets"],
)
async def test_a_huge_search_is_refused_and_healthz_answers_meanwhile(
    hub: HubProcess, query: str
) -> None:
    answer, healthz = await healthz_while(hub, {"query": query})
    assert healthz < PROMPT, f"/healthz waited {healthz:.1f} s behind one search"
    assert answer.body.get("data") is None, answer.messages
    assert set(answer.codes) <= {"max_search_length", "max_search_words"} and answer.codes
    assert "max_search_length 500" in answer.messages[0]


async def test_a_search_with_too_many_distinct_words_names_the_limit(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        twenty = await post(session, hub, {"query": f'{{ providers(search: "{distinct_words(20)}") '
                                          "{ totalCount } }"})  # fmt: skip
        assert twenty.status == 200 and "errors" not in twenty.body, twenty.messages
        # repeated words are one word: they cost nothing more
        same = await post(session, hub, {"query": '{ providers(search: "' + "uni " * 100 + '") '
                                        "{ totalCount } }"})  # fmt: skip
        assert "errors" not in same.body, same.messages
        many = await post(
            session,
            hub,
            {"query": "query($s: String) { microcredentials(search: $s) { totalCount } }",
             "variables": {"s": distinct_words(21)}},
        )  # fmt: skip
    assert many.codes == ["max_search_words"]
    assert many.messages == [
        "search has 21 distinct words, exceeding max_search_words 20; search with fewer words"
    ]


async def test_many_searches_in_one_query_take_turns_with_other_requests(
    hub: HubProcess,
) -> None:
    common = ["in", "and", "a", "for", "of", "the", "to", "with", "who", "it"]
    fields = " ".join(
        f'a{i}: microcredentials(search: "{common[i % 10]} {common[(i + 3) % 10]}") '
        "{ totalCount }"
        for i in range(30)
    )
    answer, healthz = await healthz_while(hub, {"query": "{ " + fields + " }"})
    assert healthz < PROMPT, f"/healthz waited {healthz:.1f} s behind 30 searches"
    assert answer.status == 200 and "errors" not in answer.body, answer.messages


async def test_search_words_count_in_the_query_cost(hub: HubProcess) -> None:
    fields = " ".join(
        f'a{i}: microcredentials(search: "{distinct_words(20, i)}") {{ totalCount }}'
        for i in range(10)
    )
    async with aiohttp.ClientSession() as session:
        answer = await post(session, hub, {"query": "{ " + fields + " }"})
    assert answer.codes == ["max_cost"]
    assert answer.messages[0].startswith("query cost 200210 exceeds max_cost 100000")
    assert "each search word counts 1000" in answer.messages[0]


FIELDS = "edges { node { id localId title status url languages } }"


async def test_first_from_a_variable_is_priced_as_the_resolver_reads_it(
    hub: HubProcess,
) -> None:
    # 25 pages of 500 items x 8 fields: 25 x 4001 = 100025
    fields = " ".join(f"a{i}: microcredentials(first: $f) {{ {FIELDS} }}" for i in range(25))
    for first in (500, 500.0):  # 500.0 is a valid Int: the resolvers get 500
        payload = {"query": "query($f: Int) { " + fields + " }", "variables": {"f": first}}
        async with aiohttp.ClientSession() as session:
            answer = await post(session, hub, payload)
        assert answer.codes == ["max_cost"], (first, answer.messages)
        assert answer.messages[0].startswith("query cost 100025 exceeds max_cost 100000")


async def test_every_first_argument_is_bounded_and_checked(hub: HubProcess) -> None:
    async with aiohttp.ClientSession() as session:
        null = await post(
            session, hub, {"query": "{ sources { key quarantined(first: null) { localId } } }"}
        )
        over = await post(
            session, hub, {"query": "{ sources { quarantined(first: 501) { reason } } }"}
        )
        as_var = await post(
            session,
            hub,
            {"query": "query($n: Int) { sources { quarantined(first: $n) { reason } } }",
             "variables": {"n": 501.0}},
        )  # fmt: skip
    nzqa = next(s for s in null.body["data"]["sources"] if s["key"] == "nzqa")  # type: ignore[index]
    assert len(nzqa["quarantined"]) == 100  # 150 held: null is the default page, not "all"
    for answer in (over, as_var):
        assert answer.codes == ["max_first"], answer.messages
        assert answer.messages == ["first 501 exceeds max_first 500; page with after: endCursor"]
        assert answer.body.get("data") is None


def type_chain(levels: int) -> str:
    return "kind name " + "ofType { kind name " * levels + "}" * levels


async def test_deep_introspection_is_refused_naming_the_limit(hub: HubProcess) -> None:
    deep = '{ __type(name: "Microcredential") { ' + type_chain(60) + " } }"
    usual = '{ __type(name: "Microcredential") { fields { type { ' + type_chain(8) + " } } } }"
    async with aiohttp.ClientSession() as session:
        refused = await post(session, hub, {"query": deep})
        answered = await post(session, hub, {"query": usual})
    assert refused.codes == ["max_introspection_depth"]
    assert refused.messages == ["introspection depth 62 exceeds max_introspection_depth 20"]
    assert refused.body.get("data") is None
    assert answered.status == 200 and "errors" not in answered.body, answered.messages


STRICT = {"Accept": "application/graphql-response+json"}


@pytest.mark.parametrize(
    "malformed",
    [{"extensions": "string"}, {"extensions": [1]}, {"extensions": 5}],
)
async def test_a_malformed_request_is_refused_even_when_its_query_is_cached(
    hub: HubProcess, malformed: dict[str, object]
) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(2):  # the second answer comes from the response cache
            ok = await post(session, hub, {"query": "{ __typename }"}, STRICT)
            assert ok.status == 200 and ok.body["data"] == {"__typename": "Query"}
        refused = await post(session, hub, {"query": "{ __typename }", **malformed}, STRICT)
    assert refused.status == 400, refused.body
    assert "data" not in refused.body


async def test_queries_differing_by_a_newline_in_a_comment_get_their_own_answers(
    hub: HubProcess,
) -> None:
    key_and_status = "{ sources { key #\n status } }"
    key_only = "{ sources { key # status\n } }"  # the same text with whitespace folded
    async with aiohttp.ClientSession() as session:
        first = await post(session, hub, {"query": key_and_status})
        second = await post(session, hub, {"query": key_only})
    assert all("status" in s for s in first.body["data"]["sources"])  # type: ignore[index]
    assert all(set(s) == {"key"} for s in second.body["data"]["sources"])  # type: ignore[index]


async def test_big_documents_do_not_stay_in_memory(hub: HubProcess) -> None:
    def rss() -> int:
        status = Path(f"/proc/{hub.proc.pid}/status").read_text()  # type: ignore[union-attr]
        return int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )

    async with aiohttp.ClientSession() as session:
        for i in range(20):  # the allocator's own working set
            await post(session, hub, {"query": f"{{ __typename }} # warm-up {i} " + "x" * 200_000})
        before = rss()
        for i in range(250):  # 250 distinct documents of 200 kB: 50 MB if each were kept
            answer = await post(session, hub, {"query": f"{{ __typename }} # {i} " + "x" * 200_000})
            assert answer.status == 200
    grown_mb = (rss() - before) / 1024
    assert grown_mb < 20, f"the hub kept {grown_mb:.0f} MB after 250 big documents"


ALLOWED = "{ sources { key # status\n } }"


@pytest.fixture(scope="module")
def allow_listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("allow-list")
    (folder / "queries.json").write_text(json.dumps([ALLOWED]), encoding="utf-8")
    settings = '[limits]\npersisted_only = true\npersisted_queries_file = "queries.json"\n'
    with serving(write_hub(folder, settings, 20)) as h:
        yield h


async def test_an_allow_listed_document_with_a_moved_newline_is_refused(
    allow_listed: HubProcess,
) -> None:
    moved = "{ sources { key #\n status } }"  # folded, the same text as ALLOWED
    reformatted = "{\n  sources {\n    key\n  }\n}"  # the same operation, laid out anew
    async with aiohttp.ClientSession() as session:
        allowed = await post(session, allow_listed, {"query": ALLOWED})
        refused = await post(session, allow_listed, {"query": moved})
        laid_out = await post(session, allow_listed, {"query": reformatted})
    assert "errors" not in allowed.body and allowed.body["data"]
    assert refused.body.get("data") is None
    assert refused.body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ONLY"  # type: ignore[index]
    assert laid_out.body["data"] == allowed.body["data"]
