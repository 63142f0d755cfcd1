"""Relevance order: the vectorised scorer against a one-document-at-a-time reference."""

from __future__ import annotations

import math
import random

import pytest

from microcred_hub.index import Index, RecordFilter, SortField
from microcred_hub.index.cursor import decode_cursor
from microcred_hub.index.ranking import rank, rank_top
from microcred_hub.index.text import TITLE_WEIGHT, TextIndex
from microcred_hub.record import LangString, Microcredential, Skill
from tests.factories import make_record

K1, B = 1.2, 0.75
# A small vocabulary: many documents share words, repeat them and tie on score.
VOCABULARY = (
    "data", "analysis", "analyses", "analysing", "management", "managers", "manage", "safety",
    "health", "care", "zorg", "gegevens", "beheer", "daten", "verwaltung", "leadership", "teams",
    "learners", "learning", "energy", "énergie", "māori", "te", "reo", "workplace", "digital",
    "skills",
)  # fmt: skip
RELEVANCE = "m:" + SortField.RELEVANCE


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))


def random_record(rng: random.Random, n: int) -> Microcredential:
    lang = rng.choice(("en", "nl", "de", None))
    title = _text(rng, 1, 4)
    return make_record(
        f"r{rng.randint(0, 10**6):07d}-{n}",
        title,
        lang=lang or "en",
        titles=(LangString(value=title, lang=lang),),
        description=tuple(
            LangString(value=_text(rng, 0, 12), lang=rng.choice((lang, "en")))
            for _ in range(rng.randint(0, 2))
        ),
        learning_outcomes=tuple(
            LangString(value=_text(rng, 1, 6)) for _ in range(rng.randint(0, 2))
        ),
        skills=tuple(Skill(label=_text(rng, 1, 2)) for _ in range(rng.randint(0, 2))),
        issuer_country=(rng.choice(("NZ", "NL", "DE")),),
    )


def reference(
    live: list[Microcredential], variants_per_word: list[list[str]], candidates: set[str]
) -> list[tuple[str, float]]:
    """BM25F as the index defines it, document by document: (id, score), best first."""
    analysed = {record.id: TextIndex._analyse(record) for record in live}
    total = len(live)
    average = sum(a[3] for a in analysed.values()) / total
    hits: dict[str, list[tuple[bool, bool, bool]]] = {}
    for record_id, (title_terms, body_counts, _, _) in analysed.items():
        hits[record_id] = [
            (
                any(v in title_terms for v in variants),
                any(v in body_counts for v in variants),
                any(body_counts.get(v, 0) > 1 for v in variants),
            )
            for variants in variants_per_word
        ]
    result = []
    for record_id in candidates:
        if not all(title or body for title, body, _ in hits[record_id]):
            continue
        length = analysed[record_id][3]
        norm = K1 * (1.0 - B + B * length / average)
        score = 0.0
        for word, (title, body, twice) in enumerate(hits[record_id]):
            frequency = sum(1 for h in hits.values() if h[word][0] or h[word][1])
            idf = math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))
            weight = TITLE_WEIGHT * title + body + twice
            if weight:
                score += idf * weight * (K1 + 1.0) / (weight + norm)
        result.append((record_id, score))
    result.sort(key=lambda item: (-item[1], item[0]))
    return result


def ranked_pages(
    index: Index, text: str, flt: RecordFilter | None, size: int
) -> list[tuple[str, float]]:
    """Every match, paging with cursors: (id, score from its cursor)."""
    seen: list[tuple[str, float]] = []
    after = None
    while True:
        page = index.search(flt, text, first=size, after=after)
        for record, cursor in zip(page.records, page.cursors, strict=True):
            score, record_id = decode_cursor(cursor, RELEVANCE, 2)
            assert record_id == record.id
            assert isinstance(score, float)
            seen.append((record.id, score))
        if not page.has_next:
            return seen
        after = page.end_cursor


@pytest.mark.parametrize("seed", range(6))
def test_relevance_order_matches_the_reference_scorer(seed: int) -> None:
    rng = random.Random(seed)
    records = [random_record(rng, n) for n in range(300)]
    # Duplicates of one text: equal scores, so the id alone must order them.
    records += [
        make_record(f"twin{n}", records[0].title, titles=records[0].titles) for n in range(5)
    ]
    index = Index(records)
    # Replaced and deleted documents leave free ids and change the collection statistics.
    gone = rng.sample(records, 30)
    index.update((), [r.id for r in gone[:15]])
    replaced = [random_record(rng, 1000 + n) for n in range(15)]
    index.update(replaced, [r.id for r in gone[15:]])
    live = list(index.records())
    for query in ("data", "management analysis", "learners", "manage", "te reo māori", "zorg"):
        terms = index._text.query_terms(query)
        for flt, candidates in (
            (None, {r.id for r in live}),
            (
                RecordFilter(issuer_country=("NZ",)),
                {r.id for r in live if "NZ" in r.issuer_country},
            ),
        ):
            expected = reference(live, terms, candidates)
            size = rng.choice((1, 3, 7, 20, 1000))
            assert ranked_pages(index, query, flt, size) == expected, (query, flt, size)
            assert index.search(flt, query, first=0).total == len(expected)


def test_every_match_tied_orders_by_id() -> None:
    records = [make_record(f"id{n:03d}", "Workplace safety") for n in (7, 3, 11, 5, 1)]
    index = Index(records)
    page = index.search(text="safety", first=2)
    assert [r.id for r in page.records] == ["nzqa:id001", "nzqa:id003"]
    rest = index.search(text="safety", first=10, after=page.end_cursor)
    assert [r.id for r in rest.records] == ["nzqa:id005", "nzqa:id007", "nzqa:id011"]


def test_relevance_with_a_second_key_uses_the_same_scores() -> None:
    rng = random.Random(42)
    index = Index([random_record(rng, n) for n in range(200)])
    terms = index._text.query_terms("data")
    expected = reference(list(index.records()), terms, {r.id for r in index.records()})
    scores = dict(expected)
    sort = [SortField.EQF, SortField.RELEVANCE]  # no EQF in these records: relevance decides
    page = index.search(text="data", sort=sort, first=1000)
    assert [r.id for r in page.records] == [record_id for record_id, _ in expected]
    kind = "m:" + ",".join(sort)
    for record, cursor in zip(page.records, page.cursors, strict=True):
        assert decode_cursor(cursor, kind, 3)[1] == scores[record.id]


@pytest.mark.parametrize("seed", range(3))
def test_every_scoring_path_gives_the_same_scores_and_top(seed: int) -> None:
    """Term-frequency classes, gathering by position (what many-word queries fall back to)
    and the top k that skips classes and long documents: one answer, bit for bit."""
    rng = random.Random(100 + seed)
    index = Index([random_record(rng, n) for n in range(400)])
    text = index._text
    for query in ("data", "management analysis", "te reo māori", "data skills learning care"):
        terms = text.query_terms(query)
        matched = text.match(terms)
        by_class = rank(text, matched, terms).as_dict()
        by_position = rank(text, matched, terms, max_classes=0).as_dict()
        assert by_class == by_position, query
        ordered = sorted(by_class.items(), key=lambda item: (-item[1], index._id_of(item[0])))
        for k in (1, 5, 20, len(ordered) + 1):
            expected = ordered[:k]
            assert rank_top(text, matched, terms, k, index._id_of) == expected, (query, k)
            assert rank_top(text, matched, terms, k, index._id_of, max_classes=0) == expected
