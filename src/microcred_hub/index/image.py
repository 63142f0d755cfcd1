"""An index as bytes: what a new replica loads instead of decoding and re-filing every record.

The image holds the index's own structures as they are (packed records and the dictionaries
they need, ids, folded titles, bitmaps in roaring's portable format, numeric columns as
arrays), so loading is a msgpack decode and a bitmap deserialise per posting list, not a
tokenise-and-stem per record. Sort orders are not kept: they are built on the first query,
as after any change.

Beside the index, an image may carry what another part of the hub keeps about the same
records (the duplicate groups), opaque here: ``capture`` takes it, ``restore`` hands it back.
"""

from __future__ import annotations

from array import array
from collections import Counter

import msgspec
import numpy as np
from pyroaring import BitMap

from microcred_hub import packing
from microcred_hub.index.compact import DocIds, Texts
from microcred_hub.index.core import Index
from microcred_hub.index.numeric import RangeIndex
from microcred_hub.index.providers import _Group
from microcred_hub.index.text import TextIndex

#: bumped whenever the layout below or what the index files changes: older images are rebuilt
FORMAT = 3


class _Range(msgspec.Struct, array_like=True):
    values: bytes
    present: bytes


class _Text(msgspec.Struct, array_like=True):
    title: dict[str, bytes]
    body: dict[str, bytes]
    body_multi: dict[str, bytes]
    length: bytes
    total_length: float
    docs: int
    languages: dict[str, int]


class _Texts(msgspec.Struct, array_like=True):
    """``Texts.buffers``: a million titles as three buffers, not a million str objects."""

    data: bytes
    starts: bytes
    lengths: bytes


class _ProviderGroup(msgspec.Struct, array_like=True):
    folded: str
    country: str
    spellings: dict[str, int]
    records: int
    sources: dict[str, int]


class IndexImage(msgspec.Struct, array_like=True):
    format: int
    columns: dict[str, _Range]
    columns_size: int
    dictionaries: dict[int, bytes]
    records: list[bytes | None]
    ids: list[str | None]
    titles: _Texts
    alive: bytes
    postings: dict[str, dict[str, bytes]]
    ranges: dict[str, _Range]
    text: _Text
    groups: list[_ProviderGroup]
    #: the duplicate groups of the same records, encoded by their owner; None when not kept
    duplicates: bytes | None = None


class _Format(msgspec.Struct, array_like=True):
    format: int


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(IndexImage)
_format_decoder = msgspec.msgpack.Decoder(_Format)


def _format_of(data: bytes) -> int | None:
    """The format an image says it has (one of another layout fails to decode as this one)."""
    try:
        return _format_decoder.decode(data).format
    except msgspec.DecodeError:
        return None


def _bitmaps(found: dict[str, BitMap]) -> dict[str, bytes]:
    return {key: bitmap.serialize() for key, bitmap in found.items()}


def _restore(found: dict[str, bytes]) -> dict[str, BitMap]:
    return {key: BitMap.deserialize(data) for key, data in found.items()}


def _counter(counts: dict[str, int]) -> Counter[str]:
    found: Counter[str] = Counter()
    dict.update(found, counts)  # Counter(counts) counts in Python, a thousand times slower
    return found


def capture(index: Index) -> IndexImage:
    """The index's state now (copies, so it may change right after: encode in a thread).

    ``duplicates`` is left None: the caller sets it, to bytes of the same moment's groups."""
    text = index._text
    columns = index._columns
    size = columns._size
    return IndexImage(
        format=FORMAT,
        columns={
            name: _Range(data[:size].tobytes(), columns._present[name].serialize())
            for name, data in columns._data.items()
        },
        columns_size=size,
        dictionaries=packing.dictionaries(),
        records=list(index._records),
        ids=list(index._ids),
        titles=_Texts(*index._titles.buffers()),
        alive=index._alive.serialize(),
        postings={field: _bitmaps(values) for field, values in index._postings.items()},
        ranges={
            name: _Range(ranges._values.tobytes(), ranges._present.serialize())
            for name, ranges in index._ranges.items()
        },
        text=_Text(
            title=_bitmaps(text._title),
            body=_bitmaps(text._body),
            body_multi=_bitmaps(text._body_multi),
            length=text._length.tobytes(),
            total_length=text._total_length,
            docs=text._docs,
            languages=dict(text._languages),
        ),
        groups=[
            _ProviderGroup(folded, country, dict(g.spellings), g.records, dict(g.sources))
            for (folded, country), g in index._groups.groups.items()
        ],
    )


def encode(image: IndexImage) -> bytes:
    return _encoder.encode(image)


def restore(index: Index, data: bytes) -> bytes | None:
    """Make ``index`` what the image holds and return what it carries beside (``duplicates``);
    ValueError (index untouched) when ``data`` is not a readable image of this format."""
    try:
        image = _decoder.decode(data)
        titles = Texts.from_buffers(image.titles.data, image.titles.starts, image.titles.lengths)
    except (msgspec.DecodeError, ValueError) as exc:
        found = _format_of(data)
        if found is not None and found != FORMAT:
            raise ValueError(f"index image format {found} is not {FORMAT}") from exc
        raise ValueError(f"not an index image ({exc})") from exc
    if image.format != FORMAT:
        raise ValueError(f"index image format {image.format} is not {FORMAT}")
    packing.adopt(image.dictionaries)
    version = index.version
    index._reset()
    index._records = image.records
    index._ids = image.ids
    index._titles = titles
    index._doc_of = DocIds(image.ids)
    index._alive = BitMap.deserialize(image.alive)
    index._postings = {field: _restore(values) for field, values in image.postings.items()}
    for name, stored in image.ranges.items():
        ranges = index._ranges[name] = RangeIndex()
        ranges._values = array("d", stored.values)
        ranges._present = BitMap.deserialize(stored.present)
    columns = index._columns
    for name, stored in image.columns.items():
        columns._data[name] = np.frombuffer(stored.values, dtype=np.float64).copy()
        columns._present[name] = BitMap.deserialize(stored.present)
    columns._size = image.columns_size
    text = index._text = TextIndex()
    text._title = _restore(image.text.title)
    text._body = _restore(image.text.body)
    text._body_multi = _restore(image.text.body_multi)
    text._length = array("f", image.text.length)
    text._total_length = image.text.total_length
    text._docs = image.text.docs
    text._languages = Counter(image.text.languages)
    groups = index._groups
    for item in image.groups:
        groups.groups[(item.folded, item.country)] = _Group(
            _counter(item.spellings), item.records, _counter(item.sources)
        )
    index.version = version + 1
    return image.duplicates
