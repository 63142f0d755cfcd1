"""Deterministic synthetic micro-credentials at any size, for benchmarks and scale tests.

``generate(n, seed)`` yields the same ``n`` canonical records for the same seed on every run
and machine: records of every built-in source format (NZQA-like, edubadges, ELM, CTDL, Open
Badges) with their quirks (NZQCF 8 without EQF, NZ credits / ECTS / hours / unit-less credits,
bilingual titles with macrons and diacritics, withdrawn listings, missing elements so that
completeness varies), awarding bodies drawn from a few thousand providers.
"""

from __future__ import annotations

import gc
import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from microcred_hub.generate._sources import BUILDERS, PROVIDERS, Fields
from microcred_hub.generate.feeds import edubadges_badge, nzqa_item
from microcred_hub.record import (
    COMPLETENESS_ELEMENTS,
    Completeness,
    Microcredential,
    Provenance,
    RecordDraft,
    Status,
)

__all__ = [
    "PROVIDER_COUNT",
    "SOURCES",
    "edubadges_badge",
    "generate",
    "generate_list",
    "nzqa_item",
]

SOURCES: tuple[str, ...] = tuple(BUILDERS)
PROVIDER_COUNT = len(PROVIDERS)
FETCHED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
_DRAFT_FIELDS = RecordDraft.__struct_fields__
_ELEMENT_FIELDS = (
    ("title", "title"),
    ("issuerCountry", "issuer_country"),
    ("awardingBodies", "awarding_bodies"),
    ("learningOutcomes", "learning_outcomes"),
    ("workload", "workload"),
    ("level", "level"),
    ("assessmentTypes", "assessment_types"),
    ("participationForms", "participation_forms"),
    ("qualityAssurance", "quality_assurance"),
)
assert tuple(name for name, _ in _ELEMENT_FIELDS) == COMPLETENESS_ELEMENTS


def _completeness(fields: Fields) -> Completeness:
    """``completeness_of`` on the fields before the record exists (one struct, not two)."""
    missing = tuple(name for name, attr in _ELEMENT_FIELDS if not fields.get(attr))
    total = len(_ELEMENT_FIELDS)
    return Completeness(score=round((total - len(missing)) / total, 4), missing=missing)


def _source_table(rng: random.Random) -> list[str]:
    """A shuffled table of source keys in their catalogue shares (draw = one lookup)."""
    table = [key for key, (_, _, share) in BUILDERS.items() for _ in range(round(share * 100))]
    rng.shuffle(table)
    return table


def generate(n: int, seed: int = 0) -> Iterator[Microcredential]:
    """``n`` realistic canonical records, the same ones for the same ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    r = rng.random
    table = _source_table(rng)
    counters = dict.fromkeys(BUILDERS, 0)
    for _ in range(n):
        source = table[int(r() * len(table))]
        build, connector, _share = BUILDERS[source]
        number = counters[source]
        counters[source] = number + 1
        fields = build(r, number)
        local_id = fields["local_id"]
        if fields["status"] is Status.WITHDRAWN and r() < 0.5:
            # Vanished from its register: the hub keeps it, marked (never silently dropped).
            fields["withdrawn_at"] = FETCHED_AT - timedelta(days=int(r() * 300))
        digest = hashlib.sha256(f"{seed}/{source}/{local_id}".encode()).hexdigest()
        yield Microcredential(
            id=f"{source}:{local_id}",
            source=source,
            completeness=_completeness(fields),
            provenance=Provenance(
                source=source,
                connector=connector,
                connector_version="1.0.0",
                fetched_at=FETCHED_AT,
                # What the register said is synthetic: a stable digest of the identity stands
                # in for the content hash (hashing every encoded record would triple the time).
                content_hash=f"sha256:{digest}",
                source_url=f"https://register.example/{source}/feed",
            ),
            **fields,
        )


def generate_list(n: int, seed: int = 0) -> list[Microcredential]:
    """``list(generate(n, seed))``: what benchmarks and scale tests build an index from."""
    # Millions of new long-lived objects make the cyclic GC rescan the growing heap again
    # and again (a third of the time at 1 M); none of them can be garbage yet.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(generate(n, seed))
    finally:
        if enabled:
            gc.enable()
