"""The dashboard in a real browser: its figures are the API's, its filters live in the URL, a
cell lists its records, every table downloads as CSV, it works by keyboard and at phone width,
and it reaches no other origin (the ``visit`` fixture's teardown checks that)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.hub_process import HubProcess
from tests.web.conftest import (
    Visit,
    dashboard_documents_by_name,
    hub_config,
    new_visit,
    post_graphql,
    start_hub,
)

DOCUMENTS = dashboard_documents_by_name()
PANELS = ("sources", "heatmap", "workload", "completeness", "shares", "years", "overlap")


def api(hub: HubProcess, operation: str, **variables: Any) -> Any:
    answer = post_graphql(hub, DOCUMENTS[operation], variables)
    assert "errors" not in answer, answer
    return answer["data"]


async def ready(page: Page) -> None:
    await expect(page.locator('.panel[data-state="loading"]')).to_have_count(0, timeout=20_000)
    await expect(page.locator('.panel[data-state="error"]')).to_have_count(0)


async def table(page: Page, panel: str) -> list[list[str]]:
    """A panel's table as text, header row first (the text alternative of its chart)."""
    rows: list[list[str]] = await page.locator(f"#{panel} table tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    return rows


def count(text: str) -> int:
    return int(text.replace(",", ""))


def key(value: str | None) -> str:
    return "(none)" if value is None else value


def one_decimal(value: float | None) -> str:
    """As the page shows it: Intl.NumberFormat rounds the shortest decimal half away from 0."""
    if value is None:
        return "–"
    return f"{Decimal(repr(value)).quantize(Decimal('0.1'), ROUND_HALF_UP):,}".removesuffix(".0")


def whole_percent(value: float) -> str:
    return f"{(Decimal(repr(value)) * 100).quantize(Decimal('1'), ROUND_HALF_UP)}%"


async def assert_shows(
    page: Page,
    hub: HubProcess,
    filter: dict[str, Any],
    search: str | None = None,
    *,
    distinct: bool = False,
) -> None:
    """Every panel's table equals the API's answer for these filters."""
    variables = {"filter": filter, "search": search, "distinct": distinct}
    total = api(hub, "DashboardSources", **variables)
    assert (
        f"{total['statistics']['count']:,} records match"
        in await page.locator("#summary").inner_text()
    )
    matching = {g["keys"][0]: g["count"] for g in total["statistics"]["groups"]}
    shown = await table(page, "panel-sources")
    assert shown[0][:4] == ["source", "connector", "status", "matching records"]
    assert {row[0]: count(row[3]) for row in shown[1:]} == {
        s["key"]: matching.get(s["key"], 0) for s in total["sources"]
    }
    assert {row[0]: row[2] for row in shown[1:]} == {
        s["key"]: s["status"] for s in total["sources"]
    }

    cross = api(hub, "DashboardCountryLevel", **variables)["statistics"]["groups"]
    shown = await table(page, "panel-heatmap")
    levels = [h.removeprefix("EQF ") for h in shown[0][1:]]
    cells = {
        (row[0], level): count(value)
        for row in shown[1:]
        for level, value in zip(levels, row[1:], strict=True)
        if count(value)
    }
    assert cells == {(key(g["keys"][0]), g["keys"][1] or "none"): g["count"] for g in cross}

    workload = api(hub, "DashboardWorkload", **variables)["statistics"]["groups"]
    shown = await table(page, "panel-workload")
    assert shown[0] == [
        "country",
        "records",
        "with ECTS",
        "min",
        "p25",
        "median",
        "p75",
        "max",
        "mean",
    ]
    assert [[*row[:3], row[5]] for row in shown[1:]] == [
        [
            key(g["keys"][0]),
            f"{g['count']:,}",
            f"{g['ects']['count']:,}",
            one_decimal(g["ects"]["median"]),
        ]
        for g in workload
    ]

    complete = api(hub, "DashboardCompleteness", **variables)["statistics"]["groups"]
    shown = await table(page, "panel-completeness")
    assert [(row[0], count(row[1]), row[4]) for row in shown[1:]] == [
        (g["keys"][0], g["count"], whole_percent(g["completeness"]["median"])) for g in complete
    ]

    shares = api(hub, "DashboardShares", **variables)
    shown = await table(page, "panel-shares")
    expected = [("All sources", shares["all"]["groups"][0])] + [
        (g["keys"][0], g) for g in shares["bySource"]["groups"]
    ]
    assert [(row[0], count(row[1]), count(row[2]), count(row[4])) for row in shown[1:]] == [
        (name, g["count"], g["qualityAssured"], g["stackable"]) for name, g in expected
    ]

    years = api(hub, "DashboardYears", **variables)["statistics"]["groups"]
    shown = await table(page, "panel-years")
    assert {row[0]: count(row[1]) for row in shown[1:]} == {
        key(g["keys"][0]): g["count"] for g in years
    }

    overlap = api(hub, "DashboardOverlap", filter=filter, search=search)["sourceOverlap"]
    shown = await table(page, "panel-overlap")
    assert [[row[0], row[1], count(row[2])] for row in shown[1:]] == [
        [*pair["sources"], pair["offers"]] for pair in overlap
    ]


async def test_every_panel_shows_the_apis_figures_from_one_request_each(visit: Visit) -> None:
    page = await visit.context.new_page()
    graphql_requests: list[str] = []
    page.on(
        "request",
        lambda r: (
            r.url.endswith("/graphql")
            and graphql_requests.append(json.loads(r.post_data or "{}")["operationName"])
        ),
    )
    await page.goto(visit.hub.url + "/dashboard")
    await ready(page)
    await assert_shows(page, visit.hub, {})
    assert sorted(graphql_requests) == sorted(
        [
            "DashboardSources",
            "DashboardCountryLevel",
            "DashboardWorkload",
            "DashboardCompleteness",
            "DashboardShares",
            "DashboardYears",
            "DashboardOverlap",
        ]
    )
    for panel in PANELS:  # every chart has a text alternative and a name
        section = page.locator(f"#panel-{panel}")
        await expect(section.locator("svg[role=img][aria-label]")).to_have_count(1)
        await expect(section.locator("table")).to_have_count(1)


async def test_filters_live_in_the_url_and_a_reload_shows_the_same_view(visit: Visit) -> None:
    page = await visit.open("/dashboard")
    await ready(page)
    everything = await table(page, "panel-heatmap")
    await page.get_by_label("Issuer country", exact=True).fill("nz")
    await page.get_by_label("from", exact=True).select_option("4")
    await page.get_by_label("to", exact=True).select_option("6")
    await page.get_by_role("button", name="Apply").click()
    await expect(page).to_have_url(re.compile(r"country=NZ"))
    await ready(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"country": ["NZ"], "eqfMin": ["4"], "eqfMax": ["6"]}
    wanted = {"issuerCountry": ["NZ"], "eqfLevelMin": 4, "eqfLevelMax": 6}
    await assert_shows(page, visit.hub, wanted)
    filtered = await table(page, "panel-heatmap")
    assert filtered != everything

    again = await visit.open(urlsplit(page.url).path + "?" + urlsplit(page.url).query)
    await ready(again)
    assert await table(again, "panel-heatmap") == filtered
    await expect(again.get_by_label("Issuer country", exact=True)).to_have_value("NZ")
    await expect(again.get_by_label("from", exact=True)).to_have_value("4")
    await page.go_back()  # history steps back to the unfiltered view
    await ready(page)
    assert await table(page, "panel-heatmap") == everything


async def test_a_search_in_the_url_narrows_every_panel(visit: Visit) -> None:
    first = api(visit.hub, "DashboardRecords", first=1)["microcredentials"]["edges"][0]["node"]
    word = max(first["title"].split(), key=len)
    page = await visit.open(f"/dashboard?q={word}")
    await ready(page)
    await expect(page.get_by_label("Search", exact=True)).to_have_value(word)
    await assert_shows(page, visit.hub, {}, search=word)


async def test_an_offer_listed_in_several_registers_can_be_counted_once(visit: Visit) -> None:
    listings = api(visit.hub, "DashboardSources")["statistics"]["count"]
    offers = api(visit.hub, "DashboardSources", distinct=True)["statistics"]["count"]
    assert offers < listings  # the demo lists some offers twice
    page = await visit.open("/dashboard")
    await ready(page)
    await page.get_by_label("Count an offer listed in several registers once").check()
    await page.get_by_role("button", name="Apply").click()
    await expect(page).to_have_url(re.compile(r"distinct=1"))
    await ready(page)
    await assert_shows(page, visit.hub, {}, distinct=True)
    records = page.locator("#panel-sources table").get_by_role("button").first
    await records.click()
    await expect(page.locator("#records")).to_have_attribute("data-state", "ready")
    await page.reload()  # the choice is part of the shared view
    await ready(page)
    await expect(
        page.get_by_label("Count an offer listed in several registers once")
    ).to_be_checked()
    await assert_shows(page, visit.hub, {}, distinct=True)


async def test_a_heat_map_cell_lists_its_records_page_by_page(visit: Visit) -> None:
    page = await visit.open("/dashboard")
    await ready(page)
    cross = api(visit.hub, "DashboardCountryLevel", filter={})["statistics"]["groups"]
    biggest = next(g for g in cross if None not in g["keys"])
    country, eqf = biggest["keys"]
    await (
        page.locator("#panel-heatmap svg")
        .get_by_role("button", name=f"{country}, EQF {eqf}:")
        .click()
    )
    records = page.locator("#records")
    await expect(records).to_have_attribute("data-state", "ready")
    assert parse_qs(urlsplit(page.url).query)["list"] == [f"country:{country},eqf:{eqf}"]
    expected = api(
        visit.hub,
        "DashboardRecords",
        filter={"issuerCountry": [country], "eqfLevel": [int(eqf)]},
        first=20,
    )["microcredentials"]
    assert expected["totalCount"] == biggest["count"]
    await expect(records.get_by_role("status")).to_have_text(
        f"1–{min(20, biggest['count'])} of {biggest['count']}"
    )
    ids = [row[1] for row in (await table(page, "records"))[1:]]
    assert ids == [edge["node"]["id"] for edge in expected["edges"]]
    await expect(page.locator("#h-records")).to_be_focused()
    if expected["pageInfo"]["hasNextPage"]:
        await records.get_by_role("button", name="Next page").click()
        await expect(records.get_by_role("status")).to_contain_text("21–")
    await records.get_by_role("button", name="Close list").click()
    await expect(records).to_be_hidden()
    assert "list" not in parse_qs(urlsplit(page.url).query)


async def test_a_none_cell_and_a_year_bar_list_their_records(visit: Visit) -> None:
    page = await visit.open("/dashboard")
    await ready(page)
    records = page.locator("#records")
    cross = api(visit.hub, "DashboardCountryLevel", filter={})["statistics"]["groups"]
    lacking = next(g for g in cross if None in g["keys"])  # the demo has records without
    country, eqf = lacking["keys"]
    await (
        page.locator("#panel-heatmap svg")
        .get_by_role("button", name=f"{key(country)}, EQF {eqf or 'none'}:")
        .click()
    )
    await expect(records).to_have_attribute("data-state", "ready")
    listed = f"country:{country or 'none'},eqf:{eqf or 'none'}"
    assert parse_qs(urlsplit(page.url).query)["list"] == [listed]
    filter: dict[str, Any] = (
        {"issuerCountryMissing": True} if country is None else {"issuerCountry": [country]}
    )
    filter |= {"eqfLevelMissing": True} if eqf is None else {"eqfLevel": [int(eqf)]}
    expected = api(visit.hub, "DashboardRecords", filter=filter, first=20)["microcredentials"]
    assert expected["totalCount"] == lacking["count"]
    await expect(records.get_by_role("status")).to_have_text(
        f"1–{min(20, lacking['count'])} of {lacking['count']}"
    )
    ids = [row[1] for row in (await table(page, "records"))[1:]]
    assert ids == [edge["node"]["id"] for edge in expected["edges"]]
    await expect(page.locator("#h-records")).to_contain_text(
        "no issuer country" if country is None else "no EQF level"
    )

    years = api(visit.hub, "DashboardYears", filter={})["statistics"]["groups"]
    year = next(g for g in years if g["keys"][0] is not None)
    await (
        page.locator("#panel-years svg")
        .get_by_role("button", name=f"{year['keys'][0]}: {year['count']} records")
        .click()
    )
    await expect(page.locator("#h-records")).to_have_text(f"Records: valid from {year['keys'][0]}")
    await expect(records.get_by_role("status")).to_have_text(
        f"1–{min(20, year['count'])} of {year['count']}"
    )
    by_year = api(visit.hub, "DashboardRecords", filter={"validFromYear": [int(year["keys"][0])]})[
        "microcredentials"
    ]
    assert [row[1] for row in (await table(page, "records"))[1:]] == [
        edge["node"]["id"] for edge in by_year["edges"]
    ]
    undated = next((g for g in years if g["keys"][0] is None), None)
    if undated is not None:  # its row in the table lists the records without a start date
        await page.locator("#panel-years summary").click()
        row = page.locator("#panel-years tbody tr").filter(has_text="(none)")
        await row.get_by_role("button").click()
        await expect(page.locator("#h-records")).to_have_text("Records: no start date")
        await expect(records.get_by_role("status")).to_contain_text(f"of {undated['count']}")


async def test_the_duplicates_panel_shows_the_offers_each_pair_of_registers_shares(
    visit: Visit, tmp_path: Path
) -> None:
    overlap = api(visit.hub, "DashboardOverlap", filter={})["sourceOverlap"]
    assert overlap  # the demo lists some offers in two registers
    page = await visit.open("/dashboard")
    await ready(page)
    panel = page.locator("#panel-overlap")
    first = overlap[0]
    a, b = first["sources"]
    for one, other in ((a, b), (b, a)):  # the matrix is symmetric
        await expect(
            panel.locator("svg title").filter(
                has_text=f"{one} and {other}: {first['offers']} offers listed in both"
            )
        ).to_have_count(1)
    # by keyboard: Tab reaches the panel's table, Enter opens it
    for _ in range(400):
        await page.keyboard.press("Tab")
        if await panel.locator("summary:focus").count():
            break
    else:
        pytest.fail("the duplicates table is not reachable by Tab")
    await page.keyboard.press("Enter")
    await expect(panel.locator("table")).to_be_visible()
    shown = await table(page, "panel-overlap")
    assert shown[0] == ["register", "other register", "offers in both"]
    assert [[row[0], row[1], count(row[2])] for row in shown[1:]] == [
        [*pair["sources"], pair["offers"]] for pair in overlap
    ]
    async with page.expect_download() as info:
        await panel.get_by_role("button", name="Download the table").click()
    target = tmp_path / (await info.value).suggested_filename
    await (await info.value).save_as(target)
    assert target.name == "offers-shared-between-registers.csv"
    assert list(csv.reader(io.StringIO(target.read_text(encoding="utf-8")))) == [
        ["register", "other register", "offers in both"],
        *([*pair["sources"], str(pair["offers"])] for pair in overlap),
    ]
    # a cell lists the records of the pair's shared offers, in both registers
    await panel.locator("svg").get_by_role("button", name=f"{a} and {b}:").click()
    records = page.locator("#records")
    await expect(records).to_have_attribute("data-state", "ready")
    assert parse_qs(urlsplit(page.url).query)["list"] == [f"shared:{a}+{b}"]
    await expect(page.locator("#h-records")).to_have_text(
        f"Records: offers listed in both {a} and {b}"
    )
    listed = api(
        visit.hub,
        "DashboardRecords",
        filter={"duplicatedIn": [a, b], "source": [a, b]},
        first=20,
    )["microcredentials"]
    assert listed["totalCount"] >= 2 * first["offers"]
    await expect(records.get_by_role("status")).to_contain_text(f"of {listed['totalCount']}")
    assert [row[1] for row in (await table(page, "records"))[1:]] == [
        edge["node"]["id"] for edge in listed["edges"]
    ]
    assert {row[2] for row in (await table(page, "records"))[1:]} == {a, b}
    # a filter narrows it as it narrows the other panels
    await page.get_by_label("Source", exact=True).select_option(a)
    await page.get_by_role("button", name="Apply").click()
    await ready(page)
    await assert_shows(page, visit.hub, {"source": [a]})
    await expect(panel.locator(".empty")).to_have_text(
        "No offer is listed in two registers among the matching records."
    )


async def test_every_table_downloads_as_csv_with_the_apis_values(
    visit: Visit, tmp_path: Path
) -> None:
    page = await visit.open("/dashboard")
    await ready(page)
    downloaded = {}
    for panel in PANELS:
        async with page.expect_download() as info:
            await page.locator(f"#panel-{panel} button.csv").click()
        download = await info.value
        target = tmp_path / download.suggested_filename
        await download.save_as(target)
        downloaded[panel] = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
        shown = await table(page, f"panel-{panel}")
        assert downloaded[panel][0] == shown[0]  # same columns as the table
        assert len(downloaded[panel]) == len(shown)
    workload = api(visit.hub, "DashboardWorkload", filter={})["statistics"]["groups"]
    assert [row[:8] for row in downloaded["workload"][1:]] == [
        [
            key(g["keys"][0]),
            str(g["count"]),
            str(g["ects"]["count"]),
            *(
                "" if g["ects"][k] is None else _js_number(g["ects"][k])
                for k in ("min", "p25", "median", "p75", "max")
            ),
        ]
        for g in workload
    ]
    years = api(visit.hub, "DashboardYears", filter={})["statistics"]["groups"]
    assert {row[0]: int(row[1]) for row in downloaded["years"][1:]} == {
        key(g["keys"][0]): g["count"] for g in years
    }


def _js_number(value: float) -> str:
    """How JavaScript's String() writes a number (what the CSV holds: the raw value)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


async def test_the_page_is_usable_by_keyboard(visit: Visit) -> None:
    page = await visit.open("/dashboard")
    await ready(page)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to the figures")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Search", exact=True)).to_be_focused()
    await page.keyboard.type("xyzzy-nothing-matches")
    await page.keyboard.press("Enter")  # submits the form
    await ready(page)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["xyzzy-nothing-matches"]}
    await expect(page.locator("#summary")).to_contain_text("0 records match")
    await page.get_by_role("button", name="Reset").press("Enter")
    await ready(page)
    # Tab through the page to a heat-map cell and choose it with Enter
    for _ in range(80):
        await page.keyboard.press("Tab")
        if await page.locator("#panel-heatmap .hit:focus").count():
            break
    else:
        pytest.fail("no heat-map cell reachable by Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#records")).to_have_attribute("data-state", "ready")
    await expect(page.locator("#h-records")).to_be_focused()


async def test_phone_width_is_one_column_without_sideways_scrolling(
    browser: Browser, hub: HubProcess
) -> None:
    phone = await new_visit(browser, hub, width=375, height=800)
    page = await phone.open("/dashboard")
    await ready(page)
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 375
    lefts = {round((await page.locator(f"#panel-{p}").bounding_box() or {})["x"]) for p in PANELS}  # type: ignore[index]
    assert len(lefts) == 1, lefts
    await phone.context.close()
    assert phone.blocked == [] and phone.errors == []


async def test_a_wall_screen_shows_several_columns(browser: Browser, hub: HubProcess) -> None:
    wall = await new_visit(browser, hub, width=2560, height=1440)
    page = await wall.open("/dashboard")
    await ready(page)
    lefts = {round((await page.locator(f"#panel-{p}").bounding_box() or {})["x"]) for p in PANELS}  # type: ignore[index]
    assert len(lefts) >= 3, lefts
    await wall.context.close()
    assert wall.blocked == [] and wall.errors == []


@pytest.fixture(scope="module")
def persisted_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("persisted")
    (folder / "queries.json").write_text(json.dumps(["{ sources { key } }"]), encoding="utf-8")
    settings = (
        "[server]\nproduction = true\n"  # the page stays on in production, GraphiQL goes
        '[limits]\npersisted_only = true\npersisted_queries_file = "queries.json"\n'
    )
    started = start_hub(hub_config(folder, settings))
    yield started
    started.stop()


async def test_a_persisted_only_production_hub_serves_the_dashboard(
    browser: Browser, persisted_only: HubProcess
) -> None:
    refused = post_graphql(persisted_only, "{ microcredentials { totalCount } }")
    assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ONLY"  # the mode is on
    visit = await new_visit(browser, persisted_only)
    page = await visit.open("/dashboard")
    await ready(page)
    await assert_shows(page, persisted_only, {})
    await page.locator("#panel-sources table").get_by_role("button").first.click()
    await expect(page.locator("#records")).to_have_attribute("data-state", "ready")
    graphiql = await visit.context.request.get(
        persisted_only.url + "/graphql", headers={"accept": "text/html"}
    )
    assert "graphiql" not in (await graphiql.text()).lower()
    # so the page names the endpoint rather than linking to an error
    nav = page.get_by_role("navigation", name="Elsewhere on this hub")
    await expect(nav).to_contain_text("POST /graphql")
    assert await nav.get_by_role("link").count() == 0
    await visit.context.close()
    assert visit.blocked == [] and visit.errors == []
