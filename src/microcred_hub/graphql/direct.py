"""Pages of records answered without graphql-core's executor, for documents that allow it.

graphql-core executes a query field by field on every request: it builds an executor,
collects the root fields, coerces each field's arguments (every field of the filter input
with its default), builds a resolve info, then completes the value. For the common document
(root fields that are all ``microcredentials`` pages, with no variable definitions, so
nothing of that can change between requests) all of it comes out the same each time. A plan
works it out once per parsed document with graphql-core's own functions (the same field
collection, the same argument coercion, the same projection the fast path compiles); a
request then runs only the searches and the projections.

Anything else gets no plan, and a request whose plan fails in any way (a malformed cursor, a
limit) returns None: graphql-core runs it from the start and reports the error as always.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from graphql import GraphQLError, GraphQLNonNull, GraphQLObjectType
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values

from microcred_hub.graphql.schema import PREPARE_PAGE, FastExecutionContext, _projector

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

    from microcred_hub.graphql.context import QueryContext
    from microcred_hub.graphql.schema import PagePreparer, PreparedPage

#: per root field: response key, its page ready to run, the projection of its answer
_Step = tuple[
    str, "PreparedPage", Callable[[list[object], list[object]], list[object]], list[object]
]
#: id of a parsed document -> (document, operation name, steps or None: no plan)
_plans: OrderedDict[int, tuple[object, str | None, tuple[_Step, ...] | None]] = OrderedDict()
_MAX_PLANS = 256


def plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operation_name: str | None,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> tuple[_Step, ...] | None:
    """The steps of ``operation`` of a cached parsed ``document``; None when it has none."""
    found = _plans.get(id(document))
    # the entry holds the document, so its id is not reused while the entry lives
    if found is not None and found[0] is document and found[1] == operation_name:
        _plans.move_to_end(id(document))
        return found[2]
    steps = _steps(schema, document, operation, operation_name, is_awaitable)
    _plans[id(document)] = (document, operation_name, steps)
    if len(_plans) > _MAX_PLANS:
        _plans.popitem(last=False)
    return steps


def _steps(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operation_name: str | None,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> tuple[_Step, ...] | None:
    root = schema.query_type
    if operation.variable_definitions or root is None:
        return None
    executor = FastExecutionContext.build(
        schema, document, operation_name=operation_name, is_awaitable=is_awaitable
    )
    if not isinstance(executor, FastExecutionContext):
        return None  # (errors: the executor reports them)
    try:
        grouped, defers, forbidden = collect_fields(
            schema, executor.fragments, executor.variable_values, root, operation
        )
    except (GraphQLError, RecursionError):
        return None
    if defers or forbidden:
        return None
    steps: list[_Step] = []
    for key, details in grouped.items():
        field = root.fields.get(details[0].node.name.value)
        prepare = cast("PagePreparer | None", field and field.extensions.get(PREPARE_PAGE))
        if field is None or prepare is None or not isinstance(field.type, GraphQLNonNull):
            return None
        connection = field.type.of_type
        if not isinstance(connection, GraphQLObjectType):
            return None
        try:
            args = get_argument_values(
                field,
                details[0].node,
                executor.variable_values,
                details[0].fragment_variable_values,
            )
            page = prepare(args)
        except Exception:
            return None
        shape, projected_args = executor._shape_of(connection, details)
        if shape is None:
            return None
        steps.append((key, page, _projector(shape), projected_args))
    return tuple(steps)


async def run(steps: tuple[_Step, ...], context: QueryContext) -> dict[str, Any] | None:
    """The ``data`` of the answer, as graphql-core would give it; None on any error."""
    data: dict[str, Any] = {}
    try:
        for key, page, project, args in steps:
            data[key] = project([await page(context)], args)[0]
    except Exception:
        return None
    return data
