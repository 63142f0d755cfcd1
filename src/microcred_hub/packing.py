"""Records kept packed in memory: one small bytes object each, decoded only when served.

A record as Python objects costs ~3.8 KB (a str, tuple or struct per field); packed it is
msgpack compressed with zstd against a shared dictionary: a couple of hundred bytes, and bytes
objects are not tracked by the cyclic GC. A packed record starts with the 4-byte id of its
dictionary (the CRC-32 of the dictionary's bytes), so records packed by different processes,
or before and after a dictionary was trained, all decode: the id names the dictionary, whoever
made it.

The codec is told by what follows the id: a zstd frame starts with zstd's magic number, which
a raw deflate stream never does (those four bytes would open a stored block whose length and
its complement disagree). Records packed before zstd (msgpack deflated against a zlib
dictionary) therefore still decode, from index images or anything else that kept them.

Dictionaries: the first (``SCHEMA``) holds the field names and vocabularies, used as zstd
raw content; the first large batch of a source trains one of its own with zstd's trainer,
which more than halves the size again. Dictionaries live for the process: 16 KB at most each,
at most ``MAX_DICTIONARIES``. Decoding a page of records is most of an uncached query's
work, and zstd with a digested dictionary inflates a small record several times quicker
than zlib, which has to load its dictionary into a new stream for every record.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar, overload

import msgspec
import zstandard

from microcred_hub import record as _record
from microcred_hub.record import Microcredential

#: zstd's level 3 (its default): compresses about as quick as zlib did at 3, much smaller
_LEVEL = 3
DICTIONARY_SIZE = 1 << 14
MAX_DICTIONARIES = 64
#: a batch of a source at least this large trains that source a dictionary
TRAIN_AT = 256
_SAMPLES = 256
_ID = struct.Struct("<I")
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: how records were packed before zstd: raw deflate, an 8 KB window (still decoded)
_ZLIB_WBITS = -13
T = TypeVar("T")

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Microcredential)


def _schema_dictionary() -> bytes:
    """Field names and vocabulary values, msgpack-encoded as they appear in records."""
    names: set[str] = set()
    for cls in (
        Microcredential,
        _record.LangString,
        _record.Organisation,
        _record.Workload,
        _record.Level,
        _record.QualityAssurance,
        _record.FieldOfStudy,
        _record.Skill,
        _record.Identifier,
        _record.Completeness,
        _record.Provenance,
    ):
        names.update(field.encode_name for field in msgspec.structs.fields(cls))
    names.update(_record.COMPLETENESS_ELEMENTS)
    for vocabulary in (
        _record.CredentialType,
        _record.AssessmentType,
        _record.ParticipationForm,
        _record.Supervision,
        _record.Stackability,
        _record.Status,
    ):
        names.update(member.value for member in vocabulary)
    return b"sha256:https://" + b"".join(_encoder.encode(name) for name in sorted(names))


class _Dictionaries:
    """Every dictionary this process knows, by id, and which one each source packs with."""

    def __init__(self) -> None:
        self.by_id: dict[int, bytes] = {}
        self.by_source: dict[str, int] = {}
        self.schema = self.add(_schema_dictionary())

    def add(self, data: bytes) -> int:
        """The id of ``data`` (added if new); ValueError when its id names another dictionary."""
        key = zlib.crc32(data)
        known = self.by_id.get(key)
        if known is not None and known != data:
            raise ValueError("dictionary id collision")
        self.by_id[key] = data
        return key

    def train(self, source: str, samples: Sequence[bytes]) -> int:
        try:
            data = zstandard.train_dictionary(DICTIONARY_SIZE, list(samples)).as_bytes()
            key = self.add(data)
        except (zstandard.ZstdError, ValueError):  # too few or too alike samples; id collision
            key = self.schema
        self.by_source[source] = key
        return key


class _Decompressors(threading.local):
    """zstd decompression contexts, made once per thread and dictionary: a context is not
    safe to share (zstd releases the GIL while it works) and the snapshot writer decodes in a
    thread; a page takes no lock for its records. ~50 KB each."""

    def __init__(self) -> None:
        #: decompress functions by a record's first 8 bytes: its dictionary id and zstd magic
        self.by_head: dict[bytes, Callable[[bytes], bytes]] = {}

    def add(self, head: bytes, dictionary: int) -> Callable[[bytes], bytes]:
        found = zstandard.ZstdDecompressor(dict_data=_zstd_dictionary(dictionary)).decompress
        self.by_head[head] = found
        return found


class _Compressors:
    """One zstd compression context per dictionary, shared by every thread under a lock of
    its own: a context holds ~0.9 MB, too much to have one per thread that ever packs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, tuple[threading.Lock, zstandard.ZstdCompressor]] = {}

    def compress(self, dictionary: int, data: bytes) -> bytes:
        found = self._by_id.get(dictionary)
        if found is None:
            with self._lock:
                found = self._by_id.get(dictionary)
                if found is None:
                    compressor = zstandard.ZstdCompressor(
                        level=_LEVEL,
                        dict_data=_zstd_dictionary(dictionary),
                        # the id before the frame names the dictionary; the length sizes the
                        # output when decompressing
                        write_checksum=False,
                        write_content_size=True,
                        write_dict_id=False,
                    )
                    found = self._by_id[dictionary] = (threading.Lock(), compressor)
        lock, compressor = found
        with lock:
            return compressor.compress(data)


_DICTS = _Dictionaries()
_DECOMPRESSORS = _Decompressors()
_COMPRESSORS = _Compressors()


def _zstd_dictionary(dictionary: int) -> zstandard.ZstdCompressionDict:
    # A trained dictionary starts with zstd's dictionary magic; the schema's is raw content.
    return zstandard.ZstdCompressionDict(_DICTS.by_id[dictionary])


def dictionaries() -> dict[int, bytes]:
    """Every dictionary by id (what a snapshot of packed records must carry)."""
    return dict(_DICTS.by_id)


def adopt(found: dict[int, bytes]) -> None:
    """Learn the dictionaries of records packed elsewhere; ValueError on an id collision."""
    for key, data in found.items():
        if zlib.crc32(data) != key:
            raise ValueError(f"dictionary {key} does not match its id")
    for data in found.values():
        _DICTS.add(data)


def _compress(dictionary: int, data: bytes) -> bytes:
    return _ID.pack(dictionary) + _COMPRESSORS.compress(dictionary, data)


def pack(record: Microcredential) -> bytes:
    """One record packed with its source's dictionary (the schema's until one is trained)."""
    dictionary = _DICTS.by_source.get(record.source, _DICTS.schema)
    return _compress(dictionary, _encoder.encode(record))


def pack_many(records: Iterable[Microcredential]) -> list[bytes]:
    """Pack records; a source meeting its first large batch gets a dictionary trained on it."""
    items = records if isinstance(records, Sequence) else list(records)
    if isinstance(items, PackedRecords):
        return list(items.packed)
    untrained: dict[str, list[int]] = {}
    for i, record in enumerate(items):
        if record.source not in _DICTS.by_source:
            untrained.setdefault(record.source, []).append(i)
    for source, positions in untrained.items():
        if len(positions) >= TRAIN_AT and len(_DICTS.by_id) < MAX_DICTIONARIES:
            step = len(positions) / _SAMPLES
            picks = [positions[int(k * step)] for k in range(_SAMPLES)]
            _DICTS.train(source, [_encoder.encode(items[i]) for i in picks])
    # One record at a time: its msgpack is garbage before the next is made.
    by_source, schema = _DICTS.by_source, _DICTS.schema
    return [
        _compress(by_source.get(record.source, schema), _encoder.encode(record)) for record in items
    ]


def _inflate(packed: bytes) -> bytes:
    # A page decodes a record per edge: the common case is one dict lookup by the record's
    # first 8 bytes (dictionary id and zstd magic) and the decompression itself.
    decompress = _DECOMPRESSORS.by_head.get(packed[:8])
    if decompress is not None:
        return decompress(packed[_ID.size :])
    (dictionary,) = _ID.unpack_from(packed)
    if packed.startswith(_ZSTD_MAGIC, _ID.size):
        return _DECOMPRESSORS.add(packed[:8], dictionary)(packed[_ID.size :])
    # packed before zstd: raw deflate against a zlib dictionary
    return zlib.decompressobj(_ZLIB_WBITS, _DICTS.by_id[dictionary]).decompress(packed[_ID.size :])


def unpack(packed: bytes) -> Microcredential:
    return _decoder.decode(_inflate(packed))


def unpack_as(packed: bytes, decoder: msgspec.msgpack.Decoder[T]) -> T:
    """Decode into another type (a struct of only the fields a page serves, say)."""
    decompress = _DECOMPRESSORS.by_head.get(packed[:8])  # (_inflate's common case, once per edge)
    if decompress is not None:
        return decoder.decode(decompress(packed[_ID.size :]))
    return decoder.decode(_inflate(packed))


_views: dict[frozenset[str], msgspec.msgpack.Decoder[msgspec.Struct]] = {}
_RECORD_FIELDS = {field.name: field for field in msgspec.structs.fields(Microcredential)}


def view_decoder(fields: frozenset[str]) -> msgspec.msgpack.Decoder[msgspec.Struct]:
    """A decoder of packed records into a struct with only these fields of ``Microcredential``
    (same names, types and defaults): the others are skipped, not built, so a page that
    serves five fields of a record decodes five. KeyError for a name it does not have."""
    decoder = _views.get(fields)
    if decoder is None:
        wanted = [_RECORD_FIELDS[name] for name in sorted(fields)]
        view = msgspec.defstruct(
            "MicrocredentialView",
            [
                (
                    field.name,
                    field.type,
                    msgspec.field(default_factory=field.default_factory)
                    if field.default_factory is not msgspec.NODEFAULT
                    else field.default,
                )
                if field.default is not msgspec.NODEFAULT
                or field.default_factory is not msgspec.NODEFAULT
                else (field.name, field.type)
                for field in wanted
            ],
            kw_only=True,
            frozen=True,
            rename={field.name: field.encode_name for field in wanted},
        )
        decoder = msgspec.msgpack.Decoder(view)
        if len(_views) < 256:  # one per distinct selection: few, but never unbounded
            _views[fields] = decoder
    return decoder


class PackedRecords(Sequence[Microcredential]):
    """Packed records that read as a sequence of records, each decoded when reached.

    Stores hand these to their listeners, so the index keeps the very bytes the store holds.
    """

    __slots__ = ("packed",)

    def __init__(self, packed: Sequence[bytes]) -> None:
        self.packed = packed

    @classmethod
    def of(cls, records: Iterable[Microcredential]) -> PackedRecords:
        if isinstance(records, PackedRecords):
            return records
        return cls(pack_many(records))

    def __len__(self) -> int:
        return len(self.packed)

    @overload
    def __getitem__(self, index: int) -> Microcredential: ...

    @overload
    def __getitem__(self, index: slice) -> PackedRecords: ...

    def __getitem__(self, index: int | slice) -> Microcredential | PackedRecords:
        if isinstance(index, slice):
            return PackedRecords(self.packed[index])
        return unpack(self.packed[index])

    def __iter__(self) -> Iterator[Microcredential]:
        for packed in self.packed:
            yield unpack(packed)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same records in the same order (a list, say)."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        if isinstance(other, PackedRecords) and list(other.packed) == list(self.packed):
            return True
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which do not hash

    def __repr__(self) -> str:
        return f"PackedRecords({len(self)} records)"

    def pairs(self) -> Iterator[tuple[bytes, Microcredential]]:
        """(packed, record) of each: the bytes to keep, the record to read once."""
        for packed in self.packed:
            yield packed, unpack(packed)


class PackingDict:
    """Records by id, packed as they arrive, for a harvest that makes them one at a time.

    A source without a dictionary yet waits for ``TRAIN_AT`` of its records to train one on;
    after that each record is packed when put, so a large harvest never holds its records
    decoded.
    """

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}
        self._waiting: dict[str, dict[str, Microcredential]] = {}  # by source, then id

    def __len__(self) -> int:
        return len(self._packed) + sum(map(len, self._waiting.values()))

    def put(self, record: Microcredential) -> None:
        self.pop(record.id)
        if record.source in _DICTS.by_source:
            self._packed[record.id] = pack(record)
            return
        waiting = self._waiting.setdefault(record.source, {})
        waiting[record.id] = record
        if len(waiting) >= TRAIN_AT:
            self._settle(record.source)

    def pop(self, record_id: str) -> None:
        self._packed.pop(record_id, None)
        for waiting in self._waiting.values():
            waiting.pop(record_id, None)

    def _settle(self, source: str) -> None:
        waiting = list(self._waiting.pop(source, {}).values())
        for record, packed in zip(waiting, pack_many(waiting), strict=True):
            self._packed[record.id] = packed

    def records(self) -> PackedRecords:
        for source in list(self._waiting):
            self._settle(source)
        return PackedRecords(list(self._packed.values()))
