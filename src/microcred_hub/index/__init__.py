"""In-memory indexes for filters, facets, full-text search and sorting (see ``Index``)."""

from __future__ import annotations

from microcred_hub.index.core import FACETS, Index
from microcred_hub.index.model import (
    NO_FILTER,
    Page,
    Provider,
    ProviderPage,
    QueryError,
    RecordFilter,
    SortField,
)
from microcred_hub.index.text import search_fold

__all__ = [
    "FACETS",
    "NO_FILTER",
    "Index",
    "Page",
    "Provider",
    "ProviderPage",
    "QueryError",
    "RecordFilter",
    "SortField",
    "search_fold",
]
