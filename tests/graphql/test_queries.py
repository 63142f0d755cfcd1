"""Every query field of the contract, executed against the schema."""

from __future__ import annotations

from typing import Any

from microcred_hub.index import Index
from tests.factories import sample_records
from tests.graphql.helpers import FAILING, make_context, run_query

RECORD_FIELDS = """
  id source localId url credentialType title titles { lang value } description { lang value }
  issuerCountry awardingBodies { name id url country } learningOutcomes { lang value }
  workload { ects hours derived originalValue originalUnit }
  level { eqf framework frameworkLevel derived }
  assessmentTypes assessmentTypesOriginal participationForms participationFormsOriginal
  qualityAssurance { name body url description } prerequisites { lang value }
  supervision stackability languages fieldsOfStudy { scheme code label }
  skills { label uri framework } frameworkListed status validFrom validUntil updatedAt
  withdrawnAt completeness { score missing }
  provenance { source connector connectorVersion fetchedAt sourceUrl contentHash } warnings
"""


async def data_of(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    result = await run_query(query, variables, **kwargs)
    assert result.errors is None, result.errors
    return result.data


async def test_microcredential_by_id_returns_every_field() -> None:
    data = await data_of(f'{{ microcredential(id: "nzqa:MC4217") {{ {RECORD_FIELDS} }} }}')
    record = data["microcredential"]
    assert record["title"] == "Te reo Māori for the workplace"
    assert record["localId"] == "MC4217"
    assert record["credentialType"] == "MICRO_CREDENTIAL"
    assert record["workload"] == {
        "ects": 7.5,
        "hours": 150.0,
        "derived": True,
        "originalValue": "15",
        "originalUnit": "NZ credit",
    }
    assert record["level"] == {
        "eqf": 4,
        "framework": "NZQCF",
        "frameworkLevel": "4",
        "derived": True,
    }
    assert record["assessmentTypes"] == ["PORTFOLIO"]
    assert record["assessmentTypesOriginal"] == ["portfolio"]
    assert record["stackability"] == "STANDALONE"
    assert record["validFrom"] == "2023-05-01"
    assert record["updatedAt"] == "2024-11-02T00:00:00+00:00"
    assert record["provenance"]["fetchedAt"] == "2025-03-01T09:30:00+00:00"
    assert record["provenance"]["contentHash"].startswith("sha256:")
    assert record["completeness"]["missing"] == []
    assert record["skills"][0]["uri"] == "http://data.europa.eu/esco/skill/mi"


async def test_unknown_id_is_null() -> None:
    data = await data_of('{ microcredential(id: "nzqa:nope") { id } }')
    assert data == {"microcredential": None}


async def test_title_in_a_language_falls_back_to_the_display_title() -> None:
    data = await data_of(
        '{ microcredential(id: "edubadges:abc123") '
        '{ nl: title(lang: "nl") en: title(lang: "en-GB") de: title(lang: "de") title } }'
    )
    assert data["microcredential"] == {
        "nl": "Duurzaam ondernemen",
        "en": "Sustainable entrepreneurship",
        "de": "Duurzaam ondernemen",
        "title": "Duurzaam ondernemen",
    }


async def test_withdrawn_record_shows_when_it_went() -> None:
    data = await data_of('{ microcredential(id: "edubadges:xyz") { status withdrawnAt } }')
    assert data["microcredential"] == {
        "status": "WITHDRAWN",
        "withdrawnAt": "2025-02-01T00:00:00+00:00",
    }


CONNECTION = """
query($filter: MicrocredentialFilter, $search: String, $sort: [SortField!], $first: Int,
      $after: String) {
  microcredentials(filter: $filter, search: $search, sort: $sort, first: $first, after: $after) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def connection(**variables: Any) -> Any:
    return (await data_of(CONNECTION, variables))["microcredentials"]


def node_ids(conn: Any) -> list[str]:
    return [edge["node"]["id"] for edge in conn["edges"]]


async def test_every_filter_field_is_accepted_and_applied() -> None:
    flt = {
        "source": ["nzqa", "edubadges"],
        "issuerCountry": ["nz", "NL"],
        "eqfLevel": [4, 5, 6],
        "eqfLevelMin": 4,
        "eqfLevelMax": 6,
        "ectsMin": 1.0,
        "ectsMax": 10,
        "hoursMin": 20,
        "hoursMax": 200,
        "participationForm": ["ONLINE"],
        "assessmentType": ["PORTFOLIO", "TESTING"],
        "language": ["EN"],
        "credentialType": ["MICRO_CREDENTIAL"],
        "status": ["ACTIVE"],
        "stackable": False,
        "frameworkListed": True,
        "skill": ["maori language"],
        "awardingBody": ["TE PUKENGA"],
        "updatedSince": "2024-01-01T00:00:00Z",
    }
    conn = await connection(filter=flt)
    assert node_ids(conn) == ["nzqa:MC4217"]
    assert conn["totalCount"] == 1


async def test_default_first_is_20_and_total_counts_all_matches() -> None:
    index = Index(sample_records() * 1)
    from tests.factories import make_record

    index.update([make_record(f"X{i:02d}", f"Extra {i}") for i in range(30)], ())
    result = await run_query(CONNECTION, {}, context=make_context(index=index))
    conn = result.data["microcredentials"]
    assert len(conn["edges"]) == 20
    assert conn["totalCount"] == 36
    assert conn["pageInfo"]["hasNextPage"] is True


async def test_paging_through_graphql_has_no_duplicates_or_gaps() -> None:
    seen: list[str] = []
    after = None
    while True:
        conn = await connection(first=2, after=after, sort=["ECTS_DESC"])
        seen += node_ids(conn)
        assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == node_ids(await connection(first=100, sort=["ECTS_DESC"]))
    assert len(seen) == len(set(seen)) == 6


async def test_search_ranks_by_relevance_and_sort_overrides() -> None:
    conn = await connection(search="maori")
    assert node_ids(conn) == ["nzqa:MC4217"]
    assert node_ids(await connection(search="MĀORI", sort=["TITLE"])) == ["nzqa:MC4217"]


async def test_empty_page_has_null_end_cursor() -> None:
    conn = await connection(search="nothing-matches-this")
    assert conn == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_bad_cursor_is_an_error_with_a_message() -> None:
    result = await run_query(CONNECTION, {"after": "garbage"})
    assert result.errors[0].message.startswith("after: malformed cursor")


async def test_facets_use_canonical_values_as_strings() -> None:
    data = await data_of(
        '{ facets(filter: {source: ["nzqa"]}) { issuerCountry { value count } '
        "eqfLevel { value count } source { value count } participationForm { value count } "
        "assessmentType { value count } credentialType { value count } "
        "language { value count } status { value count } } }"
    )
    facets = data["facets"]
    assert facets["issuerCountry"] == [{"value": "NZ", "count": 2}]
    assert facets["eqfLevel"] == [{"value": "4", "count": 1}]
    assert facets["participationForm"] == [
        {"value": "BLENDED", "count": 1},
        {"value": "ONLINE", "count": 1},
        {"value": "ONSITE", "count": 1},
    ]
    search = await data_of('{ facets(search: "ondernemen") { language { value count } } }')
    assert search["facets"]["language"] == [{"value": "nl", "count": 1}]


async def test_providers_connection() -> None:
    data = await data_of(
        '{ providers(issuerCountry: ["NZ"], first: 1) { totalCount '
        "edges { cursor node { name country microcredentialCount sources } } "
        "pageInfo { hasNextPage endCursor } } }"
    )
    providers = data["providers"]
    assert providers["totalCount"] == 2
    assert providers["pageInfo"]["hasNextPage"] is True
    cursor = providers["pageInfo"]["endCursor"]
    rest = await data_of(
        'query($after: String) { providers(issuerCountry: ["NZ"], after: $after) '
        "{ edges { node { name } } pageInfo { hasNextPage } } }",
        {"after": cursor},
    )
    names = [providers["edges"][0]["node"]["name"]] + [
        e["node"]["name"] for e in rest["providers"]["edges"]
    ]
    assert sorted(names) == ["Te Pūkenga", "University of Auckland"]
    searched = await data_of('{ providers(search: "utrecht") { edges { node { name } } } }')
    assert searched["providers"]["edges"] == [{"node": {"name": "Universiteit Utrecht"}}]


SOURCES = """{ sources { key connector url status recordCount quarantinedCount lastSuccessAt
  lastAttemptAt lastError lastErrorAt consecutiveFailures
  lastSummary { ok records added seconds } quarantined { reason localId } } }"""


async def test_sources_report_state_and_quarantine() -> None:
    result = await run_query(SOURCES, context=make_context(states=FAILING))
    edubadges, nzqa = result.data["sources"]
    assert edubadges["status"] == "STALE"
    assert edubadges["lastErrorAt"] == "2025-03-01T10:00:00+00:00"
    assert edubadges["quarantined"] == [{"reason": "record has no title", "localId": "bad-1"}]
    assert nzqa["status"] == "OK"
    assert nzqa["lastErrorAt"] is None
    assert nzqa["lastSummary"] == {"ok": True, "records": 2, "added": 2, "seconds": 0.4}


async def test_extensions_list_the_sources_that_are_not_ok() -> None:
    result = await run_query(
        "{ microcredentials { totalCount } }", context=make_context(states=FAILING)
    )
    assert result.extensions == {
        "sources": [
            {
                "key": "edubadges",
                "status": "STALE",
                "lastSuccessAt": "2025-03-01T09:00:00+00:00",
                "lastError": FAILING[1].last_error,
            }
        ]
    }


async def test_no_sources_extension_when_all_are_ok() -> None:
    result = await run_query("{ microcredentials { totalCount } }")
    assert not result.extensions
