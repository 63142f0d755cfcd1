"""Opaque cursors: base64url JSON of the sort position, so paging never repeats or skips."""

from __future__ import annotations

import base64
import binascii

import msgspec

from microcred_hub.index.model import QueryError

CursorValue = str | int | float | None


class _Cursor(msgspec.Struct, array_like=True):
    kind: str
    values: list[CursorValue]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_Cursor)


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(kind: str, values: list[CursorValue]) -> str:
    # A page makes one per record: the tuple encodes as the array-like _Cursor does, and the
    # base64 steps are base64.urlsafe_b64encode's without its Python-level wrappers.
    raw = _encoder.encode((kind, values))
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def encode_cursors(kind: str, rows: list[list[CursorValue]]) -> list[str]:
    """``encode_cursor(kind, values)`` of each row, with the bytes steps done once for all:
    "=" is only ever base64 padding and newline is not in its alphabet."""
    if not rows:
        return []
    encode, b2a = _encoder.encode, binascii.b2a_base64
    joined = b"\n".join([b2a(encode((kind, values)), newline=False) for values in rows])
    return joined.translate(_URLSAFE, b"=").decode("ascii").split("\n")


def decode_cursor(cursor: str, kind: str, length: int) -> list[CursorValue]:
    """The values of a cursor made by ``encode_cursor(kind, ...)``; QueryError otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise QueryError(
            "after: malformed cursor; pass a cursor or endCursor this API returned"
        ) from None
    if decoded.kind != kind or len(decoded.values) != length:
        raise QueryError(
            "after: this cursor belongs to another sort order or field; "
            "page with the same arguments that produced it"
        )
    return decoded.values
