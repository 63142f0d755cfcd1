"""Relevance: BM25F scores of every match as one numpy vector, then a top-k selection.

Scoring a query word is three bitmap intersections (title, body, body twice) with the matched
set, turned into positions of that set; the term frequencies and scores are vector
arithmetic. The arithmetic follows the scalar formula operation by operation in float64, so
each score is bit-identical to scoring the documents one by one (cursors carry scores, and a
cursor made before must resume at the same place). The top k come from ``np.partition``;
only the documents tied with the k-th score are compared by id in Python.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

from microcred_hub.index.text import TITLE_WEIGHT, TextIndex

K1 = 1.2
B = 0.75

Docs = npt.NDArray[np.uint32]
Scores = npt.NDArray[np.float64]


def _docs(bitmap: BitMap) -> Docs:
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32)


class Ranked:
    """The matching documents (ascending ids) and their scores, index for index."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: Docs, scores: Scores) -> None:
        self.docs = docs
        self.scores = scores

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.docs.tolist(), self.scores.tolist(), strict=True))

    def scores_of(self, docs: Sequence[int]) -> dict[int, float]:
        """Scores of some of the documents (each must be one of ``self.docs``)."""
        positions = np.searchsorted(self.docs, np.asarray(docs, dtype=np.uint32))
        return dict(zip(docs, self.scores[positions].tolist(), strict=True))

    def top(
        self, k: int, id_of: Callable[[int], str], after: tuple[float, str] | None = None
    ) -> list[int]:
        """The first ``k`` documents by score descending, then record id ascending, that come
        after ``after`` (a score and record id) in that order."""
        docs, scores = self.docs, self.scores
        if after is not None:
            score, record_id = after
            keep = scores < score
            level = np.flatnonzero(scores == score)
            if len(level):
                later = [int(i) for i in level if id_of(int(docs[i])) > record_id]
                keep[later] = True
            docs, scores = docs[keep], scores[keep]
        if k <= 0 or len(docs) == 0:
            return []
        chosen: list[int]  # positions in docs
        if len(docs) <= k:
            chosen = list(range(len(docs)))
        else:
            kth = np.partition(scores, len(docs) - k)[len(docs) - k]  # the k-th highest
            chosen = np.flatnonzero(scores > kth).tolist()
            tied = np.flatnonzero(scores == kth).tolist()
            need = k - len(chosen)
            if len(tied) > need:
                tied = heapq.nsmallest(need, tied, key=lambda i: id_of(int(docs[i])))
            chosen += tied
        picked = [(float(scores[i]), int(docs[i])) for i in chosen]
        picked.sort(key=lambda pair: (-pair[0], id_of(pair[1])))
        return [doc for _, doc in picked]


def rank(text: TextIndex, matched: BitMap, word_terms: list[list[str]]) -> Ranked:
    """BM25F score of each document of ``matched`` (assumed to match every word)."""
    docs = _docs(matched)
    scores = np.zeros(len(docs), dtype=np.float64)
    if not len(docs):
        return Ranked(docs, scores)
    total = max(text.documents, 1)
    lengths = np.frombuffer(text.lengths, dtype=np.float32)[docs].astype(np.float64)
    norm = K1 * ((1.0 - B) + (B * lengths) / text.average_length)
    tf = np.empty(len(docs), dtype=np.float64)
    for variants in word_terms:
        in_title, in_body, in_body_twice = text.word_postings(variants)
        frequency = in_title.union_cardinality(in_body)
        idf = math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))
        tf.fill(0.0)
        # Each bitmap counts once per document however many variants it holds: a plain set.
        tf[np.searchsorted(docs, _docs(in_title & matched))] = TITLE_WEIGHT
        tf[np.searchsorted(docs, _docs(in_body & matched))] += 1.0
        tf[np.searchsorted(docs, _docs(in_body_twice & matched))] += 1.0
        scores += idf * tf * (K1 + 1.0) / (tf + norm)
    return Ranked(docs, scores)
