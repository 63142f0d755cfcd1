"""Relevance: BM25F scores of every match as numpy vectors, then a top-k selection.

A document's term frequency for a query word takes one of a few values (title, body, twice in
the body), so the matches split, word by word, into classes of documents that share every
term frequency: a few roaring bitmap operations. Each class is then scored as one vector
whose only per-document input is the length, and no document's position in the match needs
looking up (a binary search per posting, the cost that used to dominate a large match). With
many words the classes multiply; past ``MAX_CLASSES`` the term frequencies are gathered per
word by position instead.

The arithmetic follows the scalar formula operation by operation in float64, so each score
is bit-identical to scoring the documents one by one (cursors carry scores, and a cursor
made before must resume at the same place). The top k come from ``np.partition``; only the
documents tied with the k-th score are compared by id in Python.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from pyroaring import BitMap

from microcred_hub.index.text import TITLE_WEIGHT, TextIndex

K1 = 1.2
B = 0.75
#: past this many term-frequency classes, splitting costs more than gathering by position
MAX_CLASSES = 256

Docs = npt.NDArray[np.uint32]
Scores = npt.NDArray[np.float64]


def _docs(bitmap: BitMap) -> Docs:
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32)


class Ranked:
    """The matching documents (in no particular order) and their scores, index for index."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: Docs, scores: Scores) -> None:
        self.docs = docs
        self.scores = scores

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.docs.tolist(), self.scores.tolist(), strict=True))

    def top(
        self, k: int, id_of: Callable[[int], str], after: tuple[float, str] | None = None
    ) -> list[tuple[int, float]]:
        """The first ``k`` documents and their scores by score descending, then record id
        ascending, that come after ``after`` (a score and record id) in that order."""
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
        picked = [(int(docs[i]), float(scores[i])) for i in chosen]
        picked.sort(key=lambda pair: (-pair[1], id_of(pair[0])))
        return picked


def _split(
    classes: list[tuple[BitMap, tuple[float, ...]]], title: BitMap, body: BitMap, twice: BitMap
) -> list[tuple[BitMap, tuple[float, ...]]]:
    """Each class split by one more word's term frequency (title weight, +1 in the body, +1
    twice in the body); empty classes are dropped."""
    result = []
    for docs, weights in classes:
        in_title = docs & title
        for part, base in ((in_title, TITLE_WEIGHT), (docs - in_title, 0.0)):
            if not part:
                continue
            repeated = part & twice  # twice in the body is in the body
            once = part - repeated
            in_body = once & body
            for found, weight in ((repeated, base + 2.0), (in_body, base + 1.0)):
                if found:
                    result.append((found, (*weights, weight)))
            if len(in_body) < len(once):
                result.append((once - in_body, (*weights, base)))
    return result


Postings = list[tuple[BitMap, BitMap, BitMap]]


class _Classes:
    """The matches split into term-frequency classes, with each word's idf; ``classes`` is
    None when there would be more than ``max_classes`` of them."""

    __slots__ = ("average", "classes", "idfs", "lengths")

    def __init__(
        self, text: TextIndex, matched: BitMap, postings: Postings, max_classes: int
    ) -> None:
        total = max(text.documents, 1)
        self.idfs = []
        for in_title, in_body, _ in postings:
            frequency = in_title.union_cardinality(in_body)
            self.idfs.append(math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5)))
        classes: list[tuple[BitMap, tuple[float, ...]]] | None = [(matched, ())]
        for in_title, in_body, in_body_twice in postings:
            assert classes is not None
            classes = _split(classes, in_title, in_body, in_body_twice)
            if len(classes) > max_classes:
                classes = None
                break
        self.classes = classes
        self.lengths = np.frombuffer(text.lengths, dtype=np.float32)
        self.average = text.average_length

    def scores(self, lengths: npt.NDArray[np.float32], weights: tuple[float, ...]) -> Scores:
        """Scores of documents of these lengths in the class of ``weights``; a function of
        the length alone that never increases with it (every step rounds monotonically)."""
        norm = K1 * ((1.0 - B) + (B * lengths.astype(np.float64)) / self.average)
        scores = np.zeros(len(lengths), dtype=np.float64)
        for idf, weight in zip(self.idfs, weights, strict=True):
            if weight:  # the scalar scorer adds nothing for a word a document lacks
                scores += idf * weight * (K1 + 1.0) / (weight + norm)
        return scores


def postings_of(text: TextIndex, word_terms: list[list[str]]) -> Postings:
    return [text.word_postings(variants) for variants in word_terms]


def rank(
    text: TextIndex,
    matched: BitMap,
    word_terms: list[list[str]],
    postings: Postings | None = None,
    max_classes: int = MAX_CLASSES,
) -> Ranked:
    """BM25F score of each document of ``matched`` (assumed to match every word);
    ``postings``: ``postings_of(text, word_terms)`` when the caller already has them."""
    if not matched:
        return Ranked(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float64))
    postings = postings_of(text, word_terms) if postings is None else postings
    split = _Classes(text, matched, postings, max_classes)
    if split.classes is None:
        return _rank_by_position(text, matched, postings, split.idfs)
    all_docs, all_scores = [], []
    for members, weights in split.classes:
        docs = _docs(members)
        all_docs.append(docs)
        all_scores.append(split.scores(split.lengths.take(docs), weights))
    return Ranked(np.concatenate(all_docs), np.concatenate(all_scores))


def rank_top(
    text: TextIndex,
    matched: BitMap,
    word_terms: list[list[str]],
    k: int,
    id_of: Callable[[int], str],
    postings: Postings | None = None,
    max_classes: int = MAX_CLASSES,
) -> list[tuple[int, float]]:
    """``rank(...).top(k, id_of)`` without scoring every match.

    Within a class the score only falls as the length grows, so a class's first k are among
    its k shortest documents and those as long as the k-th: only they are scored. (Should the
    next length up score the same as the k-th, rounding having met, the whole class is.)
    Classes go best first by the score a document of length 0 would get, and once k
    documents score above that bound the remaining classes are not even read.
    """
    if not matched or k <= 0:
        return []
    postings = postings_of(text, word_terms) if postings is None else postings
    split = _Classes(text, matched, postings, max_classes)
    if split.classes is None:
        return _rank_by_position(text, matched, postings, split.idfs).top(k, id_of)
    zero = np.zeros(1, dtype=np.float32)
    bounded = sorted(
        ((float(split.scores(zero, weights)[0]), members, weights)
         for members, weights in split.classes),
        key=lambda item: -item[0],
    )  # fmt: skip
    all_docs: list[Docs] = []
    all_scores: list[Scores] = []
    found = 0
    for bound, members, weights in bounded:
        if found >= k:
            scores = np.concatenate(all_scores)
            if bound < np.partition(scores, found - k)[found - k]:  # the k-th best so far
                break
        docs = _docs(members)
        lengths = split.lengths.take(docs)
        if len(docs) > k:
            kth = np.partition(lengths, k - 1)[k - 1]
            shorter = lengths <= kth
            longer = lengths[~shorter]
            if len(longer):
                edge = split.scores(np.array([kth, longer.min()], dtype=np.float32), weights)
                if edge[0] > edge[1]:
                    docs, lengths = docs[shorter], lengths[shorter]
        all_docs.append(docs)
        all_scores.append(split.scores(lengths, weights))
        found += len(docs)
    return Ranked(np.concatenate(all_docs), np.concatenate(all_scores)).top(k, id_of)


def _rank_by_position(
    text: TextIndex, matched: BitMap, postings: Postings, idfs: list[float]
) -> Ranked:
    """``rank`` for queries of many words: one term-frequency vector per word, filled by
    each posting's positions in the (sorted) match."""
    docs = _docs(matched)
    scores = np.zeros(len(docs), dtype=np.float64)
    lengths = np.frombuffer(text.lengths, dtype=np.float32)[docs].astype(np.float64)
    norm = K1 * ((1.0 - B) + (B * lengths) / text.average_length)
    tf = np.empty(len(docs), dtype=np.float64)
    for (in_title, in_body, in_body_twice), idf in zip(postings, idfs, strict=True):
        tf.fill(0.0)
        # Each bitmap counts once per document however many variants it holds: a plain set.
        tf[np.searchsorted(docs, _docs(in_title & matched))] = TITLE_WEIGHT
        tf[np.searchsorted(docs, _docs(in_body & matched))] += 1.0
        tf[np.searchsorted(docs, _docs(in_body_twice & matched))] += 1.0
        scores += idf * tf * (K1 + 1.0) / (tf + norm)
    return Ranked(docs, scores)
