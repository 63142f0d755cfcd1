"""Fixtures for the GraphQL tests (defined in helpers.py, which tests also import)."""

from __future__ import annotations

from tests.graphql.helpers import index, live

__all__ = ["index", "live"]
