"""The GraphQL object types carry exactly the record's fields: a field added to the record (or
to the schema) without its twin fails here, not in a client."""

from __future__ import annotations

import types
import typing

import msgspec
import pytest
from strawberry.types.base import StrawberryOptional, get_object_definition

from microcred_hub.graphql.types import (
    CompletenessType,
    FieldOfStudyType,
    IdentifierType,
    LangStringType,
    LevelType,
    MicrocredentialType,
    OrganisationType,
    ProvenanceType,
    QualityAssuranceType,
    SkillType,
    WorkloadType,
)
from microcred_hub.record import (
    Completeness,
    FieldOfStudy,
    Identifier,
    LangString,
    Level,
    Microcredential,
    Organisation,
    Provenance,
    QualityAssurance,
    Skill,
    Workload,
)

#: fields computed over the records (a view), not stored in them
VIEWS: dict[type, set[str]] = {MicrocredentialType: {"same_as", "group_id"}}

PAIRS: list[tuple[type[msgspec.Struct], type]] = [
    (Microcredential, MicrocredentialType),
    (LangString, LangStringType),
    (Organisation, OrganisationType),
    (Workload, WorkloadType),
    (Level, LevelType),
    (QualityAssurance, QualityAssuranceType),
    (FieldOfStudy, FieldOfStudyType),
    (Skill, SkillType),
    (Completeness, CompletenessType),
    (Provenance, ProvenanceType),
    (Identifier, IdentifierType),
]


def _nullable_in_record(struct: type[msgspec.Struct]) -> set[str]:
    hints = typing.get_type_hints(struct)
    return {
        name
        for name in struct.__struct_fields__
        if isinstance(hints[name], types.UnionType) and type(None) in typing.get_args(hints[name])
    }


@pytest.mark.parametrize(("struct", "graphql_type"), PAIRS, ids=lambda p: p.__name__)
def test_graphql_type_has_exactly_the_record_fields(
    struct: type[msgspec.Struct], graphql_type: type
) -> None:
    definition = get_object_definition(graphql_type, strict=True)
    served = {field.python_name for field in definition.fields}
    assert served - VIEWS.get(graphql_type, set()) == set(struct.__struct_fields__)


@pytest.mark.parametrize(("struct", "graphql_type"), PAIRS, ids=lambda p: p.__name__)
def test_graphql_fields_are_nullable_exactly_where_the_record_may_be_empty(
    struct: type[msgspec.Struct], graphql_type: type
) -> None:
    definition = get_object_definition(graphql_type, strict=True)
    nullable = {f.python_name for f in definition.fields if isinstance(f.type, StrawberryOptional)}
    assert nullable == _nullable_in_record(struct)
