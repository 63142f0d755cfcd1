"""The schema as an Apollo Federation v2 subgraph: ``Microcredential`` is an entity keyed by id.

strawberry's federation schema adds ``_service`` and ``_entities``; its entity resolver resolves
one representation at a time and turns an unknown key into an error. Ours answers a batch of
representations in one pass over the index and gives null for an id we do not hold, as the
Federation specification asks (another subgraph may refer to records that were withdrawn from
every register long ago).
"""

# No `from __future__ import annotations`: strawberry reads the resolver's annotations at run time.
from typing import Any, cast

from graphql import (
    DefinitionNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    parse,
)
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema import Schema as StrawberryFederationSchema
from strawberry.types.info import Info

from microcred_hub.index import QueryError

#: the entity types we resolve, by __typename
ENTITY_TYPES = frozenset({"Microcredential"})


class FederatedSchema(StrawberryFederationSchema):
    """strawberry's federation schema with a batched, null-for-unknown ``_entities``."""

    def entities_resolver(
        self, info: Info[Any, Any], representations: list[FederationAny]
    ) -> list[FederationAny]:
        index = info.context.index
        results: list[object] = []
        for position, representation in enumerate(representations):
            if not isinstance(representation, dict):  # _Any is any JSON value
                results.append(QueryError(f"representation {position} is not an object"))
                continue
            type_name = representation.get("__typename")
            key = representation.get("id")
            if type_name not in ENTITY_TYPES:
                results.append(
                    QueryError(
                        f"representation {position}: __typename {type_name!r} is not an entity"
                        f" of this subgraph ({', '.join(sorted(ENTITY_TYPES))})"
                    )
                )
            elif not isinstance(key, str):
                results.append(QueryError(f'representation {position}: "id" must be a string'))
            else:
                results.append(index.get(key))
        return cast(list[FederationAny], results)


#: what federation adds to the schema, left out of the SDL clients read (``schema.graphql``)
_PLUMBING_TYPES = frozenset({"_Any", "_Entity", "_Service"})
_PLUMBING_FIELDS = frozenset({"_entities", "_service"})


def client_sdl(subgraph_sdl: str) -> str:
    """The subgraph SDL without federation's plumbing: the API as a client uses it.

    Cut by the parsed document's locations, so the text that stays is byte for byte what
    strawberry printed (descriptions, order, defaults).
    """
    document = parse(subgraph_sdl)
    cuts: list[tuple[int, int]] = []
    for definition in document.definitions:
        if _is_plumbing(definition):
            cuts.append(_span(definition))
        elif isinstance(definition, ObjectTypeDefinitionNode):
            cuts.extend(_span(d, lead=" ") for d in definition.directives or ())
            cuts.extend(
                _line_span(subgraph_sdl, f)
                for f in definition.fields or ()
                if f.name.value in _PLUMBING_FIELDS
            )
    text = subgraph_sdl
    for start, end in sorted(cuts, reverse=True):
        text = text[:start] + text[end:]
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.replace("{\n\n", "{\n").replace("\n\n}", "\n}").strip("\n") + "\n"


def _is_plumbing(definition: DefinitionNode) -> bool:
    if isinstance(definition, SchemaDefinitionNode):
        return True
    name = getattr(definition, "name", None)
    return name is not None and name.value in _PLUMBING_TYPES


def _line_span(text: str, node: object) -> tuple[int, int]:
    """The whole lines a node stands on, indentation and line end included."""
    start, end = _span(node)
    return text.rfind("\n", 0, start) + 1, text.index("\n", end) + 1


def _span(node: object, *, lead: str = "") -> tuple[int, int]:
    loc = node.loc  # type: ignore[attr-defined]
    assert loc is not None
    start: int = loc.start - len(lead)
    end: int = loc.end
    return start, end
