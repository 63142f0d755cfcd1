"""The Query type and the schema: ``build_schema(limits)`` and ``export_sdl()``."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import functools
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar, cast

import msgspec
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.printer import print_schema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from microcred_hub import telemetry
from microcred_hub.config import QueryLimits
from microcred_hub.graphql.context import QueryContext
from microcred_hub.graphql.federation import FederatedSchema, client_sdl
from microcred_hub.graphql.limits import (
    DEFAULT_FIRST,
    ErrorPolicy,
    QueryLimitsExtension,
    check_first,
)
from microcred_hub.graphql.sources import SourcesExtension, SourceType
from microcred_hub.graphql.statistics import (
    Dimension,
    HistogramBucket,
    NumericField,
    SourceOverlap,
    Statistics,
    wanted_summaries,
)
from microcred_hub.graphql.types import (
    FacetCount,
    Facets,
    MicrocredentialConnection,
    MicrocredentialEdge,
    MicrocredentialFilter,
    MicrocredentialType,
    PageInfo,
    ProviderConnection,
    ProviderEdge,
    ProviderType,
    resolve_title,
)
from microcred_hub.index import FACETS, RecordFilter, SortField
from microcred_hub.packing import unpack, unpack_as, view_decoder
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    Microcredential,
    ParticipationForm,
    Stackability,
    Status,
    Supervision,
)

Info = strawberry.Info[QueryContext, None]
T = TypeVar("T")


def given(value: T | None) -> T | None:
    """None for an argument or input field that was left out (UNSET) or null."""
    return None if value is None or value is strawberry.UNSET else value


def _tuple(values: list[T] | None) -> tuple[T, ...] | None:
    values = given(values)
    return None if values is None else tuple(values)


DISTINCT = (
    "One per group of cross-register duplicates, as its representative (most complete, then "
    "smallest id); a group counts only when its representative matches."
)


def page_size(first: int | None) -> int:
    return DEFAULT_FIRST if first is None else first


#: MicrocredentialFilter's fields by their Python names: each is the RecordFilter field of that
#: name, but duplicated_in, which ``with_duplicated_in`` resolves (the fast path's twin is
#: ``_filter_fields``): a field added to the input reaches both paths
_FILTER_FIELDS = tuple(
    field.name
    for field in dataclasses.fields(MicrocredentialFilter)
    if field.name != "duplicated_in"
)


def record_filter(value: MicrocredentialFilter | None) -> RecordFilter | None:
    """The index's filter for a GraphQL filter input (lists become tuples)."""
    value = given(value)
    if value is None:
        return None
    fields: dict[str, Any] = {}
    for name in _FILTER_FIELDS:
        item = given(getattr(value, name))
        if item is not None:
            fields[name] = tuple(item) if isinstance(item, list) else item
    return RecordFilter(**fields)


def index_filter(
    context: QueryContext, value: MicrocredentialFilter | None, search: str | None
) -> RecordFilter | None:
    """``record_filter`` with ``duplicatedIn`` resolved to the records it names, from the
    duplicate groups (index work: call it in an ``_index_turn``)."""
    value = given(value)
    sources = _tuple(value.duplicated_in) if value is not None else None
    return with_duplicated_in(context, record_filter(value), sources, search)


def with_duplicated_in(
    context: QueryContext,
    flt: RecordFilter | None,
    sources: tuple[str, ...] | None,
    search: str | None,
) -> RecordFilter | None:
    """``flt`` narrowed to the records of offers listed in all of ``sources`` (none: as is)."""
    if not sources or flt is None:
        return flt
    linker = context.duplicates
    ids: tuple[str, ...] = ()
    if linker is not None:  # [duplicates] off: no offer is listed twice
        groups = [group.members for group in linker.groups()]
        ids = tuple(context.index.spanning(groups, sources, flt, search))
    return dataclasses.replace(flt, ids=ids)


@contextlib.asynccontextmanager
async def _index_turn(context: QueryContext) -> AsyncIterator[None]:
    """One step of index work (a search, a facet count, a provider page) at a time.

    graphql-core starts every field of a query together, so yielding alone would run them
    back to back in one loop iteration. Waiting for the shared lock puts each step in an
    iteration of its own, with the loop serving other requests (and the request deadline
    firing) between two steps: a query with many searches never holds the loop for more than
    one of them.
    """
    async with context.turns:
        await asyncio.sleep(0)
        yield


async def resolve_microcredentials(
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
    distinct: Annotated[bool | None, strawberry.argument(description=DISTINCT)] = False,
) -> MicrocredentialConnection:
    value = given(filter)
    return await _microcredentials(
        info.context,
        record_filter(value),
        _tuple(value.duplicated_in) if value is not None else None,
        given(search),
        given(sort) or (),
        first,
        given(after),
        bool(given(distinct)),
    )


class PackedEdge(msgspec.Struct, gc=False):
    """An edge whose record stays packed until read: ``node`` decodes all of it (the plain
    path), the fast path decodes only the fields the query selects (``_view``). (A struct:
    a page makes twenty, and its constructor runs in C; it holds only a str and bytes, so
    no reference cycle the collector would have to see.)"""

    cursor: str
    packed: bytes

    @property
    def node(self) -> Microcredential:
        return unpack(self.packed)


async def _microcredentials(
    context: QueryContext,
    flt: RecordFilter | None,
    duplicated_in: tuple[str, ...] | None,
    search: str | None,
    sort: Sequence[SortField],
    first: int | None,
    after: str | None,
    distinct: bool,
) -> MicrocredentialConnection:
    size = page_size(first)
    check_first(size, context.limits)
    async with _index_turn(context):
        page = context.index.search(
            with_duplicated_in(context, flt, duplicated_in, search),
            search,
            sort,
            size,
            after,
            distinct=distinct,
        )
    edges = [
        PackedEdge(cursor, packed) for cursor, packed in zip(page.cursors, page.packed, strict=True)
    ]
    return MicrocredentialConnection(
        total_count=page.total,
        edges=cast(list[MicrocredentialEdge], edges),
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


# -- plain graphql-core resolvers for the hot root fields -----------------------------------
#
# strawberry's resolver wrapper converts every argument through its type machinery (input
# objects into dataclasses, names through the name converter) on every call: most of a small
# query's resolver time. These take graphql-core's coerced arguments (camelCase dicts, enum
# values) as they are, and do what the strawberry resolvers above do with them.


def _filter_fields(schema: GraphQLSchema) -> tuple[tuple[str, str, type[Any] | None], ...]:
    """(GraphQL name, RecordFilter field, enum class or None) per MicrocredentialFilter field."""
    input_type = cast(GraphQLInputObjectType, schema.get_type("MicrocredentialFilter"))
    fields = []
    for name, field in input_type.fields.items():
        named = get_named_type(field.type)
        enum = (
            named.extensions["strawberry-definition"].wrapped_cls
            if isinstance(named, GraphQLEnumType)
            else None
        )
        fields.append((name, field.extensions["strawberry-definition"].python_name, enum))
    return tuple(fields)


def _raw_record_filter(
    fields: tuple[tuple[str, str, type[Any] | None], ...], value: dict[str, Any] | None
) -> tuple[RecordFilter | None, tuple[str, ...] | None]:
    """``record_filter`` of graphql-core's coerced filter (lists become tuples, as there),
    and its ``duplicatedIn`` (``index_filter`` resolves that)."""
    if value is None:
        return None, None
    given: dict[str, Any] = {}
    for name, python_name, enum in fields:
        item = value.get(name)
        if item is None:
            continue
        if isinstance(item, list):
            item = tuple(item) if enum is None else tuple(map(enum, item))
        elif enum is not None:
            item = enum(item)
        given[python_name] = item
    duplicated_in = given.pop("duplicated_in", None)
    return RecordFilter(**given), duplicated_in


#: the key, in the extensions of the ``microcredentials`` field, of its ``PagePreparer``
PREPARE_PAGE = "microcred-prepare-page"
PreparedPage = Callable[[QueryContext], Awaitable[MicrocredentialConnection]]
#: a page of ``microcredentials`` for graphql-core's coerced arguments, ready to run on a
#: context: what the arguments decide is worked out once (graphql/direct.py keeps it; per
#: request when the arguments read variables)
PagePreparer = Callable[[dict[str, Any]], PreparedPage]


def _plain_resolvers(schema: GraphQLSchema) -> None:
    """Give ``microcredentials`` a graphql-core resolver (same arguments, same answers)."""
    fields = _filter_fields(schema)

    def prepare(args: dict[str, Any]) -> PreparedPage:
        flt, duplicated_in = _raw_record_filter(fields, args.get("filter"))
        return functools.partial(
            _microcredentials,
            flt=flt,
            duplicated_in=duplicated_in,
            search=args.get("search"),
            sort=tuple(map(SortField, args.get("sort") or ())),
            first=args.get("first", 20),
            after=args.get("after"),
            distinct=bool(args.get("distinct")),
        )

    async def microcredentials(
        _root: object, info: GraphQLResolveInfo[Any], **args: Any
    ) -> MicrocredentialConnection:
        return await prepare(args)(info.context)

    field = schema.query_type.fields["microcredentials"]  # type: ignore[union-attr]
    field.resolve = microcredentials
    field.extensions = {**field.extensions, PREPARE_PAGE: prepare}


def resolve_microcredential(info: Info, id: strawberry.ID) -> MicrocredentialType | None:
    return cast(MicrocredentialType | None, info.context.index.get(str(id)))


async def resolve_facets(
    info: Info,
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: str | None = strawberry.UNSET,
    distinct: bool | None = False,  # described on microcredentials; one-line SDL as API.md
) -> Facets:
    context = info.context
    async with _index_turn(context):
        counts = context.index.facets(
            index_filter(context, filter, given(search)),
            given(search),
            distinct=bool(given(distinct)),
        )
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


async def resolve_providers(
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
    async with _index_turn(context):
        page = context.index.providers(given(search), given(issuer_country), size, given(after))
    edges = [
        ProviderEdge(cursor=cursor, node=cast(ProviderType, provider))
        for cursor, provider in zip(page.cursors, page.providers, strict=True)
    ]
    return ProviderConnection(
        total_count=page.total,
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


async def resolve_statistics(
    info: Info,
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: str | None = strawberry.UNSET,
    group_by: Annotated[
        list[Dimension] | None,
        strawberry.argument(description="One key per dimension in each group, in this order."),
    ] = (),  # type: ignore[assignment]  # strawberry prints the default as []
    distinct: Annotated[
        bool | None,
        strawberry.argument(description="Count a group of cross-register duplicates once."),
    ] = False,
) -> Statistics:
    context = info.context
    dimensions = [d.value for d in given(group_by) or ()]
    async with _index_turn(context):
        result = context.index.statistics(
            index_filter(context, filter, given(search)),
            given(search),
            list(dict.fromkeys(dimensions)),
            distinct=bool(distinct),
            summaries=wanted_summaries(info.selected_fields),
            max_groups=context.limits.max_groups,
        )
    return cast(Statistics, result)


async def resolve_histogram(
    info: Info,
    field: NumericField,
    bounds: Annotated[
        list[float],
        strawberry.argument(
            description="Increasing: buckets (-inf, b0), [b0, b1), ..., [bn, inf), every one "
            "listed; records without the value are not counted."
        ),
    ],
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: str | None = strawberry.UNSET,
    distinct: bool | None = False,
) -> list[HistogramBucket]:
    context = info.context
    async with _index_turn(context):
        buckets = context.index.histogram(
            field.value,
            bounds,
            index_filter(context, filter, given(search)),
            given(search),
            distinct=bool(distinct),
        )
    return cast(list[HistogramBucket], buckets)


async def resolve_source_overlap(
    info: Info,
    filter: MicrocredentialFilter | None = strawberry.UNSET,
    search: str | None = strawberry.UNSET,
) -> list[SourceOverlap]:
    context = info.context
    if context.duplicates is None:  # [duplicates] off: every record stands alone
        return []
    groups = [group.members for group in context.duplicates.groups()]
    async with _index_turn(context):
        found = context.index.overlap(
            groups, index_filter(context, filter, given(search)), given(search)
        )
    return cast(list[SourceOverlap], found)


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
    statistics: Statistics = strawberry.field(
        resolver=resolve_statistics,
        description="Counts and numeric summaries of the matching records, grouped.",
    )
    histogram: list[HistogramBucket] = strawberry.field(
        resolver=resolve_histogram,
        description="Matching records per bucket of a numeric field.",
    )
    source_overlap: list[SourceOverlap] = strawberry.field(
        resolver=resolve_source_overlap,
        description="Per pair of sources, the offers both list (duplicate groups with a "
        "matching record in each); pairs sharing none are left out; most offers first. "
        "Hub extension.",
    )


# -- fast path: a page of records projected in one compiled Python expression -------------
#
# Plain execution resolves and completes every field of every record through graphql-core
# (~30 µs a record for a typical selection). A list of edges whose selection only reads
# attributes is instead projected by a function compiled once per selection shape: the same
# dicts, lists and serialised leaves, built by one comprehension. Anything it does not know
# (another resolver, @defer, a custom scalar) takes the plain path, as does any error.

#: statistics groups and histogram buckets too: a cross-tab has hundreds of small objects
_FAST_TYPES = frozenset(
    {"MicrocredentialEdge", "Microcredential", "StatisticsGroup", "HistogramBucket"}
)
#: objects projected whole: a page and its edges
_FAST_OBJECTS = frozenset({"MicrocredentialConnection", "ProviderConnection"})
#: serialisation of leaf types, as graphql-core and strawberry do it ("" = value as is)
_LEAF = {"String": "", "Boolean": "", "Int": "", "ID": "str({})", "Float": "float({})"}
_LEAF |= {"DateTime": "{}.isoformat()", "Date": "{}.isoformat()"}
#: every canonical enum member (and its plain string value) -> its GraphQL name
_ENUM_NAMES: dict[object, str] = {
    member: member.name
    for enum_type in (CredentialType, AssessmentType, ParticipationForm, Supervision,
                      Stackability, Status)
    for member in enum_type
}  # fmt: skip
_Shape = tuple[tuple[str, str, str, object], ...]
_compiled: dict[_Shape, Callable[[list[object], list[object]], list[object]]] = {}


def _leaf(gtype: GraphQLNamedType) -> str | None:
    if isinstance(gtype, GraphQLEnumType):
        return "_names[{}]"  # a dict lookup: enum ``.name`` is a slow descriptor
    return _LEAF.get(gtype.name)


def _shape(
    ctx: StrawberryGraphQLCoreExecutionContext,
    gtype: GraphQLObjectType,
    details: FieldDetailsList,
    args: list[object],
) -> _Shape | None:
    """(response key, kind, attribute, detail) per selected field; None = not projectable."""
    grouped, defers, forbidden = ctx.collect_subfields(gtype, details)
    if defers or forbidden:
        return None
    entries: list[tuple[str, str, str, object]] = []
    for key, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "__typename":
            entries.append((key, "const", "", gtype.name))
            continue
        field = gtype.fields[name]
        definition = field.extensions["strawberry-definition"]
        attr = definition.python_name
        if definition.base_resolver is not None:
            if gtype.name != "Microcredential" or name != "title":
                return None
            node = field_details[0]
            lang = get_argument_values(
                field, node.node, ctx.variable_values, node.fragment_variable_values
            ).get("lang")
            if lang is None:  # resolve_title gives the display title: read it directly
                entries.append((key, "leaf", attr, (False, "")))
            else:
                args.append(lang)
                entries.append((key, "title", attr, len(args) - 1))
            continue
        ftype = field.type
        nullable = not isinstance(ftype, GraphQLNonNull)
        inner = ftype if nullable else ftype.of_type
        is_list = isinstance(inner, GraphQLList)
        named = get_named_type(inner)
        if is_list and isinstance(get_nullable_type(inner.of_type), GraphQLList):
            return None
        if isinstance(named, GraphQLObjectType):
            sub = _shape(ctx, named, field_details, args)
            if sub is None:
                return None
            if gtype.name == "MicrocredentialEdge" and name == "node":
                entries.append((key, "record", attr, (nullable, sub)))  # only its fields decoded
                continue
            entries.append((key, "objects" if is_list else "object", attr, (nullable, sub)))
        else:
            conversion = _leaf(named)
            if conversion is None:
                return None
            entries.append((key, "leaves" if is_list else "leaf", attr, (nullable, conversion)))
    return tuple(entries)


def _record_fields(shape: _Shape) -> frozenset[str]:
    """The record fields a node's projection reads."""
    fields: set[str] = set()
    for _key, kind, attr, _detail in shape:
        if kind == "title":
            fields.update((attr, "titles"))  # resolve_title reads both
        elif kind != "const":
            fields.add(attr)
    return frozenset(fields)


def _view(edge: object, decoder: msgspec.msgpack.Decoder[msgspec.Struct]) -> object:
    """The fields of an edge's record that ``decoder`` decodes (all of it, unpacked)."""
    if isinstance(edge, PackedEdge):
        return unpack_as(edge.packed, decoder)
    return edge.node  # type: ignore[attr-defined]


def _expression(shape: _Shape, source: str, depth: int, namespace: dict[str, object]) -> str:
    """A dict display projecting ``source`` along ``shape``; the decoders it calls go into
    ``namespace``."""
    items: list[str] = []
    for key, kind, attr, detail in shape:
        value = f"{source}.{attr}"
        if kind == "record":
            decoder = f"_decoder{len(namespace)}"
            namespace[decoder] = view_decoder(_record_fields(cast(tuple[bool, _Shape], detail)[1]))
            # inline (``source`` is a plain name): two calls fewer per record of a page
            value = (
                f"(_unpack_as({source}.packed, {decoder}) if {source}.__class__ is _PackedEdge"
                f" else _view({source}, {decoder}))"
            )
            kind = "object"
        if kind == "const":
            code = repr(detail)
        elif kind == "title":
            code = f"_title({source}, _args[{detail}])"
        else:
            nullable, inner = cast(tuple[bool, object], detail)
            var = f"v{depth}"
            if kind == "leaf":
                conversion = cast(str, inner)
                code = conversion.format(var) if conversion else var
            elif kind == "leaves":
                conversion = cast(str, inner)
                item = conversion.format(f"i{depth}") if conversion else f"i{depth}"
                code = f"[{item} for i{depth} in {var}]"
            elif kind == "object":
                code = _expression(cast(_Shape, inner), var, depth + 1, namespace)
            else:
                item = _expression(cast(_Shape, inner), f"i{depth}", depth + 1, namespace)
                code = f"[{item} for i{depth} in {var}]"
            if code == var:
                code = value
            elif nullable:
                code = f"(None if ({var} := {value}) is None else {code})"
            else:
                code = f"(({var} := {value}), {code})[1]" if var in code else code
        items.append(f"{key!r}: {code}")
    return "{" + ", ".join(items) + "}"


def _projector(shape: _Shape) -> Callable[[list[object], list[object]], list[object]]:
    function = _compiled.get(shape)
    if function is None:
        namespace: dict[str, object] = {}
        body = _expression(shape, "i", 0, namespace)
        source = f"def project(items, _args):\n    return [{body} for i in items]\n"
        namespace |= {"_title": resolve_title, "_names": _ENUM_NAMES, "_view": _view}
        namespace |= {"_unpack_as": unpack_as, "_PackedEdge": PackedEdge}
        exec(compile(source, "<graphql fast path>", "exec"), namespace)  # noqa: S102 - our code
        function = cast(Callable[[list[object], list[object]], list[object]], namespace["project"])
        if len(_compiled) < 512:  # distinct selections are few; never grow without bound
            _compiled[shape] = function
    return function


#: (type, ids of the selection's nodes) -> (nodes, shape, literal arguments)
_shapes: OrderedDict[tuple[object, ...], tuple[object, _Shape | None, list[object]]] = OrderedDict()


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core execution with the projected fast path for lists of records."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core gives resolvers helpers that are bound methods of the executor, which
        # holds them: a reference cycle, so the executor and all it collected (fields, values,
        # errors: a page's hundred-odd objects) outlive the request until the cyclic GC runs,
        # and under load that garbage is what makes its collections frequent and long. The
        # same methods bound to a shallow copy (sharing the sets of pending work, which is all
        # they touch) that does not hold them: no cycle, the executor is freed on return.
        twin = copy.copy(self)
        del twin.async_helpers
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=twin.gather_async_work, track=twin.track_async_work
        )

    def _shape_of(
        self, item: GraphQLObjectType, details: FieldDetailsList
    ) -> tuple[_Shape | None, list[object]]:
        """``_shape`` of a selection; remembered when no variable can change it (parsed
        documents are reused, so a repeated query meets the very same nodes)."""
        nodes = tuple(detail.node for detail in details)
        constant = not self.operation.variable_definitions and all(
            detail.fragment_variable_values is None for detail in details
        )
        key = (item.name, *map(id, nodes)) if constant else None
        cached = _shapes.get(key) if key is not None else None
        if key is not None and cached is not None:
            _shapes.move_to_end(key)
            return cached[1], cached[2]
        args: list[object] = []
        shape = _shape(self, item, details, args)
        if key is not None:
            # the entry holds the nodes, so their ids cannot be reused while it lives
            _shapes[key] = (nodes, shape, args)
            if len(_shapes) > 512:
                _shapes.popitem(last=False)
        return shape, args

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A page (count, edges, records, page info) projected in one go, not field by field.
        if return_type.name in _FAST_OBJECTS:
            shape, args = self._shape_of(return_type, field_details_list)
            if shape is not None:
                try:
                    return _projector(shape)([result], args)[0]
                except Exception:  # noqa: S110 - the plain path reports it properly
                    pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        item = get_named_type(return_type.of_type)
        if item.name in _FAST_TYPES and isinstance(result, list) and len(result) > 1:
            shape, args = self._shape_of(cast(GraphQLObjectType, item), field_details_list)
            if shape is not None:
                try:
                    return _projector(shape)(result, args)
                except Exception:  # noqa: S110 - the plain path reports it properly
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )


def build_schema(limits: QueryLimits | None = None, *, fast_path: bool = True) -> strawberry.Schema:
    """The executable schema with limits, error policy and the sources report.

    ``fast_path=False`` executes every field the plain way (what the fast path is tested against).
    """
    limits = limits or QueryLimits()
    tracing = telemetry.graphql_extensions()
    schema = FederatedSchema(
        query=Query,
        execution_context_class=FastExecutionContext if fast_path else None,
        extensions=[
            functools.partial(QueryLimitsExtension, limits=limits),
            functools.partial(ErrorPolicy, limits=limits),
            SourcesExtension,
            *tracing,
        ],
    )
    if fast_path and not tracing:  # tracing wants strawberry's span around each resolver
        _plain_resolvers(schema._schema)
    return schema


def export_sdl(*, federation: bool = False) -> str:
    """The schema in SDL, as ``microcred-hub export-schema [--federation]`` prints it.

    Plain: the API as clients see it. ``federation``: the subgraph SDL a gateway composes
    (``_service { sdl }`` answers the same), with ``@link`` to the federation spec.
    """
    subgraph = print_schema(build_schema()).rstrip("\n") + "\n"
    return subgraph if federation else client_sdl(subgraph)
