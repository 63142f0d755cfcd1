"""The pages' files ship in the package and are served by the hub (no browser needed)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import msgspec
import pytest

from microcred_hub.web import (
    DASHBOARD_QUERIES,
    DASHBOARD_SOURCE,
    STATIC_DIR,
    build_manifest,
    dashboard_documents,
)
from tests.support.hub_process import HubProcess
from tests.web.conftest import hub_config, post_graphql, start_hub


def fetch(hub: HubProcess, path: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(hub.url + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def test_every_file_the_pages_name_is_served_by_the_hub(hub: HubProcess) -> None:
    for page, accept in (("/graphql", "text/html"), ("/dashboard", "text/html")):
        status, headers, body = fetch(hub, page, Accept=accept)
        assert status == 200 and headers["Content-Security-Policy"]
        links = re.findall(r'(?:src|href)="([^"]+)"', body.decode())
        assert not [link for link in links if link.startswith(("http:", "https:", "//"))]
        names = [link for link in links if link.startswith("static/")]
        assert len(names) >= 3, page
        for name in names:
            file_status, _, _ = fetch(hub, "/" + name.removeprefix("/"))
            assert file_status == 200, name


def test_vendored_files_come_with_their_licences() -> None:
    vendor = STATIC_DIR / "vendor"
    folders = [path for path in vendor.iterdir() if path.is_dir()]
    assert {f.name.rsplit("-", 1)[0] for f in folders} >= {"graphiql", "react", "react-dom"}
    for folder in folders:
        assert "MIT License" in (folder / "LICENSE").read_text(), folder


def test_vendored_files_are_compressed_and_cached_for_good(hub: HubProcess) -> None:
    path = "/static/vendor/graphiql-3.8.3/graphiql.min.js"
    _, headers, body = fetch(hub, path, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert len(body) < (STATIC_DIR / path.removeprefix("/static/")).stat().st_size / 3


def test_the_persisted_manifest_is_built_from_the_dashboards_documents() -> None:
    built = build_manifest(DASHBOARD_SOURCE.read_text(encoding="utf-8"))
    shipped = msgspec.json.decode(DASHBOARD_QUERIES.read_bytes())
    assert shipped == built, "queries.json is stale: run python scripts/dashboard_queries.py"
    assert len(dashboard_documents()) == len(built["operations"])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def no_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("off")
    # the one listed query is the one start_hub polls
    (folder / "queries.json").write_text(json.dumps(["{ sources { status } }"]), encoding="utf-8")
    settings = (
        "[server]\ndashboard = false\n"
        '[limits]\npersisted_only = true\npersisted_queries_file = "queries.json"\n'
    )
    started = start_hub(hub_config(folder, settings))
    yield started
    started.stop()


def test_dashboard_off_means_no_page_and_none_of_its_queries(no_dashboard: HubProcess) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(no_dashboard, "/dashboard", Accept="text/html")
    assert missing.value.code == 404
    for document in dashboard_documents().values():
        answer = post_graphql(no_dashboard, document, {"filter": {}})
        assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ONLY"
    # GraphiQL's files are still served: they are not the dashboard's
    assert fetch(no_dashboard, "/static/graphiql/init.js")[0] == 200
