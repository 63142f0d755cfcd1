"""The schema as an Apollo Federation v2 subgraph: _service and _entities as the spec says."""

from __future__ import annotations

from microcred_hub.graphql import export_sdl
from tests.graphql.helpers import run_query

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Microcredential { id title issuerCountry }
  }
}"""


async def test_service_sdl_is_the_subgraph_sdl() -> None:
    result = await run_query("{ _service { sdl } }")
    assert result.errors is None
    assert result.data["_service"]["sdl"] == export_sdl(federation=True).rstrip("\n")


async def test_entities_resolve_a_batch_in_order_with_null_for_unknown_ids() -> None:
    representations = [
        {"__typename": "Microcredential", "id": "nzqa:MC4217"},
        {"__typename": "Microcredential", "id": "nzqa:NOT-THERE"},
        {"__typename": "Microcredential", "id": "nzqa:MC4217"},
    ]
    result = await run_query(ENTITIES, {"representations": representations})
    assert result.errors is None, result.errors
    first, unknown, again = result.data["_entities"]
    assert first["__typename"] == "Microcredential"
    assert first["id"] == "nzqa:MC4217"
    assert first["title"] == "Te reo Māori for the workplace"
    assert unknown is None  # an unknown id is null, not an error for the whole list
    assert again == first


async def test_a_bad_representation_fails_alone() -> None:
    representations = [
        {"__typename": "JobPosting", "id": "x"},
        {"__typename": "Microcredential", "id": 42},
        {"__typename": "Microcredential", "id": "nzqa:MC4217"},
    ]
    result = await run_query(ENTITIES, {"representations": representations})
    entities = result.data["_entities"]
    assert entities[0] is None and entities[1] is None
    assert entities[2]["id"] == "nzqa:MC4217"
    messages = sorted(e.message for e in result.errors)
    assert "is not an entity of this subgraph" in messages[0] + messages[1]
    assert {tuple(e.path) for e in result.errors} == {("_entities", 0), ("_entities", 1)}
