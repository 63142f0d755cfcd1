"""schema.graphql at the repo root is the output of `microcred-hub export-schema`."""

from __future__ import annotations

from pathlib import Path

from microcred_hub.graphql import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_matches_export_sdl() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == export_sdl(), (
        "schema.graphql is stale: run `microcred-hub export-schema > schema.graphql`"
    )


def test_export_sdl_is_deterministic() -> None:
    assert export_sdl() == export_sdl()


def test_sdl_has_the_api_contract_signatures() -> None:
    sdl = export_sdl()
    for line in (
        "microcredential(id: ID!): Microcredential\n",
        "facets(filter: MicrocredentialFilter, search: String): Facets!",
        "sources: [Source!]!",
        "title(lang: String): String!",
        "enum SortField {\n  TITLE\n  TITLE_DESC\n  ECTS\n  ECTS_DESC\n  HOURS\n  HOURS_DESC\n"
        "  EQF\n  EQF_DESC\n  UPDATED\n  UPDATED_DESC\n  RELEVANCE\n}",
        "enum SourceStatus {\n  PENDING\n  HARVESTING\n  OK\n  STALE\n  FAILING\n}",
    ):
        assert line in sdl
    assert "first: Int = 20" in sdl
    assert "= null" not in sdl  # optional arguments have no default, as API.md writes them
