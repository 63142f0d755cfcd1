"""Cursors made a page at a time are the cursors made one at a time."""

from __future__ import annotations

from microcred_hub.index.cursor import CursorValue, decode_cursor, encode_cursor, encode_cursors


def test_a_page_of_cursors_encodes_as_each_cursor_alone() -> None:
    rows: list[list[CursorValue]] = [
        ["Data", "nzqa:1"],
        [None, "elm:urn:x"],
        ["ÿ=?/+", "a"],  # bytes that base64 turns into + and /, and every padding length
        ["ab", "b"],
        ["abc", "c"],
        [1.5, "d"],
        [-3, "e"],
        ["", ""],
    ]
    page = encode_cursors("m:TITLE", rows)
    assert page == [encode_cursor("m:TITLE", values) for values in rows]
    assert [decode_cursor(cursor, "m:TITLE", 2) for cursor in page] == rows
    assert all("=" not in cursor and "\n" not in cursor for cursor in page)
    assert encode_cursors("m:TITLE", []) == []
