"""Fuzzing a real `microcred-hub serve`: schema-driven GraphQL queries and raw HTTP garbage.

Queries come from hypothesis-graphql over ``schema.graphql`` (valid ones, and invalid ones in
its negative mode); raw requests are random bodies, query strings and content types. Whatever
arrives, the hub answers without a 5xx, in JSON with ``data`` or ``errors``, and without a
traceback or an install path. Derandomised and bounded, so CI runs the same examples every time.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.support.hub_process import HubProcess
from tests.test_security import INSTALL_MARKERS, demo_config, running

SCHEMA = (Path(__file__).resolve().parents[1] / "schema.graphql").read_text(encoding="utf-8")
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat())),
}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=latin-1",
    "application/graphql",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/json; charset=utf-8; extra",
    "",
)


class Conn:
    """One keep-alive connection to the hub (reopened when the hub closes it)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.read().decode("utf-8", errors="replace")
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    with running(demo_config(tmp_path_factory.mktemp("fuzz"), "")) as process:
        yield process


@pytest.fixture(scope="module")
def conn(hub: HubProcess) -> Iterator[Conn]:
    connection = Conn(hub.url)
    yield connection
    connection.conn.close()


def assert_sane(status: int, text: str, *, graphql: bool = True) -> None:
    assert status < 500, (status, text[:500])
    for marker in INSTALL_MARKERS:
        assert marker not in text, f"{marker!r} leaked: {text[:500]}"
    if graphql:
        body = json.loads(text)
        assert isinstance(body, dict) and ("data" in body or "errors" in body), text[:500]


def post_query(conn: Conn, query: str) -> None:
    body = json.dumps({"query": query}).encode()
    status, text = conn.send("POST", "/graphql", body, {"Content-Type": "application/json"})
    assert_sane(status, text)


@FUZZ
@given(query=hypothesis_graphql.queries(SCHEMA, custom_scalars=SCALARS))
def test_generated_valid_queries_never_break_the_hub(conn: Conn, query: str) -> None:
    post_query(conn, query)


@FUZZ
@given(
    query=hypothesis_graphql.queries(
        SCHEMA, custom_scalars=SCALARS, mode=hypothesis_graphql.Mode.NEGATIVE
    )
)
def test_generated_invalid_queries_get_errors_not_crashes(conn: Conn, query: str) -> None:
    post_query(conn, query)


@settings(FUZZ, max_examples=100)
@given(body=st.binary(max_size=2000), content_type=st.sampled_from(CONTENT_TYPES))
def test_random_post_bodies_are_refused_cleanly(conn: Conn, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, text = conn.send("POST", "/graphql", body, headers)
    assert_sane(status, text)


@settings(FUZZ, max_examples=100)
@given(
    params=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions", "x", ""]),
        st.text(max_size=200),
        max_size=4,
    )
)
def test_random_query_strings_on_get_are_refused_cleanly(
    conn: Conn, params: dict[str, str]
) -> None:
    path = "/graphql?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
    status, text = conn.send("GET", path, headers={"Accept": "application/json"})
    assert_sane(status, text)


@settings(FUZZ, max_examples=60)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=20,
    ),
    key=st.sampled_from(["query", "variables", "operationName", "extensions"]),
)
def test_json_bodies_with_wrong_types_are_refused_cleanly(
    conn: Conn, value: object, key: str
) -> None:
    body = {"query": "{ sources { key } }", key: value}
    status, text = conn.send(
        "POST", "/graphql", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    assert_sane(status, text)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("PUT", "/graphql", {}),
        ("DELETE", "/graphql", {}),
        ("PATCH", "/admin/harvest", {}),
        ("GET", "/admin/harvest", {}),
        ("GET", "/graphql/../../etc/passwd", {}),
        ("GET", "/%00", {}),
        ("GET", "/graphql?query=%7B", {"Accept": "text/html"}),
        ("GET", "/graphql?query=%7Bsources%7Bkey%7D%7D", {"Accept": "image/png"}),
    ],
)
def test_odd_methods_paths_and_accept_headers_are_refused_cleanly(
    conn: Conn, method: str, path: str, headers: dict[str, str]
) -> None:
    status, text = conn.send(method, path, headers=headers)
    assert_sane(status, text, graphql=False)


DEEP = 100_000
HOSTILE_BODIES = {
    "invalid utf-8": b'{"query": "\xff"}',
    "deep json array": b"[" * DEEP + b"]" * DEEP,
    "deep variables": b'{"query": "{ sources { key } }", "variables": {"a": '
    + b"[" * DEEP
    + b"]" * DEEP
    + b"}}",
    "deep graphql list value": json.dumps(
        {"query": "{ providers(issuerCountry: " + "[" * 999 + "]" * 999 + ") { totalCount } }"}
    ).encode(),
    "deep selection": json.dumps({"query": "{ sources " + "{ key " * 900 + "}" * 901}).encode(),
    "nan": b'{"query": "{ sources { key } }", "variables": {"a": NaN}}',
    "huge number": b'{"query": "{ microcredentials(first: 1' + b"0" * 400 + b') { totalCount } }"}',
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_json_bodies_are_refused_cleanly(conn: Conn, name: str) -> None:
    body = HOSTILE_BODIES[name]
    status, text = conn.send("POST", "/graphql", body, {"Content-Type": "application/json"})
    assert_sane(status, text)


def test_deep_variables_over_get_are_refused_cleanly(conn: Conn) -> None:
    path = "/graphql?query=%7Bsources%7Bkey%7D%7D&variables=" + "%5B" * 5000 + "%5D" * 5000
    status, text = conn.send("GET", path, headers={"Accept": "application/json"})
    assert_sane(status, text)
