"""Measure an operation before it runs: depth, aliases, cost, page sizes and search input.

Arguments are read as the resolvers will see them: variables coerced by the schema (so
``{"f": 500.0}`` is the Int 500), an argument left out or null takes the field's default.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import value_from_ast_untyped

from microcred_hub.index.text import words

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLSchema

    from microcred_hub.config import QueryLimits

#: introspection's linear type chain: not real depth for max_depth (the standard introspection
#: query nests it nine levels), but counted by max_introspection_depth
_TYPE_REFERENCE_CHAIN = "ofType"
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
#: statistics, histogram and sourceOverlap pass over every matching record: priced like a
#: page this long
AGGREGATE_COST = 50
#: a statistics answer's groups are priced as this many (a country x level cross-tab)
GROUPS_COST = 100
_AGGREGATES = frozenset({"statistics", "histogram", "sourceOverlap"})
#: a histogram without bounds is priced like a default page
_DEFAULT_BUCKETS = 20


def limit_error(limit: str, value: int, message: str) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "value": value}
    )


def first_error(first: int, max_first: int) -> str | None:
    """Why a page size is refused, or None when it is within the limit."""
    if first < 0:
        return f"first must be 0 or more, got {first}"
    if first > max_first:
        return f"first {first} exceeds max_first {max_first}; page with after: endCursor"
    return None


def search_error(text: str, limits: QueryLimits) -> GraphQLError | None:
    """A search too long or with too many distinct words (each word costs index work)."""
    if len(text) > limits.max_search_length:
        return limit_error(
            "max_search_length",
            limits.max_search_length,
            f"search has {len(text)} characters, exceeding max_search_length "
            f"{limits.max_search_length}; search with fewer words",
        )
    count = len(search_words(text))
    if count > limits.max_search_words:
        return limit_error(
            "max_search_words",
            limits.max_search_words,
            f"search has {count} distinct words, exceeding max_search_words "
            f"{limits.max_search_words}; search with fewer words",
        )
    return None


def search_words(text: str) -> list[str]:
    """The distinct words of a search, as the index sees them (folded)."""
    return list(dict.fromkeys(words(text)))


@functools.cache
def _first_defaults(schema: GraphQLSchema) -> Mapping[str, int]:
    """Field name -> default of its ``first`` argument, for every paged list in the schema."""
    defaults: dict[str, int] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            argument = field.args.get("first")
            if argument is None:
                continue
            default = argument.default_value
            value = default if isinstance(default, int) else 0
            defaults[name] = max(defaults.get(name, 0), value)
    return defaults


@dataclass(frozen=True, slots=True)
class _Usage:
    depth: int = 0  # ofType not counted
    full_depth: int = 0  # every level counted
    introspection_depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Measure:
    """Depth, aliases and cost of one operation; fragments measured once each."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, object],
        first_defaults: Mapping[str, int],
        limits: QueryLimits,
    ) -> None:
        self._fragments = fragments
        self._variables = variables
        self._first_defaults = first_defaults
        self._limits = limits
        self._memo: dict[str, _Usage] = {}
        self._visiting: set[str] = set()
        self.searched = False
        self.errors: dict[str, GraphQLError] = {}

    def selection_set(self, node: SelectionSetNode | None) -> _Usage:
        if node is None:
            return _Usage()
        depth = full = intro = aliases = cost = 0
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
            full = max(full, usage.full_depth)
            intro = max(intro, usage.introspection_depth)
            aliases += usage.aliases
            cost += usage.cost
        return _Usage(depth, full, intro, aliases, cost)

    def fragment(self, name: str) -> _Usage:
        usage = self._memo.get(name)
        if usage is None:
            definition = self._fragments.get(name)
            if definition is None or name in self._visiting:  # validation reports both
                return _Usage()
            self._visiting.add(name)
            usage = self.selection_set(definition.selection_set)
            self._visiting.discard(name)
            self._memo[name] = usage
        return usage

    def field(self, node: FieldNode) -> _Usage:
        inner = self.selection_set(node.selection_set)
        name = node.name.value
        level = 0 if name == _TYPE_REFERENCE_CHAIN else 1
        full_depth = inner.full_depth + 1
        own = 0 if name == "__typename" else self._own_cost(name) + self._search_cost(node)
        return _Usage(
            depth=inner.depth + level,
            full_depth=full_depth,
            introspection_depth=full_depth
            if name in _INTROSPECTION_ROOTS
            else inner.introspection_depth,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=own + self._multiplier(node) * inner.cost,
        )

    def _argument(self, node: FieldNode, name: str) -> object:
        """The argument's value as the resolver gets it; Undefined when left out."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self._variables)
        return Undefined

    @staticmethod
    def _own_cost(name: str) -> int:
        return AGGREGATE_COST if name in _AGGREGATES else 1

    def _search_cost(self, node: FieldNode) -> int:
        text = self._argument(node, "search")
        if not isinstance(text, str):
            return 0
        error = search_error(text, self._limits)
        if error is not None:
            self.errors.setdefault(error.message, error)
            return 0
        self.searched = True
        return len(search_words(text)) * self._limits.search_word_cost

    def _multiplier(self, node: FieldNode) -> int:
        if node.name.value == "groups":
            # never more than max_groups of them: the resolver refuses a larger answer
            return min(GROUPS_COST, self._limits.max_groups)
        if node.name.value == "histogram":
            bounds = self._argument(node, "bounds")
            return len(bounds) + 1 if isinstance(bounds, list) else _DEFAULT_BUCKETS
        default = self._first_defaults.get(node.name.value)
        if default is None:
            return 1
        value = self._argument(node, "first")
        if value is None or value is Undefined:
            value = default  # null means the default page, as in the resolvers
        if not isinstance(value, int) or isinstance(value, bool):
            return default  # a wrong type fails validation
        message = first_error(value, self._limits.max_first)
        if message is not None:
            error = (
                GraphQLError(message)
                if value < 0
                else limit_error("max_first", self._limits.max_first, message)
            )
            self.errors.setdefault(message, error)
        return max(0, min(value, self._limits.max_first))


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def measure_limits(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
    limits: QueryLimits,
) -> list[GraphQLError]:
    """Errors for every limit the operation goes over (none when within all of them)."""
    operation = _operation(document, operation_name)
    if operation is None:
        return []
    inputs = dict(variables) if isinstance(variables, Mapping) else {}
    coerced = get_variable_values(schema, operation.variable_definitions or (), inputs)
    if isinstance(coerced, list):
        return []  # execution refuses the variables itself, before anything runs
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measure = _Measure(fragments, coerced.coerced, _first_defaults(schema), limits)
    usage = measure.selection_set(operation.selection_set)
    errors = list(measure.errors.values())
    if usage.depth > limits.max_depth:
        errors.append(
            limit_error(
                "max_depth",
                limits.max_depth,
                f"query depth {usage.depth} exceeds max_depth {limits.max_depth}",
            )
        )
    if usage.introspection_depth > limits.max_introspection_depth:
        errors.append(
            limit_error(
                "max_introspection_depth",
                limits.max_introspection_depth,
                f"introspection depth {usage.introspection_depth} exceeds "
                f"max_introspection_depth {limits.max_introspection_depth}",
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
                "once per item of the page it is in); ask for fewer items or fewer fields"
                + (
                    f" (each search word counts {limits.search_word_cost})"
                    if measure.searched
                    else ""
                ),
            )
        )
    return errors
