"""Every record's features as the linker keeps them: packed, decoded when read.

A ``Features`` of Python objects costs ~600 bytes a record (the object, its tuples, a float or
two, title word sets, identifier strings), and the linker holds one per record for as long as
the record is served. Packed it is ~180 bytes: msgpack of its fields, each awarding body as
its number in a table of the few thousand bodies the records name. A record's features are
read only when it is compared or regrouped, a few dozen times per change that touches it.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from microcred_hub.duplicates.features import Body, Features


class _Packed(msgspec.Struct, array_like=True, frozen=True, gc=False):
    # source, completeness and identifiers first: ``_Head`` reads them alone
    source: str
    completeness: float
    identifiers: tuple[str, ...]
    titles: tuple[tuple[frozenset[str], frozenset[str]], ...]
    bodies: tuple[int, ...]
    countries: frozenset[str]
    hours: float | None
    eqf: int | None
    level: tuple[str, str] | None


class _Head(msgspec.Struct, array_like=True, frozen=True, gc=False):
    source: str
    completeness: float
    identifiers: tuple[str, ...]


# sets in a sorted order: equal features pack to equal bytes
_encoder = msgspec.msgpack.Encoder(order="deterministic")
_decoder = msgspec.msgpack.Decoder(_Packed)
_head_decoder = msgspec.msgpack.Decoder(_Head)


class FeatureTable:
    """Features by record id (a mapping of the few operations the linker uses)."""

    __slots__ = ("_bodies", "_body_numbers", "_packed")

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}
        #: bodies by number. A body stays when its records go: they are few (a register
        #: lists each provider's many offers), and a relink starts a new table.
        self._bodies: list[Body] = []
        self._body_numbers: dict[Body, int] = {}

    def __len__(self) -> int:
        return len(self._packed)

    def __bool__(self) -> bool:
        return bool(self._packed)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __getitem__(self, record_id: str) -> Features:
        return self.unpack(record_id, self._packed[record_id])

    def get(self, record_id: str) -> Features | None:
        packed = self._packed.get(record_id)
        return None if packed is None else self.unpack(record_id, packed)

    def source(self, record_id: str) -> str:
        return _head_decoder.decode(self._packed[record_id]).source

    def source_and_identifiers(self, record_id: str) -> tuple[str, tuple[str, ...]]:
        """What decides whether two records of one register are one (no need of the rest)."""
        head = _head_decoder.decode(self._packed[record_id])
        return head.source, head.identifiers

    def completeness(self, record_id: str) -> float:
        return _head_decoder.decode(self._packed[record_id]).completeness

    def ids_of(self, source: str) -> list[str]:
        decode = _head_decoder.decode
        return [i for i, packed in self._packed.items() if decode(packed).source == source]

    def __setitem__(self, record_id: str, features: Features) -> None:
        self._packed[record_id] = self.pack(features)

    def packed(self, record_id: str) -> bytes | None:
        return self._packed.get(record_id)

    def put(self, record_id: str, packed: bytes) -> None:
        """File features packed by this table's ``pack``."""
        self._packed[record_id] = packed

    def __delitem__(self, record_id: str) -> None:
        del self._packed[record_id]

    def pop(self, record_id: str) -> Features | None:
        packed = self._packed.pop(record_id, None)
        return None if packed is None else self.unpack(record_id, packed)

    def clear(self) -> None:
        self._packed.clear()
        self._bodies.clear()
        self._body_numbers.clear()

    def pack(self, f: Features) -> bytes:
        numbers = self._body_numbers
        bodies = []
        for body in f.bodies:
            number = numbers.get(body)
            if number is None:
                number = numbers[body] = len(self._bodies)
                self._bodies.append(body)
            bodies.append(number)
        return _encoder.encode(
            _Packed(
                f.source,
                f.completeness,
                f.identifiers,
                f.titles,
                tuple(bodies),
                f.countries,
                f.hours,
                f.eqf,
                f.level,
            )
        )

    def unpack(self, record_id: str, packed: bytes) -> Features:
        p = _decoder.decode(packed)
        return Features(
            record_id,
            p.source,
            p.titles,
            tuple(map(self._bodies.__getitem__, p.bodies)),
            p.countries,
            p.hours,
            p.eqf,
            p.level,
            p.identifiers,
            p.completeness,
        )
