"""Full-text search: folded, stemmed tokens in roaring bitmaps (scored in ``ranking``).

Postings are bitmaps rather than term-frequency lists so a million records fit in memory:
per term we keep "in a title", "in the body" and "twice or more in the body", which is
enough for BM25's saturating term frequency on short texts like these.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer
from pyroaring import BitMap

from microcred_hub.record import LangString, Microcredential

# Letters NFKD does not decompose but users type without their stroke / ligature.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d",
     "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ħ": "h", "ı": "i"}
)  # fmt: skip
_WORD = re.compile(r"\w+")

#: ISO 639-1 -> Snowball algorithm
STEMMER_LANGUAGES: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip
_AVAILABLE = set(snowballstemmer.algorithms())

TITLE_WEIGHT = 3.0


def _char_class(codes: list[int]) -> str:
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


def _combining_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every combining mark as a regex, so folding drops them in one C pass; the rare ones
    beyond the BMP get a pattern of their own (a BMP-only class is several times faster)."""
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    bmp = [c for c in marks if c <= 0xFFFF]
    astral = [c for c in marks if c > 0xFFFF]
    return re.compile(f"[{_char_class(bmp)}]+"), re.compile(f"[{_char_class(astral)}]+")


_COMBINING, _ASTRAL_COMBINING = _combining_classes()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_UNDECOMPOSED_CHARS = re.compile("[" + "".join(map(chr, _UNDECOMPOSED)) + "]")


def search_fold(text: str) -> str:
    """The form search, filters and title order compare: accents and case ignored, and
    letters without a decomposition spelled plainly (ø -> o, ł -> l), so a query typed on any
    keyboard finds the record. Looser than ``normalise``'s ``match_fold``."""
    if text.isascii():
        return text.lower()
    if _UNDECOMPOSED_CHARS.search(text):  # translate() is slow: only when it changes something
        text = text.translate(_UNDECOMPOSED)
    decomposed = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    if _ASTRAL.search(decomposed):
        decomposed = _ASTRAL_COMBINING.sub("", decomposed)
    return decomposed.casefold()


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(search_fold(text))


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> snowballstemmer.Stemmer | None:
    algorithm = STEMMER_LANGUAGES.get(lang)
    if algorithm is None or algorithm not in _AVAILABLE:
        return None
    return snowballstemmer.stemmer(algorithm)


def stem_language(lang: str | None) -> str | None:
    """The language key a text is stemmed with, or None when it has no stemmer."""
    if not lang:
        return None
    key = lang.lower().replace("_", "-").split("-")[0]
    return key if _stemmer(key) is not None else None


# Pure-Python Snowball costs ~75 µs a word, but vocabularies are small (Zipf): cache stems.
_STEM_CACHE: dict[str, dict[str, str]] = {}
_STEM_CACHE_SIZE = 200_000


def stem(lang: str, word: str) -> str:
    """``word`` stemmed for ``lang`` (a key of STEMMER_LANGUAGES with a stemmer)."""
    cache = _STEM_CACHE.setdefault(lang, {})
    stemmed = cache.get(word)
    if stemmed is None:
        stemmer = _stemmer(lang)
        stemmed = stemmer.stemWord(word) if stemmer is not None else word
        if len(cache) >= _STEM_CACHE_SIZE:
            cache.clear()
        cache[word] = stemmed
    return stemmed


class _StemTerms(dict[str, str]):
    """token -> its namespaced stem term (``"nl:bedrijfsmodel"``), or "" when the stem is the
    token itself; a dict so that the common case, a known token, is one C-level lookup."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, token: str) -> str:
        stemmed = stem(self.lang, token)
        term = f"{self.lang}:{stemmed}" if stemmed != token else ""
        if len(self) >= _STEM_CACHE_SIZE:
            self.clear()
        self[token] = term
        return term


_STEM_TERMS: dict[str, _StemTerms] = {}
_LANG_KEYS: dict[str | None, str | None] = {}


def _stems(tokens: list[str], lang: str | None) -> list[str]:
    """Stemmed terms (namespaced by language) for tokens whose stem differs from the token."""
    if not lang or _stemmer(lang) is None:
        return []
    table = _STEM_TERMS.get(lang)
    if table is None:
        table = _STEM_TERMS[lang] = _StemTerms(lang)
    return [term for token in tokens if (term := table[token])]


def _lang_key(lang: str | None) -> str | None:
    """``stem_language`` memoised: a record's texts carry a handful of distinct tags."""
    try:
        return _LANG_KEYS[lang]
    except KeyError:
        key = _LANG_KEYS[lang] = stem_language(lang)
        return key


def _terms(texts: Iterable[LangString], default_lang: str | None) -> tuple[set[str], Counter[str]]:
    """Distinct terms and term counts of some texts (plain tokens and their stems)."""
    counts: Counter[str] = Counter()
    for text in texts:
        tokens = words(text.value)
        counts.update(tokens)
        counts.update(_stems(tokens, _lang_key(text.lang) or default_lang))
    return set(counts), counts


def _title_texts(record: Microcredential) -> tuple[LangString, ...]:
    return record.titles or (LangString(value=record.title),)


def _body_texts(record: Microcredential) -> Iterator[LangString]:
    yield from record.description
    yield from record.learning_outcomes
    for skill in record.skills:
        yield LangString(value=skill.label)


def _default_lang(record: Microcredential) -> str | None:
    # A text without its own language tag is in the record's language when there is only one.
    return stem_language(record.languages[0]) if len(record.languages) == 1 else None


def _post(postings: dict[str, BitMap], terms: Iterable[str], doc: int) -> None:
    for term in terms:
        bitmap = postings.get(term)
        if bitmap is None:
            bitmap = postings[term] = BitMap()
        bitmap.add(doc)


class TextIndex:
    """Inverted index over titles, descriptions, learning outcomes and skill labels."""

    def __init__(self) -> None:
        self._title: dict[str, BitMap] = {}
        self._body: dict[str, BitMap] = {}
        self._body_multi: dict[str, BitMap] = {}
        self._length = array("f")
        self._total_length = 0.0
        self._docs = 0
        self._languages: Counter[str] = Counter()

    def add(self, doc: int, record: Microcredential) -> None:
        title_terms, body_counts, langs, length = self._analyse(record)
        _post(self._title, title_terms, doc)
        _post(self._body, body_counts, doc)
        _post(self._body_multi, [term for term, count in body_counts.items() if count > 1], doc)
        if len(self._length) <= doc:
            self._length.extend([0.0] * (doc + 1 - len(self._length)))
        self._length[doc] = length
        self._total_length += length
        self._docs += 1
        self._languages.update(langs)

    def remove(self, doc: int, record: Microcredential) -> None:
        """Forget a document; ``record`` must be the one it was added with."""
        title_terms, body_counts, langs, length = self._analyse(record)
        for postings, terms in (
            (self._title, title_terms),
            (self._body, body_counts),
            (self._body_multi, body_counts),
        ):
            for term in terms:
                bitmap = postings.get(term)
                if bitmap is not None:
                    bitmap.discard(doc)
                    if not bitmap:
                        del postings[term]
        self._total_length -= length
        self._length[doc] = 0.0
        self._docs -= 1
        self._languages.subtract(langs)
        self._languages = +self._languages  # drop zero counts

    @staticmethod
    def _analyse(record: Microcredential) -> tuple[set[str], Counter[str], set[str], float]:
        default = _default_lang(record)
        title_terms, title_counts = _terms(_title_texts(record), default)
        _, body_counts = _terms(_body_texts(record), default)
        langs = {
            lang
            for text in (*_title_texts(record), *_body_texts(record))
            if (lang := _lang_key(text.lang) or default)
        }
        length = TITLE_WEIGHT * sum(title_counts.values()) + sum(body_counts.values())
        return title_terms, body_counts, langs, length

    def query_terms(self, text: str) -> list[list[str]]:
        """For each query word, the indexed terms that count as that word (plain or stemmed)."""
        result: list[list[str]] = []
        for word in dict.fromkeys(words(text)):
            variants = [word]
            for lang in self._languages:
                stemmed = stem(lang, word)
                variants.append(f"{lang}:{stemmed}")
                variants.append(stemmed)  # a word that is its own stem is indexed plain
            result.append(list(dict.fromkeys(variants)))
        return result

    def _union(self, postings: dict[str, BitMap], variants: list[str]) -> BitMap:
        return BitMap.union(BitMap(), *(postings[v] for v in variants if v in postings))

    def match(
        self,
        word_terms: list[list[str]],
        postings: list[tuple[BitMap, BitMap, BitMap]] | None = None,
    ) -> BitMap:
        """Documents containing every word (any of its variants, in title or body);
        ``postings``: the words' ``word_postings``, when the caller already has them."""
        result: BitMap | None = None
        for i, variants in enumerate(word_terms):
            if postings is None:
                docs = self._union(self._title, variants) | self._union(self._body, variants)
            else:
                docs = postings[i][0] | postings[i][1]
            result = docs if result is None else result & docs
            if not result:
                break
        return result if result is not None else BitMap()

    def word_postings(self, variants: list[str]) -> tuple[BitMap, BitMap, BitMap]:
        """Documents with one of a word's variants in a title, in the body, twice in the body."""
        return (
            self._union(self._title, variants),
            self._union(self._body, variants),
            self._union(self._body_multi, variants),
        )

    @property
    def documents(self) -> int:
        return self._docs

    @property
    def average_length(self) -> float:
        """Mean weighted length (titles count TITLE_WEIGHT times), 1.0 for an empty index."""
        return self._total_length / max(self._docs, 1) if self._total_length > 0 else 1.0

    @property
    def lengths(self) -> array[float]:
        """Weighted length per document id (0.0 for a free id), float32."""
        return self._length
