"""Every ``MicrocredentialFilter`` field reaches the index on both execution paths: the fast
path of ``microcredentials`` (graphql-core's coerced arguments) and the strawberry resolvers of
``statistics``, ``facets`` and ``histogram``. A field one of them forgot would be ignored there,
quietly: the answer would count every record."""

from __future__ import annotations

from typing import Any, cast

import pytest
from graphql import GraphQLInputObjectType

from microcred_hub.generate import generate_list
from microcred_hub.graphql import build_schema
from microcred_hub.index import Index
from tests.graphql.helpers import make_context, run_query

#: per filter field, a value that keeps some of the generated records and not all
NARROWING: dict[str, object] = {
    "source": ["nzqa"],
    "issuerCountry": ["NL"],
    "eqfLevel": [5],
    "eqfLevelMin": 6,
    "eqfLevelMax": 3,
    "ectsMin": 10.0,
    "ectsMax": 2.5,
    "hoursMin": 200.0,
    "hoursMax": 50.0,
    "participationForm": ["ONLINE"],
    "assessmentType": ["PORTFOLIO"],
    "language": ["nl"],
    "credentialType": ["BADGE"],
    "status": ["WITHDRAWN"],
    "stackable": True,
    "frameworkListed": False,
    "skill": ["support mental health"],
    "awardingBody": ["Universiteit Groningen"],
    "updatedSince": "2024-01-01T00:00:00Z",
    "issuerCountryMissing": False,
    "eqfLevelMissing": True,
    "validFromMissing": True,
    "validFromYear": [2021],
    "validFromMin": "2022-01-01",
    "validFromMax": "2020-12-31",
    "duplicatedIn": ["nzqa", "elm"],  # no duplicate linker here: no offer is listed twice
}
QUERY = """query($filter: MicrocredentialFilter) {
  microcredentials(filter: $filter, first: 1) { totalCount }
  statistics(filter: $filter) { count }
  facets(filter: $filter) { source { count } }
  histogram(field: COMPLETENESS, bounds: [0.5], filter: $filter) { count }
}"""


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(generate_list(1500, seed=7))


def filter_fields() -> list[str]:
    schema = build_schema()._schema
    input_type = cast(GraphQLInputObjectType, schema.get_type("MicrocredentialFilter"))
    return list(input_type.fields)


def test_every_filter_field_has_a_narrowing_value_here() -> None:
    assert sorted(NARROWING) == sorted(filter_fields())


async def counts(index: Index, filter: dict[str, Any] | None) -> dict[str, int]:
    result = await run_query(QUERY, {"filter": filter}, context=make_context(index))
    assert result.errors is None, result.errors
    data = result.data
    return {
        "fast path (microcredentials)": data["microcredentials"]["totalCount"],
        "statistics": data["statistics"]["count"],
        "facets": sum(bucket["count"] for bucket in data["facets"]["source"]),
        "histogram": sum(bucket["count"] for bucket in data["histogram"]),
    }


@pytest.mark.parametrize("field", sorted(NARROWING))
async def test_a_filter_field_narrows_every_path_alike(index: Index, field: str) -> None:
    everything = await counts(index, None)
    assert set(everything.values()) == {len(index)}
    narrowed = await counts(index, {field: NARROWING[field]})
    assert len(set(narrowed.values())) == 1, f"{field} is not applied alike: {narrowed}"
    assert next(iter(narrowed.values())) < len(index), f"{field} is ignored on every path"
