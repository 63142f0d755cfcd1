"""Query limits (depth, aliases, tokens, cost, page size) and the error policy.

Every refusal names the limit and its configured value, so a client knows what to change.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from microcred_hub.config import QueryLimits
from microcred_hub.index import QueryError

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema
    from graphql.validation import ASTValidationRule


DEFAULT_FIRST = 20
#: Fields whose ``first`` argument multiplies the cost of what they select.
_TYPE_REFERENCE_CHAIN = "ofType"  # introspection's linear type chain: not real depth


def limit_error(limit: str, value: int, message: str) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "value": value}
    )


def check_first(first: int, limits: QueryLimits) -> None:
    """``first`` beyond max_first is an error, never a silent cut."""
    if first < 0:
        raise QueryError(f"first must be 0 or more, got {first}")
    if first > limits.max_first:
        raise QueryError(
            f"first {first} exceeds max_first {limits.max_first}; page with after: endCursor"
        )


@dataclass(frozen=True, slots=True)
class _Usage:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Measure:
    """Depth, aliases and cost of one operation; fragments measured once each."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
        defaults: Mapping[str, object],
        max_first: int,
    ) -> None:
        self._fragments = fragments
        self._variables = variables
        self._defaults = defaults
        self._max_first = max_first
        self._memo: dict[str, _Usage] = {}

    def selection_set(self, node: SelectionSetNode | None) -> _Usage:
        if node is None:
            return _Usage()
        depth = aliases = cost = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                usage = self.field(selection)
            elif isinstance(selection, InlineFragmentNode):
                usage = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                usage = self.fragment(selection.name.value)
            else:  # pragma: no cover - no other selection kinds exist
                continue
            depth = max(depth, usage.depth)
            aliases += usage.aliases
            cost += usage.cost
        return _Usage(depth, aliases, cost)

    def fragment(self, name: str) -> _Usage:
        usage = self._memo.get(name)
        if usage is None:
            definition = self._fragments.get(name)
            usage = _Usage() if definition is None else self.selection_set(definition.selection_set)
            self._memo[name] = usage
        return usage

    def field(self, node: FieldNode) -> _Usage:
        inner = self.selection_set(node.selection_set)
        name = node.name.value
        level = 0 if name == _TYPE_REFERENCE_CHAIN else 1
        own = 0 if name == "__typename" else 1
        return _Usage(
            depth=inner.depth + level,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=own + self._multiplier(node) * inner.cost,
        )

    def _multiplier(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value: object = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                variable = argument.value.name.value
                value = self._variables.get(variable, self._defaults.get(variable))
            if isinstance(value, int) and not isinstance(value, bool):
                # Beyond max_first the resolver refuses anyway, with a clearer message.
                return max(0, min(value, self._max_first))
            return DEFAULT_FIRST
        return DEFAULT_FIRST if node.name.value in ("microcredentials", "providers") else 1


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def measure_limits(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
    limits: QueryLimits,
) -> list[GraphQLError]:
    """Errors for every limit the operation goes over (none when within all of them)."""
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    usage = _Measure(fragments, variables or {}, defaults, limits.max_first).selection_set(
        operation.selection_set
    )
    errors = []
    if usage.depth > limits.max_depth:
        errors.append(
            limit_error(
                "max_depth",
                limits.max_depth,
                f"query depth {usage.depth} exceeds max_depth {limits.max_depth}",
            )
        )
    if usage.aliases > limits.max_aliases:
        errors.append(
            limit_error(
                "max_aliases",
                limits.max_aliases,
                f"query uses {usage.aliases} aliases, exceeding max_aliases {limits.max_aliases}",
            )
        )
    if usage.cost > limits.max_cost:
        errors.append(
            limit_error(
                "max_cost",
                limits.max_cost,
                f"query cost {usage.cost} exceeds max_cost {limits.max_cost} (each field counts "
                "once per item of the page it is in); ask for fewer items or fewer fields",
            )
        )
    return errors


_VALIDATED: OrderedDict[
    tuple[int, tuple[type[ASTValidationRule], ...], str], list[GraphQLError]
] = OrderedDict()
_VALIDATED_MAX = 1024


def _validated(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    query: str | None,
) -> list[GraphQLError]:
    """Validation depends only on the document text and the rules: dashboards repeat the same
    few queries, so remember the verdict (validation is most of a small query's cost)."""
    if query is None:
        return list(validate_document(schema, document, rules))
    key = (id(schema), rules, query)
    errors = _VALIDATED.get(key)
    if errors is None:
        errors = list(validate_document(schema, document, rules))
        _VALIDATED[key] = errors
        if len(_VALIDATED) > _VALIDATED_MAX:
            _VALIDATED.popitem(last=False)
    else:
        _VALIDATED.move_to_end(key)
    return list(errors)


class QueryLimitsExtension(SchemaExtension):
    """Validates the document itself, then measures it against the limits."""

    def __init__(self, *, limits: QueryLimits) -> None:
        self.limits = limits

    def on_operation(self) -> Iterator[None]:
        # max_tokens also counts comments, so a query cannot hide bulk in them.
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            rules: tuple[type[ASTValidationRule], ...] = tuple(context.validation_rules)
            if not self.limits.introspection:
                rules = (*rules, NoSchemaIntrospectionCustomRule)
            errors = _validated(context.schema._schema, document, rules, context.query)
            if not errors:
                errors = measure_limits(
                    document, context.operation_name, context.variables, self.limits
                )
            # Strawberry skips its own validation when errors (even none) are already set.
            context.pre_execution_errors = errors
        yield


_TOKENS = re.compile(r"Document contains more than (\d+) tokens")
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
MASKED_MESSAGE = "Unexpected error; it has been logged."
_log = logging.getLogger("microcred_hub.graphql")


def _user_facing(error: GraphQLError) -> bool:
    original = error.original_error
    # Errors without a path come from parsing, validation or variable coercion: all about
    # the query. Resolver errors are shown only when we raised them for the user on purpose.
    return original is None or error.path is None or isinstance(original, QueryError)


class ErrorPolicy(SchemaExtension):
    """Masks unexpected errors, names the token limit, hides suggestions when configured."""

    def __init__(self, *, limits: QueryLimits) -> None:
        self.limits = limits

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self._rewrite(error) for error in errors]  # type: ignore[union-attr]

    def _rewrite(self, error: GraphQLError) -> GraphQLError:
        if not _user_facing(error):
            # only these are logged (strawberry's own logger is silenced in logs.py, since it
            # would log every client mistake at ERROR with its whole query: a flood vector)
            _log.error(
                "unexpected error at %s: %s",
                error.path,
                error.message,
                exc_info=error.original_error,
            )
            return GraphQLError(MASKED_MESSAGE, nodes=error.nodes, path=error.path)
        message = error.message
        if _TOKENS.search(message):
            limit = self.limits.max_tokens
            return limit_error(
                "max_tokens",
                limit,
                f"query has more than {limit} tokens, exceeding max_tokens {limit}",
            )
        if not self.limits.suggestions:
            message = _SUGGESTION.sub("", message)
        if message == error.message:
            return error
        return GraphQLError(
            message,
            nodes=error.nodes,
            path=error.path,
            original_error=error.original_error,
            extensions=error.extensions,
        )
