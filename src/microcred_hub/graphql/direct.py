"""Pages of records answered without graphql-core's executor, for documents that allow it.

graphql-core executes a query field by field on every request: it builds an executor,
collects the root fields, coerces each field's arguments (every field of the filter input
with its default), builds a resolve info, then completes the value. For the common document
(root fields that are all ``microcredentials`` pages) nearly all of it comes out the same
each time. A plan works it out once per parsed document with graphql-core's own functions
(the same field collection, the same argument coercion, the same projection the fast path
compiles); a request then runs only the searches and the projections.

A document that declares variables is planned too when its variables appear nowhere but in
the arguments of its root fields (so no variable can change which fields are selected or how
they are projected): per request, graphql-core's ``get_variable_values`` coerces the
variables and ``get_argument_values`` the arguments that read them, exactly as its executor
would (defaults, omitted and null variables alike), and only then are those pages prepared.

Anything else gets no plan (a variable in a directive or below a root field, fragment
arguments), and a request whose plan fails in any way (invalid variables, a malformed
cursor, a limit) returns None: graphql-core runs it from the start and reports the error as
always.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard, cast

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values, get_variable_values

from microcred_hub.graphql.schema import PREPARE_PAGE, FastExecutionContext, _projector

if TYPE_CHECKING:
    from graphql import (
        FieldNode,
        GraphQLField,
        GraphQLSchema,
        Node,
        OperationDefinitionNode,
        VariableDefinitionNode,
    )
    from graphql.execution.values import VariableValues

    from microcred_hub.graphql.context import QueryContext
    from microcred_hub.graphql.schema import PagePreparer, PreparedPage

#: a root field whose arguments read variables: its page is prepared per request from them
_Late = tuple["GraphQLField", "FieldNode", "PagePreparer"]
#: per root field: response key, its page ready to run (or how to prepare it per request),
#: the projection of its answer and the projection's arguments
_Step = tuple[
    str,
    "PreparedPage | _Late",
    Callable[[list[object], list[object]], list[object]],
    list[object],
]


class Plan(NamedTuple):
    """What answering an operation takes beyond its searches: worked out once."""

    schema: GraphQLSchema
    #: the operation's variable definitions: coerced per request (none: nothing to coerce)
    variables: tuple[VariableDefinitionNode, ...]
    steps: tuple[_Step, ...]


#: id of a parsed document -> (document, operation name, plan or None: no plan)
_plans: OrderedDict[int, tuple[object, str | None, Plan | None]] = OrderedDict()
_MAX_PLANS = 256


def plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operation_name: str | None,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> Plan | None:
    """The plan of ``operation`` of a cached parsed ``document``; None when it has none."""
    found = _plans.get(id(document))
    # the entry holds the document, so its id is not reused while the entry lives
    if found is not None and found[0] is document and found[1] == operation_name:
        _plans.move_to_end(id(document))
        return found[2]
    planned = _plan(schema, document, operation, operation_name, is_awaitable)
    _plans[id(document)] = (document, operation_name, planned)
    if len(_plans) > _MAX_PLANS:
        _plans.popitem(last=False)
    return planned


class _Variables(Visitor):
    """The variable nodes of a part of a document, and the fragments it spreads."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[int] = set()
        self.spread: set[str] = set()

    def enter_variable(self, node: VariableNode, *_args: object) -> None:
        self.found.add(id(node))

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.spread.add(node.name.value)


def _variables_used(document: DocumentNode, operation: OperationDefinitionNode) -> set[int] | None:
    """The ids of the variable nodes the operation reads (its selection, its directives and
    the fragments it spreads, not its definitions); None when a fragment declares variables
    of its own."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walker = _Variables()
    parts: list[Node] = [operation.selection_set, *(operation.directives or ())]
    seen: set[str] = set()
    while parts:
        visit(parts.pop(), walker)
        for name in walker.spread - seen:
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None or fragment.variable_definitions:
                return None
            parts += [fragment.selection_set, *(fragment.directives or ())]
    return walker.found


def _plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operation_name: str | None,
    is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]],
) -> Plan | None:
    root = schema.query_type
    if root is None:
        return None
    definitions = tuple(operation.variable_definitions or ())
    used: set[int] = set()
    if definitions:
        found = _variables_used(document, operation)
        if found is None:
            return None
        used = found
        # Collected and projected without any variable value: the plan is made only when
        # no variable is read anywhere but in the arguments of root fields (checked below).
        # (graphql-core's executor would coerce the variables first, and refuse a required
        # one it is not given.)
        operation = dataclasses.replace(operation, variable_definitions=())
        document = DocumentNode(
            definitions=(
                operation,
                *(d for d in document.definitions if isinstance(d, FragmentDefinitionNode)),
            )
        )
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
    fields: list[tuple[str, GraphQLField, GraphQLObjectType, PagePreparer, bool]] = []
    for key, details in grouped.items():
        field = root.fields.get(details[0].node.name.value)
        prepare = cast("PagePreparer | None", field and field.extensions.get(PREPARE_PAGE))
        if field is None or prepare is None or not isinstance(field.type, GraphQLNonNull):
            return None
        connection = field.type.of_type
        if not isinstance(connection, GraphQLObjectType):
            return None
        if any(detail.fragment_variable_values is not None for detail in details):
            return None
        # the variables of this field's arguments (its every node: merged fields are alike)
        reads = _Variables()
        for detail in details:
            for argument in detail.node.arguments or ():
                visit(argument, reads)
        used -= reads.found
        fields.append((key, field, connection, prepare, bool(reads.found)))
    if used:  # a variable in a directive or below a root field: it may change the selection
        return None
    steps: list[_Step] = []
    for key, field, connection, prepare, late in fields:
        details = grouped[key]
        page: PreparedPage | _Late
        try:
            if late:
                page = (field, details[0].node, prepare)
            else:
                page = prepare(get_argument_values(field, details[0].node))
            shape, projected_args = executor._shape_of(connection, details)
        except Exception:
            return None
        if shape is None:
            return None
        steps.append((key, page, _projector(shape), projected_args))
    return Plan(schema, definitions, tuple(steps))


async def run(
    planned: Plan, variables: dict[str, Any] | None, context: QueryContext
) -> dict[str, Any] | None:
    """The ``data`` of the answer, as graphql-core would give it; None on any error."""
    data: dict[str, Any] = {}
    try:
        values: VariableValues | None = None
        if planned.variables:
            coerced = get_variable_values(planned.schema, planned.variables, variables or {})
            if isinstance(coerced, list):  # (coercion errors: graphql-core reports them)
                return None
            values = coerced
        for key, page, project, args in planned.steps:
            if isinstance(page, tuple):
                field, node, prepare = page
                page = prepare(get_argument_values(field, node, values))
            data[key] = project([await page(context)], args)[0]
    except Exception:
        return None
    return data
