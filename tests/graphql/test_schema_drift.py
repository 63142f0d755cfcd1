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
        "facets(filter: MicrocredentialFilter, search: String, distinct: Boolean = false): Facets!",
        "sameAs: [SameAs!]!",
        "groupId: ID!",
        "sources: [Source!]!",
        "title(lang: String): String!",
        "enum SortField {\n  TITLE\n  TITLE_DESC\n  ECTS\n  ECTS_DESC\n  HOURS\n  HOURS_DESC\n"
        "  EQF\n  EQF_DESC\n  UPDATED\n  UPDATED_DESC\n  RELEVANCE\n}",
        "enum SourceStatus {\n  PENDING\n  HARVESTING\n  OK\n  STALE\n  FAILING\n}",
    ):
        assert line in sdl
    assert "first: Int = 20" in sdl
    assert "= null" not in sdl  # optional arguments have no default, as API.md writes them


FEDERATION_FILE = SCHEMA_FILE.with_name("schema.federation.graphql")


def test_schema_federation_graphql_matches_the_subgraph_sdl() -> None:
    assert FEDERATION_FILE.read_text(encoding="utf-8") == export_sdl(federation=True), (
        "schema.federation.graphql is stale: run "
        "`microcred-hub export-schema --federation > schema.federation.graphql`"
    )


def test_subgraph_sdl_links_federation_v2_and_keys_microcredential_by_id() -> None:
    sdl = export_sdl(federation=True)
    assert sdl.startswith('schema @link(url: "https://specs.apollo.dev/federation/v2.')
    assert 'type Microcredential @key(fields: "id") {' in sdl
    assert "_entities(representations: [_Any!]!): [_Entity]!" in sdl
    assert "union _Entity = Microcredential" in sdl


def test_client_sdl_is_the_subgraph_sdl_without_federation_plumbing() -> None:
    plain = export_sdl()
    for plumbing in ("@link", "@key", "_entities", "_service", "_Any", "_Entity", "_Service"):
        assert plumbing not in plain
    assert "type Microcredential {" in plain
