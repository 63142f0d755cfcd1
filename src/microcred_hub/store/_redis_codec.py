"""How the Redis store encodes what it keeps: records, digests, states and quarantine as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from microcred_hub.packing import PackedRecords, pack_many
from microcred_hub.record import Microcredential, QuarantinedRecord
from microcred_hub.state import SourceState
from microcred_hub.store._common import gc_paused
from microcred_hub.store.base import RecordDigest, digest_of

if TYPE_CHECKING:
    from collections.abc import Sequence

_records_decoder = msgspec.json.Decoder(list[Microcredential])
_record_decoder = msgspec.json.Decoder(Microcredential)
_quarantine_decoder = msgspec.json.Decoder(list[QuarantinedRecord])
_state_decoder = msgspec.json.Decoder(SourceState)
_digest_encoder = msgspec.json.Encoder()
_digest_decoder = msgspec.json.Decoder(RecordDigest)
_digests_decoder = msgspec.json.Decoder(list[RecordDigest])

decode_record = _record_decoder.decode
decode_quarantine = _quarantine_decoder.decode
decode_state = _state_decoder.decode


def encode_digest(digest: RecordDigest) -> bytes:
    return _digest_encoder.encode(digest)  # a JSON array: any URL survives it


def decode_digests(found: dict[bytes, bytes]) -> dict[str, RecordDigest]:
    """Decode a source's digests in one call, as the records are."""
    if not found:
        return {}
    with gc_paused():
        digests = _digests_decoder.decode(b"[" + b",".join(found.values()) + b"]")
        return dict(zip((k.decode() for k in found), digests, strict=True))


def unchanged(stored: bytes, record: Microcredential) -> bool:
    """Whether the stored digest says ``record`` is unchanged: same content, same withdrawal,
    same document (a record that moved to another page must be found there by a later 304)."""
    return bool(_digest_decoder.decode(stored) == digest_of(record))


def decode_records(values: Sequence[bytes], chunk: int = 2000) -> PackedRecords:
    """Decode stored records a chunk at a time (one JSON array beats a Python-level loop) and
    pack each chunk, so a million records never stand decoded in memory all at once."""
    packed: list[bytes] = []
    for start in range(0, len(values), chunk):
        document = b"[" + b",".join(values[start : start + chunk]) + b"]"
        with gc_paused():
            packed += pack_many(_records_decoder.decode(document))
    return PackedRecords(packed)
