"""Packed records: every field survives packing, and packed sequences read as records."""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import msgspec
import pytest

from microcred_hub import packing
from microcred_hub.generate import generate_list
from microcred_hub.packing import PackedRecords, pack, pack_many, unpack
from microcred_hub.record import (
    AssessmentType,
    FieldOfStudy,
    Identifier,
    LangString,
    Level,
    Microcredential,
    Organisation,
    ParticipationForm,
    QualityAssurance,
    Skill,
    Stackability,
    Status,
    Supervision,
    Workload,
)
from tests.factories import make_record, sample_records


def every_field() -> Microcredential:
    """A record with every field set to a value other than its default."""
    record = make_record(
        "FULL-1",
        "Gebäudeenergieberatung für Fachkräfte ø",
        lang="de",
        titles=(LangString(value="Gebäude", lang="de"), LangString(value="Buildings", lang="en")),
        description=(LangString(value="Beschreibung", lang="de"),),
        issuer_country=("DE", "AT"),
        awarding_bodies=(
            Organisation(name="TU Wien", id="urn:x:1", url="https://tuwien.example", country="AT"),
        ),
        learning_outcomes=(LangString(value="Kann rechnen", lang="de"),),
        workload=Workload(
            ects=2.5, hours=62.5, derived=True, original_value="2,5", original_unit="ECTS"
        ),
        level=Level(eqf=6, framework="DQR", framework_level="6", derived=True),
        assessment_types=(AssessmentType.TESTING, AssessmentType.PORTFOLIO),
        assessment_original=("Klausur",),
        participation_forms=(ParticipationForm.BLENDED,),
        participation_original=("hybrid",),
        quality_assurance=QualityAssurance(
            name="Akkreditiert", body="AQAS", url="https://aqas.example", description="QA"
        ),
        prerequisites=(LangString(value="Abitur", lang="de"),),
        supervision=Supervision.SUPERVISED_WITH_ID_CHECK,
        stackability=Stackability.STACKABLE,
        fields_of_study=(FieldOfStudy(scheme="ISCED-F", code="0713", label="Energie"),),
        skills=(Skill(label="Energieberatung", uri="http://esco.example/1", framework="ESCO"),),
        framework_listed=False,
        status=Status.WITHDRAWN,
        valid_from=date(2024, 1, 1),
        valid_until=date(2026, 12, 31),
        updated_at=datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
        warnings=("workload derived from ECTS",),
        identifiers=(Identifier(scheme="url", value="https://tuwien.example/kurs/1"),),
    )
    return msgspec.structs.replace(record, withdrawn_at=datetime(2025, 3, 1, tzinfo=UTC))


def test_a_record_with_every_field_set_round_trips_through_packing() -> None:
    record = every_field()
    defaults = [
        f.name
        for f in msgspec.structs.fields(Microcredential)
        if getattr(record, f.name) == f.default
    ]
    assert defaults == []  # the record really sets every field
    assert unpack(pack(record)) == record


def test_generated_records_of_every_source_round_trip_with_trained_dictionaries() -> None:
    records = generate_list(3000, seed=11)
    packed = pack_many(records)
    assert [unpack(p) for p in packed] == records
    # a trained dictionary makes records several times smaller than their JSON
    json_size = sum(len(msgspec.json.encode(r)) for r in records)
    assert sum(map(len, packed)) < json_size / 2


def test_packed_records_read_as_a_sequence_of_records() -> None:
    records = sample_records()
    packed = PackedRecords.of(records)
    assert len(packed) == len(records)
    assert packed == records
    assert list(packed) == records
    assert packed[1] == records[1]
    assert packed[1:3] == records[1:3]
    assert PackedRecords.of(packed) is packed
    assert packed != records[:-1]


def test_records_packed_with_a_dictionary_learnt_from_elsewhere_decode() -> None:
    record = make_record("X1")
    packed = pack(record)
    assert unpack(packed) == record
    known = packing.dictionaries()
    packing.adopt(known)  # learning what is already known changes nothing
    with pytest.raises(ValueError, match="does not match"):
        packing.adopt({1: b"not the dictionary with id 1"})


def _zlib_packed(record: Microcredential, dictionary: bytes) -> bytes:
    """A record as packing wrote it before zstd: its dictionary's id, then raw deflate."""
    compressor = zlib.compressobj(3, zlib.DEFLATED, -13, 6, zlib.Z_DEFAULT_STRATEGY, dictionary)
    data = msgspec.msgpack.encode(record)
    return (
        struct.pack("<I", zlib.crc32(dictionary)) + compressor.compress(data) + compressor.flush()
    )


def test_records_packed_with_zlib_before_zstd_still_decode() -> None:
    # what an older index image holds: its dictionaries travel with it and are adopted
    records = generate_list(40, seed=5)
    schema = packing.dictionaries()[packing._DICTS.schema]
    trained = (schema + b"".join(msgspec.msgpack.encode(r) for r in records[:20]))[-8192:]
    packing.adopt({zlib.crc32(trained): trained})
    old = [_zlib_packed(r, schema if i % 2 else trained) for i, r in enumerate(records)]
    assert [unpack(p) for p in old] == records
    view = packing.view_decoder(frozenset({"id", "title"}))
    assert [packing.unpack_as(p, view).id for p in old] == [r.id for r in records]  # type: ignore[attr-defined]


def test_packed_records_are_zstd_frames_that_no_deflate_stream_can_be_mistaken_for() -> None:
    packed = pack_many(generate_list(300, seed=3))
    assert all(p[4:8] == b"\x28\xb5\x2f\xfd" for p in packed)
    # raw deflate opening with those bytes: a stored block whose length fails its check
    with pytest.raises(zlib.error):
        zlib.decompressobj(-13).decompress(b"\x28\xb5\x2f\xfd" + bytes(60))


def test_a_trained_dictionary_packs_smaller_than_the_schema_alone() -> None:
    records = generate_list(600, seed=9)
    schema_only = [
        packing._compress(packing._DICTS.schema, msgspec.msgpack.encode(r)) for r in records
    ]
    trained = pack_many(records)
    assert sum(map(len, trained)) < sum(map(len, schema_only)) * 0.8


def test_records_pack_and_decode_in_several_threads_at_once() -> None:
    # a zstd context used by two threads at once would mix records up or fail
    records = generate_list(400, seed=7)
    packed = pack_many(records)
    with ThreadPoolExecutor(4) as pool:
        decoded = list(pool.map(lambda _: [unpack(p) for p in packed], range(8)))
        repacked = list(pool.map(lambda _: [pack(r) for r in records], range(8)))
    assert all(found == records for found in decoded)
    assert all(found == packed for found in repacked)
