"""The Query type and the schema: ``build_schema(limits)`` and ``export_sdl()``."""

from __future__ import annotations

import functools
from typing import Annotated, TypeVar, cast

import strawberry

from microcred_hub.graphql.context import QueryContext
from microcred_hub.graphql.limits import (
    DEFAULT_FIRST,
    ErrorPolicy,
    QueryLimits,
    QueryLimitsExtension,
    check_first,
)
from microcred_hub.graphql.sources import SourcesExtension, SourceType
from microcred_hub.graphql.types import (
    FacetCount,
    Facets,
    MicrocredentialConnection,
    MicrocredentialEdge,
    MicrocredentialFilter,
    MicrocredentialType,
    PageInfo,
    Provider,
    ProviderConnection,
    ProviderEdge,
)
from microcred_hub.index import FACETS, RecordFilter, SortField

Info = strawberry.Info[QueryContext, None]
T = TypeVar("T")


def given(value: T | None) -> T | None:
    """None for an argument or input field that was left out (UNSET) or null."""
    return None if value is None or value is strawberry.UNSET else value


def _tuple(values: list[T] | None) -> tuple[T, ...] | None:
    values = given(values)
    return None if values is None else tuple(values)


def page_size(first: int | None) -> int:
    return DEFAULT_FIRST if first is None else first


def record_filter(value: MicrocredentialFilter | None) -> RecordFilter | None:
    """The index's filter for a GraphQL filter input."""
    value = given(value)
    if value is None:
        return None
    return RecordFilter(
        source=_tuple(value.source),
        issuer_country=_tuple(value.issuer_country),
        eqf_level=_tuple(value.eqf_level),
        eqf_level_min=given(value.eqf_level_min),
        eqf_level_max=given(value.eqf_level_max),
        ects_min=given(value.ects_min),
        ects_max=given(value.ects_max),
        hours_min=given(value.hours_min),
        hours_max=given(value.hours_max),
        participation_form=_tuple(value.participation_form),
        assessment_type=_tuple(value.assessment_type),
        language=_tuple(value.language),
        credential_type=_tuple(value.credential_type),
        status=_tuple(value.status),
        stackable=given(value.stackable),
        framework_listed=given(value.framework_listed),
        skill=_tuple(value.skill),
        awarding_body=_tuple(value.awarding_body),
        updated_since=given(value.updated_since),
    )


def resolve_microcredentials(
    info: Info,
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: Annotated[
        str | None,
        strawberry.argument(
            description="Words of titles, descriptions and learning outcomes in any language, "
            "case and accents ignored; every word must match."
        ),
    ] = strawberry.UNSET,
    sort: Annotated[
        list[SortField] | None,
        strawberry.argument(description="Default: RELEVANCE with a search, else TITLE."),
    ] = strawberry.UNSET,
    first: int | None = 20,
    after: str | None = strawberry.UNSET,
) -> MicrocredentialConnection:
    context = info.context
    size = page_size(first)
    check_first(size, context.limits)
    page = context.index.search(
        record_filter(filter), given(search), given(sort) or (), size, given(after)
    )
    edges = [
        MicrocredentialEdge(cursor=cursor, node=cast(MicrocredentialType, record))
        for cursor, record in zip(page.cursors, page.records, strict=True)
    ]
    return MicrocredentialConnection(
        total_count=page.total,
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


def resolve_microcredential(info: Info, id: strawberry.ID) -> MicrocredentialType | None:
    return cast(MicrocredentialType | None, info.context.index.get(str(id)))


def resolve_facets(
    info: Info,
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: str | None = strawberry.UNSET,
) -> Facets:
    counts = info.context.index.facets(record_filter(filter), given(search))
    lists = {
        name: [FacetCount(value=value, count=count) for value, count in counts[name]]
        for name in FACETS
    }
    return Facets(
        issuer_country=lists["issuerCountry"],
        eqf_level=lists["eqfLevel"],
        source=lists["source"],
        participation_form=lists["participationForm"],
        assessment_type=lists["assessmentType"],
        credential_type=lists["credentialType"],
        language=lists["language"],
        status=lists["status"],
    )


async def resolve_sources(info: Info) -> list[SourceType]:
    states = await info.context.source_states()
    return cast(list[SourceType], sorted(states, key=lambda state: state.key))


def resolve_providers(
    info: Info,
    search: Annotated[
        str | None, strawberry.argument(description="Words starting words of the name.")
    ] = strawberry.UNSET,
    issuer_country: list[str] | None = strawberry.UNSET,
    first: int | None = 20,
    after: str | None = strawberry.UNSET,
) -> ProviderConnection:
    context = info.context
    size = page_size(first)
    check_first(size, context.limits)
    page = context.index.providers(given(search), given(issuer_country), size, given(after))
    edges = [
        ProviderEdge(cursor=cursor, node=cast(Provider, provider))
        for cursor, provider in zip(page.cursors, page.providers, strict=True)
    ]
    return ProviderConnection(
        total_count=page.total,
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


@strawberry.type
class Query:
    microcredentials: MicrocredentialConnection = strawberry.field(
        resolver=resolve_microcredentials,
        description="Micro-credentials matching a filter and a search, one page at a time.",
    )
    microcredential: MicrocredentialType | None = strawberry.field(
        resolver=resolve_microcredential, description="One record by id; null when unknown."
    )
    facets: Facets = strawberry.field(
        resolver=resolve_facets, description="Counts per value over the matching records."
    )
    sources: list[SourceType] = strawberry.field(
        resolver=resolve_sources, description="Every configured source and its harvest state."
    )
    providers: ProviderConnection = strawberry.field(
        resolver=resolve_providers, description="Awarding bodies, most micro-credentials first."
    )


def build_schema(limits: QueryLimits | None = None) -> strawberry.Schema:
    """The executable schema with limits, error policy and the sources report."""
    limits = limits or QueryLimits()
    return strawberry.Schema(
        query=Query,
        extensions=[
            functools.partial(QueryLimitsExtension, limits=limits),
            functools.partial(ErrorPolicy, limits=limits),
            SourcesExtension,
        ],
    )


def export_sdl() -> str:
    """The schema in SDL, as ``microcred-hub export-schema`` prints it (deterministic)."""
    return build_schema().as_str().rstrip("\n") + "\n"
