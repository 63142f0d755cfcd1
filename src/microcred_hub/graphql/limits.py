"""Query limits (depth, aliases, tokens, cost, page size) and the error policy.

Every refusal names the limit and its configured value, so a client knows what to change.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from microcred_hub.config import QueryLimits
from microcred_hub.graphql.cost import first_error, limit_error, measure_limits
from microcred_hub.index import QueryError

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema
    from graphql.validation import ASTValidationRule


DEFAULT_FIRST = 20
#: what strawberry validates with by default (``ExecutionContext.validation_rules``)
_SPECIFIED_RULES: tuple[type[ASTValidationRule], ...] = tuple(specified_rules)


def check_first(first: int, limits: QueryLimits) -> None:
    """``first`` beyond max_first is an error, never a silent cut."""
    message = first_error(first, limits.max_first)
    if message is not None:
        raise QueryError(message)


_VALIDATED: OrderedDict[
    tuple[int, tuple[type[ASTValidationRule], ...], bytes], list[GraphQLError]
] = OrderedDict()
_VALIDATED_MAX = 1024
#: larger documents are validated every time: remembering them would cost more than it saves
_VALIDATED_MAX_CHARS = 16 * 1024


def _validated(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    query: str | None,
) -> list[GraphQLError]:
    """Validation depends only on the document text and the rules: dashboards repeat the same
    few queries, so remember the verdict (validation is most of a small query's cost), under
    the text's hash so the memo stays small whatever clients send."""
    if query is None or len(query) > _VALIDATED_MAX_CHARS:
        return list(validate_document(schema, document, rules))
    key = (id(schema), rules, hashlib.sha256(query.encode("utf-8", "surrogatepass")).digest())
    errors = _VALIDATED.get(key)
    if errors is None:
        errors = list(validate_document(schema, document, rules))
        _VALIDATED[key] = errors
        if len(_VALIDATED) > _VALIDATED_MAX:
            _VALIDATED.popitem(last=False)
    else:
        _VALIDATED.move_to_end(key)
    return list(errors)


_PARSED: OrderedDict[tuple[int, str], DocumentNode] = OrderedDict()


def _parsed(query: str, max_tokens: int) -> DocumentNode | None:
    """The document of a query text seen before (or now parsed and remembered); None when
    it does not parse, so strawberry parses it again and reports the error as it does."""
    key = (max_tokens, query)
    document = _PARSED.get(key)
    if document is None:
        try:
            document = parse(query, max_tokens=max_tokens)
        except GraphQLError:
            return None
        _PARSED[key] = document
        if len(_PARSED) > _VALIDATED_MAX:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return document


class QueryLimitsExtension(SchemaExtension):
    """Validates the document itself, then measures it against the limits."""

    def __init__(self, *, limits: QueryLimits) -> None:
        self.limits = limits

    def on_operation(self) -> Iterator[None]:
        # max_tokens also counts comments, so a query cannot hide bulk in them.
        self.execution_context.parse_options["max_tokens"] = self.limits.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        # Parsing is a third of a small query's cost and dashboards send the same few texts:
        # documents are read-only to execution, so one parse serves every request.
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query and len(query) <= _VALIDATED_MAX_CHARS:
            context.graphql_document = _parsed(query, self.limits.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            # Strawberry skips its own validation when errors (even none) are already set.
            context.pre_execution_errors = check_document(
                context.schema._schema,
                document,
                tuple(context.validation_rules),
                context.query,
                context.operation_name,
                context.variables,
                self.limits,
            )
        yield


def check_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: QueryLimits,
) -> list[GraphQLError]:
    """Validation errors, else what the document breaks of the limits: [] when it may run."""
    if not limits.introspection:
        rules = (*rules, NoSchemaIntrospectionCustomRule)
    errors = _validated(schema, document, rules, query)
    if not errors:
        errors = _measured(schema, document, query, operation_name, variables, limits)
    return errors


_MEASURED: OrderedDict[tuple[int, str, str | None, bytes, QueryLimits], list[GraphQLError]] = (
    OrderedDict()
)
_MEASURED_MAX_VARIABLES = 1024  # bytes of JSON: beyond that, measure every time
_encode = msgspec.json.Encoder(order="sorted").encode


def _measured(
    schema: GraphQLSchema,
    document: DocumentNode,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: QueryLimits,
) -> list[GraphQLError]:
    """``measure_limits``, remembered: the verdict depends only on the text, the operation,
    the values of the variables it declares and the limits (a dashboard's repeated query
    measures once)."""
    if query is None or len(query) > _VALIDATED_MAX_CHARS:
        return measure_limits(schema, document, operation_name, variables, limits)
    declared = [
        variable.variable.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for variable in definition.variable_definitions or ()
    ]
    given = variables or {}
    try:  # [given?, value] per declared variable: an omitted one differs from any value
        values = _encode([[name in given, given.get(name)] for name in declared])
    except (TypeError, msgspec.EncodeError):
        values = b""
    if not values or len(values) > _MEASURED_MAX_VARIABLES:
        return measure_limits(schema, document, operation_name, variables, limits)
    key = (id(schema), query, operation_name, values, limits)
    errors = _MEASURED.get(key)
    if errors is None:
        errors = measure_limits(schema, document, operation_name, variables, limits)
        _MEASURED[key] = errors
        if len(_MEASURED) > _VALIDATED_MAX:
            _MEASURED.popitem(last=False)
    else:
        _MEASURED.move_to_end(key)
    return list(errors)


def ready_document(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    limits: QueryLimits,
) -> DocumentNode | None:
    """The parsed document when the query parses, validates and keeps within the limits with
    these variables (every check the full path makes before executing); else None."""
    if len(query) > _VALIDATED_MAX_CHARS:
        return None
    document = _parsed(query, limits.max_tokens)
    if document is None:
        return None
    errors = check_document(
        schema, document, _SPECIFIED_RULES, query, operation_name, variables, limits
    )
    return None if errors else document


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
