"""The linker's blocks answer as a dict of lists would, before and after their merges."""

from __future__ import annotations

import random

import pytest

from microcred_hub.duplicates import Linker
from microcred_hub.duplicates.blocks import FUZZY, URL_PAGE, WORLD_WIDE, Blocks, key_of, kind
from microcred_hub.generate import generate


@pytest.mark.parametrize("min_pending", [1, 3, 1000])
def test_blocks_answer_as_a_dict_of_lists_through_merges(min_pending: int) -> None:
    rng = random.Random(min_pending)
    blocks = Blocks(min_pending=min_pending)
    model: dict[int, list[str]] = {}
    keys = [key_of(f"k{i}", FUZZY) for i in range(40)] + [key_of("uri x", WORLD_WIDE)]
    for step in range(3000):
        record_id = f"r{step % 200}"
        if rng.random() < 0.7:
            chosen = list(dict.fromkeys(rng.sample(keys, rng.randint(1, 5))))
            held = blocks.members_of(chosen)
            assert held == [model.get(key, []) for key in chosen]
            if all(record_id not in members for members in held):
                blocks.file(record_id, chosen)
                for key in chosen:
                    model.setdefault(key, []).append(record_id)
        else:
            key = rng.choice(keys)
            kept = [m for m in blocks.members(key) if m != record_id]
            blocks.put(key, kept)
            model[key] = list(kept)
        probe = rng.choice(keys)
        assert blocks.members(probe) == model.get(probe, [])
        probes = list(dict.fromkeys(rng.sample(keys, 4)))
        assert blocks.union(probes, 2) == {
            member
            for key in probes
            for member in model.get(key, [])
            if len(model[key]) <= 2 or kind(key) == WORLD_WIDE
        }
        assert blocks.size(probe) == len(model.get(probe, []))
    assert len(blocks) == sum(1 for members in model.values() if members)


def test_a_block_emptied_after_a_merge_holds_nothing() -> None:
    blocks = Blocks(min_pending=2)
    page, other = key_of("page", URL_PAGE), key_of("other", URL_PAGE)
    blocks.file("a", [page, other])  # two changed keys: merged into the arrays
    blocks.put(page, [])  # one: held apart, over the arrays' row
    assert blocks.members(page) == []
    assert blocks.members_of([page, other]) == [[], ["a"]]


def test_a_key_carries_its_kind() -> None:
    assert kind(key_of(("o utrecht", "data"), FUZZY)) == FUZZY
    assert kind(key_of("url https://example.org/a", URL_PAGE)) == URL_PAGE


def _groups(linker: Linker) -> set[tuple[str, ...]]:
    return {group.members for group in linker.groups()}


def test_linking_in_small_changes_gives_the_groups_of_one_change_through_merges() -> None:
    # ~30k filings: the blocks merge several times along the way
    records = list(generate(2500, seed=7))
    whole = Linker()
    whole.replace_all(records)
    assert any(True for _ in whole.groups())
    stepwise = Linker()
    for start in range(0, len(records), 40):
        stepwise.apply(records[start : start + 40], ())
    gone = [record.id for record in records[::9]]
    stepwise.apply((), gone)  # emptied blocks are held apart over merged rows
    stepwise.apply(records[::9], ())
    stepwise.settle()
    assert _groups(stepwise) == _groups(whole)
    assert set(stepwise.same_bodies()) == set(whole.same_bodies())
