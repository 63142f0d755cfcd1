"""Malformed records against every built-in connector: quarantined with a reason or normalised
(with a warning), never an unexpected exception, and never at the cost of the good records.

The corpus is generated from each connector's own conformance fixtures (harvested once from the
kit's loopback register): every node of a good record in turn gets the wrong type, control
characters, a 1 MB string, NaN/Infinity strings, negative numbers, dates in the year 99999,
1000 levels of nesting, or is removed. ``normalise`` is called directly, so a crash is seen
even though the harvest would quarantine it; then a real harvest runs over a register serving
good and malformed records side by side.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import pytest
from aiohttp import web

from microcred_hub.config import SourceConfig
from microcred_hub.errors import InvalidRecordError
from microcred_hub.harvest import harvest_source
from microcred_hub.record import RecordDraft, completeness_of, content_hash
from microcred_hub.sdk import JSON, Connector, RawRecord
from microcred_hub.store.memory import MemoryStore
from microcred_hub.testing import Scenario, ScenarioServer, build
from microcred_hub.testing.checks import ConformanceError, Harvested, check_records_valid, harvest

REPO = Path(__file__).resolve().parents[1]
CONNECTORS = ("nzqa", "edubadges", "elm", "ctdl", "openbadges", "tabular")
RAWS_PER_CONNECTOR = 2
MAX_PATHS = 80
HUGE = "T" * 1_000_000
WRONG_TYPES: tuple[JSON, ...] = (
    None,
    True,
    0,
    -1,
    1.5e308,
    "",
    "   ",
    [],
    {},
    [[]],
    [None],
    {"@value": None},
)
HOSTILE_STRINGS: tuple[str, ...] = (
    "\x00",
    "\x1b[2J\x00ti\x07tle\x1b]0;pwned\x07",
    "NaN",
    "Infinity",
    "-Infinity",
    "-5",
    "-0.0",
    "1e999",
    "99999-01-01",
    "99999-12-31T23:59:59Z",
    "0000-00-00",
    "2024-02-30",
    "P-3H",
    "\ud800" .encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
)  # fmt: skip
DELETE = object()


def deep_list(levels: int = 1000) -> JSON:
    value: JSON = "deep"
    for _ in range(levels):
        value = [value]
    return value


def deep_object(levels: int = 1000) -> JSON:
    value: JSON = {"name": "deep"}
    for _ in range(levels):
        value = {"child": value}
    return value


Path_ = tuple[str | int, ...]


def paths(value: JSON, prefix: Path_ = (), depth: int = 0) -> Iterator[Path_]:
    """Every node under the record, breadth first enough (shallow nodes matter most)."""
    children: list[tuple[str | int, JSON]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value[:3]))
    for key, _ in children:
        yield (*prefix, key)
    if depth < 4:
        for key, child in children:
            yield from paths(child, (*prefix, key), depth + 1)


def replaced(value: JSON, path: Path_, new: object) -> JSON:
    """A copy with the node at ``path`` replaced (or removed for DELETE); copies only the path."""
    if not path:
        return new  # type: ignore[return-value]
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if not rest and new is DELETE:
            out.pop(str(head), None)
        else:
            out[str(head)] = replaced(value[str(head)], rest, new)
        return out
    if isinstance(value, list) and isinstance(head, int):
        items = list(value)
        if not rest and new is DELETE:
            del items[head]
        else:
            items[head] = replaced(value[head], rest, new)
        return items
    return value


def mutations(
    data: dict[str, JSON], *, csv: bool, deep: int = 1000
) -> Iterator[tuple[str, dict[str, JSON]]]:
    """(label, mutated record) for every node and every kind of damage."""
    chosen = list(itertools.islice(dict.fromkeys(paths(data)), MAX_PATHS))
    top_strings = [p for p in chosen if len(p) == 1 and isinstance(data.get(str(p[0])), str)]
    for path in chosen:
        where = "/".join(map(str, path))
        kinds: list[tuple[str, object]] = [("deleted", DELETE)]
        if not csv:
            kinds += [(f"type {v!r}", v) for v in WRONG_TYPES]
            kinds += [
                (f"{deep}-deep list", deep_list(deep)),
                (f"{deep}-deep object", deep_object(deep)),
            ]
        kinds += [(f"string {s[:12]!r}", s) for s in HOSTILE_STRINGS]
        for label, new in kinds:
            mutated = replaced(data, path, new)
            if isinstance(mutated, dict):
                yield f"{where}: {label}", mutated
    for path in top_strings[:10]:
        yield f"{path[0]}: 1 MB string", replaced(data, path, HUGE)  # type: ignore[misc]
    yield "empty record", {}
    yield "every value null", dict.fromkeys(data)  # type: ignore[misc]


@dataclass
class Corpus:
    connector: Connector
    raws: list[RawRecord]
    csv: bool


async def _good_raws(slug: str) -> Corpus:
    (cls,) = [ep.load() for ep in entry_points(group="microcred_hub.connectors") if ep.name == slug]
    scenario = Scenario.load(REPO / "connectors" / slug / "fixtures" / "conformance")
    connector: Connector = build(cls, scenario.options)
    async with ScenarioServer(scenario) as server:
        result = await harvest(connector, server, server.url(scenario.url))
    bad = {id(raw) for raw, _ in result.quarantined}
    good = [raw for raw in result.raws if id(raw) not in bad]
    return Corpus(connector, good[:RAWS_PER_CONNECTOR], scenario.options.get("format") == "csv")


@pytest.fixture(scope="module")
def corpora() -> dict[str, Corpus]:
    async def all_of_them() -> dict[str, Corpus]:
        return {slug: await _good_raws(slug) for slug in CONNECTORS}

    return asyncio.run(all_of_them())


def outcome(connector: Connector, raw: RawRecord, *, deep: bool = False) -> str | None:
    """None when the connector handled the record properly, else what went wrong."""
    try:
        draft = connector.normalise(raw)
    except InvalidRecordError as exc:
        return None if exc.reason.strip() else "InvalidRecordError without a reason"
    except RecursionError:
        # KNOWN LIMIT (reported to the lead): a value nested ~1000 deep exhausts Python's stack
        # in the connectors' recursive helpers; the harvest quarantines it ("normalise failed")
        # and the fetcher cannot even decode JSON nested that deep. A depth guard before
        # normalise (harvest._Run.take) would turn it into a proper reason.
        return None if deep else "RecursionError on a shallow record"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    if not isinstance(draft, RecordDraft):
        return f"normalise returned {type(draft).__name__}"
    try:
        check_records_valid(Harvested(drafts=[draft]))
        content_hash(draft)
        completeness_of(draft)
    except (ConformanceError, msgspec.MsgspecError, ValueError) as exc:
        return f"invalid draft: {str(exc)[:200]}"
    return None


@pytest.mark.parametrize("slug", CONNECTORS)
def test_every_malformed_record_is_quarantined_or_normalised_never_a_crash(
    corpora: dict[str, Corpus], slug: str
) -> None:
    corpus = corpora[slug]
    assert corpus.raws, f"{slug}: the conformance scenario gave no good record to mutate"
    failures: list[str] = []
    tried = 0
    for raw in corpus.raws:
        for label, data in mutations(dict(raw.data), csv=corpus.csv):
            tried += 1
            mutated = RawRecord(data=data, local_id=raw.local_id, source_url=raw.source_url)
            problem = outcome(corpus.connector, mutated, deep="-deep " in label)
            if problem is not None:
                failures.append(f"{raw.local_id} {label}: {problem}")
    assert tried > 100
    assert not failures, (
        f"{len(failures)} of {tried} malformed records broke {slug}:\n"
        + "\n".join(sorted(set(failures))[:40])
    )


# --- through a real harvest ---------------------------------------------------------------------

HARVEST_MUTANTS = 40
DECODABLE_DEPTH = 400  # a whole document nested ~1000 deep is refused by the JSON decoder itself


def sample(data: dict[str, JSON], *, csv: bool) -> list[dict[str, JSON]]:
    """An even spread of the mutations (every kind shows up), plus the 1 MB ones."""
    every = list(mutations(data, csv=csv, deep=DECODABLE_DEPTH))
    step = max(1, len(every) // HARVEST_MUTANTS)
    picked = every[::step][:HARVEST_MUTANTS]
    huge = [m for m in every if m[0].endswith("1 MB string")][:1]
    return [m for _, m in picked + huge]


Routes = dict[str, tuple[bytes, str]]


def _json(value: object) -> bytes:
    return msgspec.json.encode(value)


def nzqa_register(corpus: Corpus) -> tuple[Routes, str]:
    from tests.support.registers import nzqa_page

    good = [dict(raw.data) for raw in corpus.raws]
    bad = [m for item in good for m in sample(item, csv=False)]
    page = nzqa_page([*good, *bad, good[0]])  # and the first record again: a duplicated id
    return {"/microcredentials": (page, "application/json")}, "/microcredentials"


def tabular_register(corpus: Corpus) -> tuple[Routes, str]:
    good = [{k: str(v) for k, v in raw.data.items()} for raw in corpus.raws]
    rows = [*good, *(m for row in good for m in sample(row, csv=True)), good[0]]
    columns = list(dict.fromkeys(k for row in good for k in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return {"/list.csv": (out.getvalue().encode("utf-8"), "text/csv")}, "/list.csv"


def edubadges_register(corpus: Corpus) -> tuple[Routes, str]:
    routes: Routes = {}
    catalog: list[JSON] = []
    records = [dict(raw.data) for raw in corpus.raws]
    bad = [m for record in records for m in sample(record, csv=False)]
    for n, record in enumerate([*records, *bad]):
        detail = dict(record)
        row = detail.pop("_catalog", None)
        row = dict(row) if isinstance(row, dict) else {"entityId": row}
        if n >= len(records) and isinstance(row.get("entityId"), str):
            row["entityId"] = f"bad{n}"  # its own detail page, so the good ones stay intact
        catalog.append(row)
        if isinstance(row.get("entityId"), str):
            routes[f"/public/badges/{row['entityId']}"] = (_json(detail), "application/json")
    catalog.append(catalog[0])  # a duplicated id
    routes["/queries/catalog/badge-classes"] = (_json(catalog), "application/json")
    return routes, ""


def documents_register(corpus: Corpus, scenario: Scenario) -> tuple[Routes, str]:
    """elm, ctdl, openbadges: ``url`` answers a JSON array of documents."""
    good: list[dict[str, JSON]] = []
    for raw in corpus.raws:
        path = urlsplit(raw.source_url or "").path
        text = (scenario.folder / scenario.routes[path]).read_text(encoding="utf-8")
        document = json.loads(text.replace("{base}", "http://127.0.0.1"))
        if document not in good:
            good.append(document)
    bad = [m for document in good for m in sample(document, csv=False)]
    return {"/documents": (_json([*good, *bad, good[0]]), "application/json")}, "/documents"


async def serve(routes: Routes) -> tuple[web.AppRunner, str]:
    async def handle(request: web.Request) -> web.Response:
        found = routes.get(request.path)
        if found is None:
            return web.Response(status=404)
        body, content_type = found
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


HARVEST_OPTIONS: dict[str, dict[str, object]] = {
    "ctdl": {"resolve_references": False},
    "openbadges": {"fetch_issuers": False},
}


@pytest.mark.parametrize("slug", CONNECTORS)
async def test_a_harvest_over_good_and_malformed_records_lands_every_good_one(
    corpora: dict[str, Corpus], slug: str
) -> None:
    corpus = corpora[slug]
    scenario = Scenario.load(REPO / "connectors" / slug / "fixtures" / "conformance")
    builders = {"nzqa": nzqa_register, "tabular": tabular_register, "edubadges": edubadges_register}
    routes, path = (
        builders[slug](corpus) if slug in builders else documents_register(corpus, scenario)
    )
    good_ids = {f"{slug}:{corpus.connector.normalise(raw).local_id}" for raw in corpus.raws}
    options = {**scenario.options, **HARVEST_OPTIONS.get(slug, {})}
    (cls,) = [ep.load() for ep in entry_points(group="microcred_hub.connectors") if ep.name == slug]
    runner, base = await serve(routes)
    try:
        source = SourceConfig(key=slug, connector=slug, url=base + path, retries=0, options=options)
        store = MemoryStore()
        await store.open()
        summary = await harvest_source(source, build(cls, options), store)
    finally:
        await runner.cleanup()
    assert summary.ok, summary.errors
    landed = {record.id for record in await store.records(slug)}
    assert good_ids <= landed, f"good records lost: {sorted(good_ids - landed)}"
    quarantined = await store.quarantined(slug)
    assert quarantined, "no malformed record was quarantined"
    if slug != "nzqa":  # the NZQA feed repeats a reference for a new version: merged, by design
        assert any("duplicate id" in q.reason for q in quarantined)
    crashes = [
        q.reason
        for q in quarantined
        if q.reason.startswith("normalise failed") and "RecursionError" not in q.reason
    ]
    assert not crashes, crashes
