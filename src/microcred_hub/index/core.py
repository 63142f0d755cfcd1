"""The in-memory index: dense doc ids, a roaring bitmap per filter value, ranges, full text."""

from __future__ import annotations

import sys
from collections.abc import (
    Callable,
    Collection,
    Container,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import UTC, date

from pyroaring import BitMap

from microcred_hub.dimensions import DEFAULT_MAX_GROUPS, DIMENSIONS, NUMERIC_FIELDS
from microcred_hub.index import statistics as stats
from microcred_hub.index import validity
from microcred_hub.index.columns import Columns
from microcred_hub.index.compact import DocIds, Texts
from microcred_hub.index.model import (
    NO_FILTER,
    Page,
    ProviderPage,
    QueryError,
    RecordFilter,
    SortField,
)
from microcred_hub.index.numeric import RangeIndex
from microcred_hub.index.overlap import SourceOverlap, overlap, spanning
from microcred_hub.index.providers import ProviderDirectory, ProviderGroups
from microcred_hub.index.ranking import Postings, postings_of, rank, rank_top
from microcred_hub.index.sorting import Ordering, timestamp
from microcred_hub.index.text import TextIndex, search_fold
from microcred_hub.packing import PackedRecords, unpack
from microcred_hub.record import Microcredential, Stackability

#: the facets every query can ask for, in API order (plus extras at the end)
FACETS: tuple[str, ...] = (
    "issuerCountry",
    "eqfLevel",
    "source",
    "participationForm",
    "assessmentType",
    "credentialType",
    "language",
    "status",
)


def _keys(record: Microcredential) -> Iterator[tuple[str, str]]:
    """(field, key) pairs a record is filed under, keys already normalised for lookup."""
    yield "source", record.source
    for country in record.issuer_country:
        yield "issuerCountry", country.upper()
    if record.level is not None and record.level.eqf is not None:
        yield "eqfLevel", str(record.level.eqf)
    for form in record.participation_forms:
        yield "participationForm", form.value
    for kind in record.assessment_types:
        yield "assessmentType", kind.value
    for language in record.languages:
        yield "language", language.lower()
    yield "credentialType", record.credential_type.value
    yield "status", record.status.value
    if record.stackability is not None:
        yield "stackability", record.stackability.value
    if record.framework_listed is not None:
        yield "frameworkListed", str(record.framework_listed).lower()
    # statistics dimensions (and, for the year, filters)
    yield "qualityAssured", "false" if record.quality_assurance is None else "true"
    if record.valid_from is not None:
        yield "validFromYear", str(record.valid_from.year)
    if (updated := record.updated_at) is not None:
        updated = updated.astimezone(UTC) if updated.tzinfo else updated
        yield "updatedMonth", f"{updated.year:04d}-{updated.month:02d}"
    for skill in record.skills:
        yield "skill", search_fold(skill.label)
        if skill.uri:
            yield "skill", search_fold(skill.uri)
    for body in record.awarding_bodies:
        yield "awardingBody", search_fold(body.name)
        if body.id:
            yield "awardingBody", search_fold(body.id)


def _numbers(record: Microcredential) -> dict[str, float | None]:
    workload, level = record.workload, record.level
    return {
        "ects": workload.ects if workload else None,
        "hours": workload.hours if workload else None,
        "eqf": level.eqf if level else None,
        "updated": timestamp(record.updated_at) if record.updated_at else None,
    }


class Index:
    """Every record, searchable, filterable and sortable; updated incrementally.

    Records are held packed (``microcred_hub.packing``): beside the postings the index keeps
    per document only its id and folded title (what sorting and cursors read), so a record
    is decoded when a page serves it or an update unfiles it, never to answer a query.
    """

    def __init__(self, records: Iterable[Microcredential] = ()) -> None:
        self.version = 0
        #: pairs of records whose awarding bodies are one body (the duplicate linker's answer)
        self._same_body: Callable[[], Iterable[tuple[str, str]]] = lambda: ()
        self._reset()
        self.update(records, ())
        self.version = 0

    def _reset(self) -> None:
        self._records: list[bytes | None] = []  # packed, by document
        self._ids: list[str | None] = []
        self._titles = Texts()  # search_fold(title): the title order
        self._doc_of = DocIds(self._ids)
        self._alive = BitMap()
        self._postings: dict[str, dict[str, BitMap]] = {}
        self._level_ranges: dict[tuple[int, float | None, float | None], BitMap] = {}
        self._ranges = {name: RangeIndex() for name in ("ects", "hours", "eqf", "updated")}
        self._columns = Columns()
        self._with_value: dict[str, BitMap] = {}  # statistics' null groups, per version
        self._with_value_version = -1
        self._text = TextIndex()
        self._groups = ProviderGroups()
        self._ordering: Ordering | None = None
        self._providers: ProviderDirectory | None = None
        #: records that are not their duplicate group's representative: what distinct omits
        self._hidden = BitMap()

    # An index image restores these as a list and a dict: keep them compact whatever comes.

    @property
    def _titles(self) -> Texts:
        return self._title_texts

    @_titles.setter
    def _titles(self, titles: Iterable[str | None]) -> None:
        self._title_texts = titles if isinstance(titles, Texts) else Texts(titles)

    @property
    def _doc_of(self) -> DocIds:
        return self._doc_ids

    @_doc_of.setter
    def _doc_of(self, found: DocIds | Mapping[str, int]) -> None:
        """The id -> document table of ``self._ids`` (set first); a mapping given is what
        ``self._ids`` says, so the table is built from those."""
        if isinstance(found, DocIds):
            self._doc_ids = found
            return
        self._doc_ids = DocIds(self._ids)
        if len(self._doc_ids) != len(found):
            raise ValueError("record ids and their documents disagree")

    def __len__(self) -> int:
        return len(self._alive)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._doc_of

    def get(self, record_id: str) -> Microcredential | None:
        packed = self.get_packed(record_id)
        return None if packed is None else unpack(packed)

    def get_packed(self, record_id: str) -> bytes | None:
        doc = self._doc_of.get(record_id)
        return None if doc is None else self._records[doc]

    def _id_of(self, doc: int) -> str:
        record_id = self._ids[doc]
        assert record_id is not None
        return record_id

    def records(self) -> Iterator[Microcredential]:
        for doc in self._alive:
            packed = self._records[doc]
            assert packed is not None
            yield unpack(packed)

    def packed(self, source: str | None = None) -> PackedRecords:
        """Every record (of ``source``), packed: the very bytes the index holds."""
        docs = self._alive if source is None else self._postings.get("source", {}).get(source, ())
        records = self._records
        return PackedRecords([records[doc] for doc in docs])  # type: ignore[misc]

    def ids_of(self, source: str) -> list[str]:
        """The ids of every record of ``source`` the index holds."""
        ids = self._ids
        return [ids[doc] for doc in self._postings.get("source", {}).get(source, ())]  # type: ignore[misc]

    def sources(self) -> dict[str, int]:
        """How many records the index holds of each source."""
        return {key: len(docs) for key, docs in self._postings.get("source", {}).items()}

    def count_of(self, source: str) -> int:
        """How many records of ``source`` the index holds."""
        return len(self._postings.get("source", {}).get(source, ()))

    # -- updates ---------------------------------------------------------------------------

    def update(
        self,
        upserts: Iterable[Microcredential],
        deletes: Iterable[str],
        *,
        only: Container[str] | None = None,
    ) -> None:
        """Add or replace ``upserts`` and drop ``deletes`` (unknown ids are ignored).

        Unlike ``Store.apply`` this neither diffs against a fingerprint nor notifies anyone:
        the index only follows what the store already decided. ``PackedRecords`` (what the
        stores hand their listeners) are kept as they are, so store and index share the bytes.
        ``only``: the sources to take upserts of (others are skipped).
        """
        changed = False
        for record_id in deletes:
            doc = self._doc_of.pop(record_id)
            if doc is not None:
                self._unfile(doc)
                self._hidden.discard(doc)  # (a changed record keeps its mark until relinked)
                changed = True
        for packed, record in PackedRecords.of(upserts).pairs():
            if only is not None and record.source not in only:
                continue
            # Interned: the store holding the same record keys it by the same string object.
            record_id = sys.intern(record.id)
            doc = self._doc_of.get(record_id)
            if doc is None:
                doc = len(self._records)
                self._records.append(packed)
                self._ids.append(record_id)
                self._titles.append(search_fold(record.title))
                self._doc_of[record_id] = doc  # (after the id: the table reads it there)
            elif self._records[doc] == packed:
                continue
            else:
                self._unfile(doc)
                self._records[doc] = packed
                self._ids[doc] = record_id
                self._titles[doc] = search_fold(record.title)
            self._file(doc, record)
            changed = True
        if changed:
            self.version += 1
            self._ordering = None
            self._providers = None

    def replace_source(self, source: str, records: Iterable[Microcredential]) -> None:
        """Make ``records`` the complete record set of ``source`` (a store's full resync)."""
        records = PackedRecords.of(records)
        keep = {record.id for record in records}
        held = self._postings.get("source", {}).get(source, BitMap())
        ids = self._ids
        gone = [record_id for doc in held if (record_id := ids[doc]) not in keep]
        self.update(records, gone)  # type: ignore[arg-type]

    def replace_all(
        self, records: Iterable[Microcredential], *, only: Container[str] | None = None
    ) -> None:
        """Start over with exactly these records (those of the ``only`` sources)."""
        version = self.version
        self._reset()
        self.update(records, (), only=only)
        self.version = version + 1

    def _file(self, doc: int, record: Microcredential) -> None:
        self._alive.add(doc)
        postings = self._postings
        for field, key in _keys(record):
            values = postings.get(field)
            if values is None:
                values = postings[field] = {}
            bitmap = values.get(key)
            if bitmap is None:
                bitmap = values[key] = BitMap()
            bitmap.add(doc)
        numbers = _numbers(record)
        for name, value in numbers.items():
            self._ranges[name].set(doc, value)
        numbers["completeness"] = record.completeness.score
        self._columns.set(doc, numbers)
        self._text.add(doc, record)
        self._groups.add(record)

    def _unfile(self, doc: int) -> None:
        packed = self._records[doc]
        assert packed is not None
        record = unpack(packed)
        self._alive.discard(doc)
        for field, key in _keys(record):
            values = self._postings[field]
            bitmap = values.get(key)
            if bitmap is not None:
                bitmap.discard(doc)
                if not bitmap:
                    del values[key]
        for ranges in self._ranges.values():
            ranges.discard(doc)
        self._columns.clear(doc)
        self._text.remove(doc, record)
        self._groups.remove(record)
        self._records[doc] = None
        self._ids[doc] = None
        self._titles[doc] = None

    def set_duplicates(
        self,
        hidden: Iterable[str],
        shown: Iterable[str],
        same_body: Callable[[], Iterable[tuple[str, str]]] | None = None,
    ) -> None:
        """Mark records as not (``hidden``) or again (``shown``) their group's representative.

        The duplicate linker decides; the index only keeps the answer where ``distinct``
        queries read it. Unknown ids are ignored. ``same_body``, when given, answers the
        pairs of linked records whose awarding bodies are one body (providers merge them).
        """
        if same_body is not None:
            self._same_body = same_body
            self._providers = None
        before = len(self._hidden)
        docs = self._doc_of
        self._hidden.update(d for i in hidden if (d := docs.get(i)) is not None)
        removed = BitMap(d for i in shown if (d := docs.get(i)) is not None) & self._hidden
        self._hidden.difference_update(removed)
        if removed or len(self._hidden) != before:
            self.version += 1
            self._providers = None

    def representatives(self, matched: BitMap) -> BitMap:
        """``matched`` without the records that are not their group's representative: a
        group counts once, as its representative, and only when the representative matches."""
        return matched - self._hidden if self._hidden else matched

    # -- queries ---------------------------------------------------------------------------

    def _any_of(self, field: str, keys: Iterable[str]) -> BitMap:
        values = self._postings.get(field, {})
        return BitMap.union(BitMap(), *(values[k] for k in keys if k in values))

    def _levels(self, low: float | None, high: float | None) -> BitMap:
        """Documents with an EQF level in [low, high], kept for the data version: dashboards
        ask the same few ranges, and the union costs more than the rest of a small query."""
        key = (self.version, low, high)
        cached = self._level_ranges.get(key)
        if cached is None:
            levels = self._postings.get("eqfLevel", {})
            cached = BitMap.union(
                BitMap(),
                *(
                    bitmap
                    for level, bitmap in levels.items()
                    if (low is None or int(level) >= low) and (high is None or int(level) <= high)
                ),
            )
            if len(self._level_ranges) >= 64 or any(
                version != self.version for version, _, _ in self._level_ranges
            ):
                self._level_ranges.clear()
            self._level_ranges[key] = cached
        return cached

    def _filtered(self, flt: RecordFilter) -> BitMap:
        parts: list[BitMap] = []
        lists: list[tuple[str, Iterable[str] | None]] = [
            ("source", flt.source),
            ("issuerCountry", [c.upper() for c in flt.issuer_country or ()]),
            ("eqfLevel", [str(level) for level in flt.eqf_level or ()]),
            ("participationForm", flt.participation_form),
            ("assessmentType", flt.assessment_type),
            ("language", [lang.lower() for lang in flt.language or ()]),
            ("credentialType", flt.credential_type),
            ("status", flt.status),
            ("skill", [search_fold(s) for s in flt.skill or ()]),
            ("awardingBody", [search_fold(b) for b in flt.awarding_body or ()]),
            ("validFromYear", [str(year) for year in flt.valid_from_year or ()]),
        ]
        for field, keys in lists:
            if keys:
                parts.append(self._any_of(field, keys))
        missing = [
            ("issuerCountry", flt.issuer_country_missing),
            ("eqfLevel", flt.eqf_level_missing),
            ("validFromYear", flt.valid_from_missing),
        ]
        for field, flag in missing:
            if flag is not None:
                having = self._having(field)
                parts.append(self._alive - having if flag else having)
        if flt.ids is not None:
            docs = self._doc_of
            parts.append(BitMap(d for i in flt.ids if (d := docs.get(i)) is not None))
        if flt.stackable is not None:
            wanted = Stackability.STACKABLE if flt.stackable else Stackability.STANDALONE
            parts.append(self._any_of("stackability", [wanted.value]))
        if flt.framework_listed is not None:
            parts.append(self._any_of("frameworkListed", [str(flt.framework_listed).lower()]))
        ranges: list[tuple[str, float | None, float | None]] = [
            ("eqf", flt.eqf_level_min, flt.eqf_level_max),
            ("ects", flt.ects_min, flt.ects_max),
            ("hours", flt.hours_min, flt.hours_max),
            ("updated", timestamp(flt.updated_since) if flt.updated_since else None, None),
        ]
        for name, low, high in ranges:
            if low is not None and high is not None and low > high:
                raise QueryError(f"filter: {name} minimum {low:g} is above its maximum {high:g}")
            if name == "eqf" and (low is not None or high is not None):
                # Few distinct levels, each already a bitmap: a union of those beats building
                # a bitmap of every document in range from the sorted values.
                parts.append(self._levels(low, high))
            elif low is not None or high is not None:
                parts.append(self._ranges[name].range(low, high))
        low_date, high_date = flt.valid_from_min, flt.valid_from_max
        if low_date is not None and high_date is not None and low_date > high_date:
            raise QueryError(
                f"filter: validFromMin {low_date.isoformat()} is after validFromMax "
                f"{high_date.isoformat()}"
            )
        if low_date is not None or high_date is not None:
            parts.append(
                validity.years_touched(self._postings.get("validFromYear", {}), low_date, high_date)
            )
        if not parts:
            return self._alive
        matched = BitMap.intersection(*parts) if len(parts) > 1 else parts[0]
        if low_date is not None or high_date is not None:
            years = self._postings.get("validFromYear", {})
            matched = validity.within(matched, years, low_date, high_date, self._valid_from)
        return matched

    def _having(self, field: str) -> BitMap:
        """Documents with any value of a postings field, kept for the data version."""
        if self._with_value_version != self.version:
            self._with_value = {}
            self._with_value_version = self.version
        with_value = self._with_value.get(field)
        if with_value is None:
            postings = self._postings.get(field, {}).values()
            with_value = self._with_value[field] = BitMap.union(BitMap(), *postings)
        return with_value

    def _valid_from(self, doc: int) -> date | None:
        packed = self._records[doc]
        return None if packed is None else unpack(packed).valid_from

    def _matching(
        self,
        flt: RecordFilter | None,
        text: str | None,
        distinct: bool = False,
        analysed: tuple[list[list[str]], Postings | None] | None = None,
    ) -> tuple[BitMap, list[list[str]]]:
        """``analysed``: ``text``'s query terms and perhaps their postings, when the caller
        already has them."""
        matched = self._filtered(flt or NO_FILTER)
        terms, postings = analysed or (self._text.query_terms(text) if text else [], None)
        if terms:
            matched = matched & self._text.match(terms, postings)
        if distinct:
            matched = self.representatives(matched)
        return matched, terms

    def _order(self) -> Ordering:
        if self._ordering is None:
            self._ordering = Ordering(self._ids, self._titles, self._alive, self._ranges)
        return self._ordering

    def search(
        self,
        filter: RecordFilter | None = None,
        text: str | None = None,
        sort: Sequence[SortField] = (),
        first: int = 20,
        after: str | None = None,
        distinct: bool = False,
    ) -> Page:
        """One page of the records matching ``filter`` and ``text``, in ``sort`` order.

        Default order: RELEVANCE when ``text`` has words, else TITLE; the id breaks ties.
        ``distinct``: one record per duplicate group, its representative.
        """
        if first < 0:
            raise QueryError("first must be 0 or more")
        terms = self._text.query_terms(text) if text else []
        spec = tuple(dict.fromkeys(sort)) or (
            (SortField.RELEVANCE,) if terms else (SortField.TITLE,)
        )
        # Ranked: each word's postings once, for the match and then the scores.
        postings = postings_of(self._text, terms) if SortField.RELEVANCE in spec else None
        matched, _ = self._matching(filter, text, distinct, (terms, postings))
        ordering = self._order()
        scores: dict[int, float] = {}
        docs: Sequence[int]
        if terms and spec == (SortField.RELEVANCE,):
            if after:
                after_key = ordering.cursor_key(spec, after)
                picked = rank(self._text, matched, terms, postings).top(
                    first + 1, self._id_of, (-float(after_key[0]), str(after_key[1]))
                )
            else:
                picked = rank_top(self._text, matched, terms, first + 1, self._id_of, postings)
            docs = [doc for doc, _ in picked]
            scores = dict(picked[:first])
        else:
            if terms and SortField.RELEVANCE in spec:
                scores = rank(self._text, matched, terms, postings).as_dict()
            docs = ordering.page(spec, matched, first, after, scores)
        shown = docs[:first]
        return Page(
            total=len(matched),
            packed=[self._records[doc] for doc in shown],  # type: ignore[misc]
            cursors=ordering.cursors(spec, shown, scores),
            has_next=len(docs) > first,
        )

    def facets(
        self,
        filter: RecordFilter | None = None,
        text: str | None = None,
        distinct: bool = False,
    ) -> dict[str, list[tuple[str, int]]]:
        """Per facet, (value, count) over the matching records: counts desc, then value asc."""
        matched, _ = self._matching(filter, text, distinct)
        result: dict[str, list[tuple[str, int]]] = {}
        for field in FACETS:
            counts = [
                (value, matched.intersection_cardinality(bitmap))
                for value, bitmap in self._postings.get(field, {}).items()
            ]
            result[field] = sorted(
                ((v, n) for v, n in counts if n > 0), key=lambda item: (-item[1], item[0])
            )
        return result

    def providers(
        self,
        text: str | None = None,
        issuer_country: Sequence[str] | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ProviderPage:
        """Awarding bodies aggregated over every record: most records first, then by name."""
        if first < 0:
            raise QueryError("first must be 0 or more")
        if self._providers is None:
            self._providers = ProviderDirectory(self._groups, self._same_body(), self.get)
        return self._providers.page(text, issuer_country, first, after)

    # -- statistics ------------------------------------------------------------------------

    def _dimension(self, name: str) -> stats.Dimension:
        field = DIMENSIONS[name]
        return stats.Dimension(self._postings.get(field, {}), self._having(field))

    def statistics(
        self,
        filter: RecordFilter | None = None,
        text: str | None = None,
        group_by: Sequence[str] = (),
        *,
        distinct: bool = False,
        summaries: Collection[str] = NUMERIC_FIELDS.values(),
        max_groups: int = DEFAULT_MAX_GROUPS,
    ) -> stats.Statistics:
        """Count and per-group figures of the matching records, grouped by ``group_by``
        (Dimension names); only the ``summaries`` columns named are summarised."""
        matched, _ = self._matching(filter, text)
        if distinct:
            matched = self.representatives(matched)
        stackable = self._postings.get("stackability", {}).get(Stackability.STACKABLE.value)
        return stats.statistics(
            matched,
            [self._dimension(name) for name in group_by],
            self._columns,
            quality_assured=self._postings.get("qualityAssured", {}).get("true", BitMap()),
            stackable=stackable if stackable is not None else BitMap(),
            summaries=summaries,
            max_groups=max_groups,
        )

    def overlap(
        self,
        groups: Iterable[Sequence[str]],
        filter: RecordFilter | None = None,
        text: str | None = None,
    ) -> list[SourceOverlap]:
        """Per pair of sources, how many of ``groups`` (duplicate groups, as member ids) have
        a record matching ``filter`` and ``text`` in each."""
        matched, _ = self._matching(filter, text)
        return overlap(groups, self._doc_of.get, matched, self._postings.get("source", {}))

    def spanning(
        self,
        groups: Iterable[Sequence[str]],
        sources: Sequence[str],
        filter: RecordFilter | None = None,
        text: str | None = None,
    ) -> list[str]:
        """The matching records of those ``groups`` (duplicate groups, as member ids) that
        have a record matching ``filter`` and ``text`` in every one of ``sources``."""
        matched, _ = self._matching(filter, text)
        by_source = self._postings.get("source", {})
        return [
            self._id_of(doc)
            for doc in spanning(groups, self._doc_of.get, matched, by_source, sources)
        ]

    def histogram(
        self,
        field: str,
        bounds: Sequence[float],
        filter: RecordFilter | None = None,
        text: str | None = None,
        *,
        distinct: bool = False,
    ) -> list[stats.Bucket]:
        """Records per bucket of ``field`` (a NumericField name) between ``bounds``."""
        stats.check_bounds(bounds)
        matched, _ = self._matching(filter, text)
        if distinct:
            matched = self.representatives(matched)
        return stats.histogram(self._columns.gather(NUMERIC_FIELDS[field], matched), bounds)
