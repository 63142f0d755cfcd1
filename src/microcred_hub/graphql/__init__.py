"""The GraphQL API: schema, limits, and the ASGI app served at ``/graphql``."""

from __future__ import annotations

from microcred_hub.graphql.context import QueryContext
from microcred_hub.graphql.http import GraphQLApp, make_graphql_app, negotiate
from microcred_hub.graphql.schema import build_schema, export_sdl

__all__ = [
    "GraphQLApp",
    "QueryContext",
    "build_schema",
    "export_sdl",
    "make_graphql_app",
    "negotiate",
]
