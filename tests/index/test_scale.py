"""Over 12 000 generated records the index agrees with brute-force Python over the same
records: filters, ranges, search (folding and per-language stemming), facets, title order,
paging.

Enough records for matches both sparse and dense (a roaring bitmap keeps up to 4096 of a
65 536 block as an array, more as a bitmap) and for paging over several pages; correctness at
a million is the benchmarks' answer-agreement check. More here only costs time: at 50 000 the
fixtures alone outlasted the 120 s test timeout on a loaded machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from microcred_hub.generate import generate_list
from microcred_hub.index import FACETS, Index, RecordFilter, SortField
from microcred_hub.index.text import STEMMER_LANGUAGES, search_fold, stem, stem_language, words
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    LangString,
    Microcredential,
    ParticipationForm,
    Stackability,
    Status,
)

N = 12_000
#: a roaring bitmap holds more matches of one block than this as a bitmap, not an array
ARRAY_MAX = 4096
Predicate = Callable[[Microcredential], bool]


@pytest.fixture(scope="module")
def records() -> list[Microcredential]:
    return generate_list(N, seed=42)


@pytest.fixture(scope="module")
def index(records: list[Microcredential]) -> Index:
    return Index(records)


def texts(record: Microcredential) -> Iterator[tuple[str, str | None]]:
    """(text, stemming language) of everything search reads."""
    default = stem_language(record.languages[0]) if len(record.languages) == 1 else None
    for text in (
        *(record.titles or (LangString(value=record.title),)),
        *record.description,
        *record.learning_outcomes,
        *(LangString(value=skill.label) for skill in record.skills),
    ):
        yield text.value, stem_language(text.lang) or default


@pytest.fixture(scope="module")
def vocabulary(records: list[Microcredential]) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """Per record: its plain tokens and its (language, stem) pairs."""
    result = {}
    for record in records:
        plain: set[str] = set()
        stems: set[tuple[str, str]] = set()
        for text, lang in texts(record):
            tokens = words(text)
            plain.update(tokens)
            if lang:
                stems.update((lang, stem(lang, t)) for t in tokens)
        result[record.id] = (plain, stems)
    return result


def brute_search(
    vocabulary: dict[str, tuple[set[str], set[tuple[str, str]]]], query: str
) -> set[str]:
    """Every query word must be a token of the record, or share a stem with one of its tokens
    in that token's language, or be stemmed (in any indexed language) to one of its tokens."""
    langs = {lang for _, stems in vocabulary.values() for lang, _ in stems}
    wanted = [
        (
            {word} | {stem(lang, word) for lang in langs},
            {(lang, stem(lang, word)) for lang in langs},
        )
        for word in words(query)
    ]
    return {
        record_id
        for record_id, (plain, stems) in vocabulary.items()
        if all(not plain.isdisjoint(p) or not stems.isdisjoint(s) for p, s in wanted)
    }


def ids(index: Index, flt: RecordFilter | None = None, text: str | None = None) -> set[str]:
    return {r.id for r in index.search(flt, text, first=N).records}


FILTERS: list[tuple[RecordFilter, Predicate]] = [
    (RecordFilter(source=("nzqa", "ctdl")), lambda r: r.source in ("nzqa", "ctdl")),
    (RecordFilter(issuer_country=("nl", "DE")), lambda r: bool({"NL", "DE"} & set(r.issuer_country))),
    (RecordFilter(eqf_level=(5,)), lambda r: r.level is not None and r.level.eqf == 5),
    (RecordFilter(eqf_level_min=6), lambda r: r.level is not None and (r.level.eqf or 0) >= 6),
    (RecordFilter(hours_min=100, hours_max=150),
     lambda r: r.workload is not None and r.workload.hours is not None
     and 100 <= r.workload.hours <= 150),
    (RecordFilter(ects_max=2.5),
     lambda r: r.workload is not None and r.workload.ects is not None and r.workload.ects <= 2.5),
    (RecordFilter(participation_form=(ParticipationForm.ONLINE, ParticipationForm.WORK_BASED)),
     lambda r: bool({"ONLINE", "WORK_BASED"} & set(r.participation_forms))),
    (RecordFilter(assessment_type=(AssessmentType.PORTFOLIO,)),
     lambda r: AssessmentType.PORTFOLIO in r.assessment_types),
    (RecordFilter(language=("MI",)), lambda r: "mi" in r.languages),
    (RecordFilter(credential_type=(CredentialType.BADGE,), status=(Status.WITHDRAWN,)),
     lambda r: r.credential_type is CredentialType.BADGE and r.status is Status.WITHDRAWN),
    (RecordFilter(stackable=True), lambda r: r.stackability is Stackability.STACKABLE),
    (RecordFilter(framework_listed=False), lambda r: r.framework_listed is False),
    (RecordFilter(skill=("ANALYSE big data",)),
     lambda r: any(search_fold(s.label) == "analyse big data" for s in r.skills)),
    (RecordFilter(issuer_country_missing=True, eqf_level_missing=True),
     lambda r: not r.issuer_country and (r.level is None or r.level.eqf is None)),
    (RecordFilter(valid_from_missing=False, eqf_level_missing=False),
     lambda r: r.valid_from is not None and r.level is not None and r.level.eqf is not None),
    (RecordFilter(valid_from_year=(2019, 2023)),
     lambda r: r.valid_from is not None and r.valid_from.year in (2019, 2023)),
    (RecordFilter(valid_from_min=date(2020, 6, 30), valid_from_max=date(2022, 2, 1)),
     lambda r: r.valid_from is not None and date(2020, 6, 30) <= r.valid_from <= date(2022, 2, 1)),
]  # fmt: skip


@pytest.mark.parametrize(("flt", "predicate"), FILTERS)
def test_filters_agree_with_brute_force(
    index: Index, records: list[Microcredential], flt: RecordFilter, predicate: Predicate
) -> None:
    expected = {r.id for r in records if predicate(r)}
    assert expected, "the generated catalogue should exercise this filter"
    assert ids(index, flt) == expected


def test_filters_match_sparse_and_dense_sets(records: list[Microcredential]) -> None:
    matches = [sum(1 for r in records if predicate(r)) for _, predicate in FILTERS]
    assert min(matches) < ARRAY_MAX < max(matches)


@pytest.mark.parametrize(
    "query", ["data", "maori", "Māori", "duurzaam", "Projektmanagement", "énergies",
              "learners management", "análisis datos", "zorgdata", "managing", "sécurité"]
)  # fmt: skip
def test_search_agrees_with_brute_force(
    index: Index, vocabulary: dict[str, tuple[set[str], set[tuple[str, str]]]], query: str
) -> None:
    expected = brute_search(vocabulary, query)
    assert expected
    assert ids(index, None, query) == expected


def test_facets_agree_with_brute_force(
    index: Index,
    records: list[Microcredential],
    vocabulary: dict[str, tuple[set[str], set[tuple[str, str]]]],
) -> None:
    flt = RecordFilter(status=(Status.ACTIVE,), eqf_level_min=4)
    found = brute_search(vocabulary, "data")
    matched = [
        r for r in records
        if r.status is Status.ACTIVE and r.level is not None and (r.level.eqf or 0) >= 4
        and r.id in found
    ]  # fmt: skip
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for r in matched:
        counts["issuerCountry"].update({c.upper() for c in r.issuer_country})
        counts["eqfLevel"].update([str(r.level.eqf)] if r.level and r.level.eqf else [])
        counts["source"][r.source] += 1
        counts["participationForm"].update({f.value for f in r.participation_forms})
        counts["assessmentType"].update({a.value for a in r.assessment_types})
        counts["credentialType"][r.credential_type.value] += 1
        counts["language"].update({lang.lower() for lang in r.languages})
        counts["status"][r.status.value] += 1
    facets = index.facets(flt, "data")
    for name in FACETS:
        expected = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
        assert facets[name] == expected, name


def test_title_order_and_paging_agree_with_brute_force(
    index: Index, records: list[Microcredential]
) -> None:
    flt = RecordFilter(source=("edubadges",), hours_max=60)
    expected = sorted(
        (r for r in records if r.source == "edubadges" and r.workload and r.workload.hours
         and r.workload.hours <= 60),
        key=lambda r: (search_fold(r.title), r.id),
    )  # fmt: skip
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = index.search(flt, first=500, after=after, sort=[SortField.TITLE])
        seen += [r.id for r in page.records]
        pages += 1
        if not page.has_next:
            break
        after = page.end_cursor
    assert seen == [r.id for r in expected]
    assert pages >= 3  # cursors in the middle of the order, not only at its ends


def test_stemming_languages_cover_the_catalogue() -> None:
    assert {"en", "nl", "de", "fr", "es"} <= set(STEMMER_LANGUAGES)
