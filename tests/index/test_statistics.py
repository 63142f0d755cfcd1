"""The index's statistics follow every update: upserts, changes, deletes, a full replace."""

from __future__ import annotations

from microcred_hub.index import Index
from microcred_hub.record import Level, QualityAssurance, Workload
from tests.factories import make_record


def hours_by_level(index: Index) -> dict[tuple[str | None, ...], tuple[int, float | None]]:
    answer = index.statistics(group_by=["EQF_LEVEL"])
    return {tuple(g.keys): (g.count, g.hours.median) for g in answer.groups}


def test_updates_and_deletes_change_groups_and_numbers() -> None:
    index = Index(
        [
            make_record("a", workload=Workload(hours=10), level=Level(eqf=4)),
            make_record("b", workload=Workload(hours=30), level=Level(eqf=4)),
            make_record("c", workload=None, level=None),
        ]
    )
    assert hours_by_level(index) == {("4",): (2, 20.0), (None,): (1, None)}
    index.update(
        [
            make_record("b", workload=Workload(hours=50), level=Level(eqf=4)),  # changed
            make_record("d", workload=Workload(hours=7), level=Level(eqf=6)),  # new
        ],
        ["nzqa:c"],
    )
    assert hours_by_level(index) == {("4",): (2, 30.0), ("6",): (1, 7.0)}
    index.update([make_record("a", workload=None, level=Level(eqf=6))], ())
    assert hours_by_level(index) == {("6",): (2, 7.0), ("4",): (1, 50.0)}
    index.replace_all([make_record("z", quality_assurance=QualityAssurance(name="QA"))])
    (group,) = index.statistics().groups
    assert (group.count, group.quality_assured, group.hours.count) == (1, 1, 0)


def test_histogram_follows_deletes() -> None:
    index = Index([make_record(str(i), workload=Workload(hours=h)) for i, h in enumerate([5, 15])])
    assert [b.count for b in index.histogram("HOURS", [10])] == [1, 1]
    index.update((), ["nzqa:0"])
    assert [b.count for b in index.histogram("HOURS", [10])] == [0, 1]
