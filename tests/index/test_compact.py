"""The index's compact per-document structures answer as the dict and list they replace."""

from __future__ import annotations

import random

import pytest

from microcred_hub.index.compact import DocIds, Texts


def test_doc_ids_follow_a_dict_through_adds_removals_and_growth() -> None:
    rng = random.Random(4)
    ids: list[str | None] = []
    table = DocIds(ids)
    expected: dict[str, int] = {}
    for step in range(20_000):
        if rng.random() < 0.6 or not expected:
            record_id = f"src:{rng.randrange(50_000)}"
            if record_id in expected:
                assert table.get(record_id) == expected[record_id]
                continue
            ids.append(record_id)
            table[record_id] = expected[record_id] = len(ids) - 1
        else:
            record_id = rng.choice(sorted(expected)) if step % 97 == 0 else next(iter(expected))
            doc = table.pop(record_id)
            assert doc == expected.pop(record_id)
            ids[doc] = None
            assert table.pop(record_id) is None
    assert len(table) == len(expected)
    assert dict(table.items()) == expected
    assert all(table.get(record_id) == doc for record_id, doc in expected.items())
    assert table.get("src:none") is None and "src:none" not in table
    table.fill()  # rebuilt from ids alone: the same answers
    assert dict(table.items()) == expected


def test_doc_ids_filled_at_once_find_every_id_in_small_crowded_tables() -> None:
    # Small tables put ids near the end of the table, whose runs wrap round to the start.
    rng = random.Random(7)
    for _ in range(2_000):
        ids: list[str | None] = [f"src:{rng.randrange(10**9)}" for _ in range(rng.randrange(1, 40))]
        ids = list(dict.fromkeys(ids))
        if rng.random() < 0.3:
            ids[rng.randrange(len(ids))] = None
        table = DocIds(ids)
        expected = {record_id: doc for doc, record_id in enumerate(ids) if record_id is not None}
        assert dict(table.items()) == expected
        assert all(table.get(record_id) == doc for record_id, doc in expected.items())
        assert table.get("src:none") is None


def test_texts_read_back_what_was_written_after_replacements() -> None:
    texts = Texts(["Ōtautahi", None, "data"])
    texts.append("é")
    for i in range(2_000):  # enough garbage to rewrite the buffer several times
        texts[2] = f"data {i}"
    texts[0] = None
    assert list(texts) == [None, None, "data 1999", "é"]
    assert len(texts) == 4 and texts[3] == "é"


def test_texts_from_their_buffers_read_and_change_as_the_original() -> None:
    texts = Texts(["Ōtautahi", None, "data"])
    for i in range(10):  # some garbage in the buffer
        texts[2] = f"data {i}"
    copy = Texts.from_buffers(*texts.buffers())
    assert list(copy) == list(texts) == ["Ōtautahi", None, "data 9"]
    for i in range(3_000):  # the garbage it came with is rewritten away in time
        copy[1] = f"new {i}"
    assert list(copy) == ["Ōtautahi", "new 2999", "data 9"]
    assert copy.nbytes < 5_000  # 3 000 replacements wrote ~25 000 bytes


def test_texts_buffers_that_do_not_fit_together_are_refused() -> None:
    data, starts, lengths = Texts(["one", "two"]).buffers()
    for bad in ((data[:4], starts, lengths), (data, starts, lengths[:4])):
        with pytest.raises(ValueError, match="do not fit"):
            Texts.from_buffers(*bad)
