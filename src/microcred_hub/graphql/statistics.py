"""GraphQL types of the dashboards' statistics: grouped counts, summaries, histograms.

Resolvers hand over the index's own result structs (``index.statistics``), whose attribute
names match these types, as the record types do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from microcred_hub.dimensions import DIMENSIONS, NUMERIC_FIELDS

Selection = SelectedField | FragmentSpread | InlineFragment


@strawberry.enum(
    description="What statistics group by. Keys are the facet values: country codes, EQF "
    'levels as "4", enum names, "true"/"false", years as "2025", UTC months as "2026-03".'
)
class Dimension(enum.Enum):
    SOURCE = "SOURCE"
    ISSUER_COUNTRY = "ISSUER_COUNTRY"
    EQF_LEVEL = "EQF_LEVEL"
    CREDENTIAL_TYPE = "CREDENTIAL_TYPE"
    PARTICIPATION_FORM = "PARTICIPATION_FORM"
    ASSESSMENT_TYPE = "ASSESSMENT_TYPE"
    LANGUAGE = "LANGUAGE"
    STATUS = "STATUS"
    STACKABILITY = "STACKABILITY"
    QUALITY_ASSURED = "QUALITY_ASSURED"
    FRAMEWORK_LISTED = "FRAMEWORK_LISTED"
    VALID_FROM_YEAR = "VALID_FROM_YEAR"
    UPDATED_MONTH = "UPDATED_MONTH"


@strawberry.enum(
    description="A number of a record: workload hours, ECTS credits, completeness score (0-1)."
)
class NumericField(enum.Enum):
    HOURS = "HOURS"
    ECTS = "ECTS"
    COMPLETENESS = "COMPLETENESS"


# the index knows every one of them (a test pins it too)
assert {d.value for d in Dimension} == set(DIMENSIONS)
assert {f.value for f in NumericField} == set(NUMERIC_FIELDS)


@strawberry.type
class Summary:
    """Over the records that have the value (``count`` of them); all null when none has.

    Quartiles as PostgreSQL's ``percentile_cont``: linear between the closest ranks.
    """

    count: int
    min: float | None
    max: float | None
    mean: float | None
    p25: float | None
    median: float | None
    p75: float | None


@strawberry.type
class StatisticsGroup:
    keys: list[str | None] = strawberry.field(
        description="One per groupBy dimension, in its order; null = the record has no value."
    )
    count: int
    hours: Summary
    ects: Summary
    completeness: Summary
    quality_assured: int = strawberry.field(
        description="Records of the group whose qualityAssurance is not null."
    )
    stackable: int = strawberry.field(
        description="Records of the group with stackability STACKABLE."
    )


@strawberry.type
class Statistics:
    count: int = strawberry.field(description="Matching records, each counted once.")
    groups: list[StatisticsGroup] = strawberry.field(
        description="Count descending, then keys ascending (null last); empty groups left out."
    )


@strawberry.type
class HistogramBucket:
    from_: float | None = strawberry.field(name="from", description="Null: open below.")
    to: float | None = strawberry.field(description="Null: open above.")
    count: int


@strawberry.type(
    description="Offers two sources share: duplicate groups with a matching record in each. "
    "Hub extension."
)
class SourceOverlap:
    sources: list[str] = strawberry.field(description="Two source keys, in code-point order.")
    offers: int = strawberry.field(
        description="Duplicate groups with a matching record in both sources."
    )


#: Summary fields of a group -> the index column each reads
_SUMMARIES = {"hours": "hours", "ects": "ects", "completeness": "completeness"}


def wanted_summaries(selections: Sequence[Selection]) -> set[str]:
    """The columns a ``statistics`` selection reads: groups' summaries not asked for are not
    computed (a count-only cross-tab gathers no numbers)."""
    found: set[str] = set()

    def walk(nodes: Sequence[Selection]) -> None:
        for node in nodes:
            if isinstance(node, SelectedField) and node.name in _SUMMARIES:
                found.add(_SUMMARIES[node.name])
            walk(node.selections)

    for selection in selections:  # the statistics field itself
        walk(selection.selections)
    return found
