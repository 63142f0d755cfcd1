"""The synthetic catalogue: deterministic, valid canonical records, realistic distributions."""

from __future__ import annotations

from collections import Counter

import msgspec
import pytest

from microcred_hub.generate import (
    PROVIDER_COUNT,
    SOURCES,
    edubadges_badge,
    generate,
    generate_list,
    nzqa_item,
)
from microcred_hub.record import (
    Microcredential,
    Status,
    completeness_of,
    record_decoder,
    record_encoder,
)

N = 4000


@pytest.fixture(scope="module")
def records() -> list[Microcredential]:
    return generate_list(N, seed=3)


def test_same_seed_gives_the_same_records() -> None:
    assert generate_list(300, seed=11) == generate_list(300, seed=11)


def test_another_seed_gives_other_records() -> None:
    assert [r.id for r in generate(50, seed=1)] != [r.id for r in generate(50, seed=2)]


def test_a_prefix_of_a_larger_run_is_the_smaller_run() -> None:
    assert generate_list(100, seed=5) == generate_list(200, seed=5)[:100]


def test_records_round_trip_through_json(records: list[Microcredential]) -> None:
    for record in records:
        assert record_decoder.decode(record_encoder.encode(record)) == record


def test_records_validate_against_the_record_type(records: list[Microcredential]) -> None:
    raw = msgspec.json.encode([msgspec.to_builtins(r) for r in records[:500]])
    assert msgspec.json.decode(raw, type=list[Microcredential]) == records[:500]


def test_ids_are_unique_and_prefixed_by_source(records: list[Microcredential]) -> None:
    assert len({r.id for r in records}) == len(records)
    assert all(r.id == f"{r.source}:{r.local_id}" for r in records)


def test_completeness_is_what_the_hub_computes(records: list[Microcredential]) -> None:
    assert all(r.completeness == completeness_of(r) for r in records)
    assert len({r.completeness.score for r in records}) >= 4  # completeness varies


def test_every_source_format_is_present(records: list[Microcredential]) -> None:
    shares = Counter(r.source for r in records)
    assert set(shares) == set(SOURCES)
    assert shares["nzqa"] / N == pytest.approx(0.25, abs=0.05)


def test_nzqcf_level_8_has_no_eqf_level(records: list[Microcredential]) -> None:
    eights = [r for r in records if r.level and r.level.framework_level == "8"]
    assert eights
    assert all(r.level is not None and r.level.eqf is None for r in eights)


def test_workloads_come_in_every_unit(records: list[Microcredential]) -> None:
    units = Counter(r.workload.original_unit for r in records if r.workload)
    assert {"NZ credits", "ECTS", "ISO 8601 duration", "credits", "semester hours"} <= set(units)
    nz = next(
        r.workload for r in records if r.workload and r.workload.original_unit == "NZ credits"
    )
    assert nz.hours == float(nz.original_value) * 10 and nz.ects == float(nz.original_value) / 2


def test_many_languages_with_diacritics_and_macrons(records: list[Microcredential]) -> None:
    languages = Counter(t.lang for r in records for t in r.titles)
    assert {"en", "nl", "de", "fr", "es", "mi"} <= set(languages)
    assert any("ā" in r.title or "ū" in r.title for r in records)
    assert any(c in r.title for r in records for c in "éèçàäöüß")


def test_withdrawn_records_and_a_long_tail_of_providers(records: list[Microcredential]) -> None:
    assert any(r.status is Status.WITHDRAWN and r.withdrawn_at for r in records)
    providers = {b.name for r in records for b in r.awarding_bodies}
    assert PROVIDER_COUNT >= 2000
    assert len(providers) > 500


def test_skills_and_missing_elements(records: list[Microcredential]) -> None:
    assert sum(bool(r.skills) for r in records) > N / 4
    missing = Counter(m for r in records for m in r.completeness.missing)
    assert {"learningOutcomes", "level", "assessmentTypes", "qualityAssurance"} <= set(missing)


def test_records_render_to_feed_items_the_connectors_read(records: list[Microcredential]) -> None:
    from microcred_hub.sdk import RawRecord
    from microcred_hub_connectors.edubadges import EdubadgesConnector
    from microcred_hub_connectors.nzqa import NzqaConnector

    nzqa = next(r for r in records if r.source == "nzqa")
    draft = NzqaConnector().normalise(RawRecord(data=nzqa_item(nzqa)))
    assert (draft.local_id, draft.title, draft.workload) == (
        nzqa.local_id,
        nzqa.title,
        nzqa.workload,
    )
    badge = next(r for r in records if r.source == "edubadges" and r.level and r.level.eqf)
    draft = EdubadgesConnector().normalise(RawRecord(data=edubadges_badge(badge)))
    assert draft.title == badge.title
    assert draft.level is not None and draft.level.eqf == badge.level.eqf  # type: ignore[union-attr]
