"""Search over course passages: bm25s on Norwegian stems, with folding, compounds, typos, English.

A question's words are turned into index terms (Norwegian stem, then folded so that 'følger',
'folger' and 'foelger' meet). A word that is not an index term is matched, in this order, through
the English glossary, a folded spelling, near misspellings (edit distance 1, or 2 for long words)
and compound parts (a known term that starts the word, or a longer term that the word starts).
Each match carries a weight; scores are BM25 over the weighted terms, and the matches are kept so
that `ask` can judge how much of the question the course covers.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_NORWEGIAN
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from bot.core.datafiles import load_yaml, load_yaml_model, validate
from bot.core.knowledge import KnowledgeBase, Passage
from bot.core.text import fold, words

GLOSSARY_FILE = "glossary.yaml"
LEXICON_FILE = "lexicon.yaml"

EXACT = 1.0
FOLDED = 0.95
GLOSSARY = 0.9
FUZZY_1 = 0.8
FUZZY_2 = 0.6
COMPOUND = 0.6
_MIN_FUZZY = 5
_MIN_COMPOUND = 4


class LanguageLists(BaseModel):
    """Word lists for one purpose, per language."""

    model_config = ConfigDict(extra="forbid")

    nb: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class LexiconFile(BaseModel):
    """`knowledge/lexicon.yaml`: extra stop words and language markers."""

    model_config = ConfigDict(extra="forbid")

    stopwords: LanguageLists
    language: LanguageLists


@dataclass(frozen=True)
class Lexicon:
    """Stop words, language markers and the English glossary, loaded from `knowledge/`."""

    stop_nb: frozenset[str]
    stop_en: frozenset[str]
    marks_nb: frozenset[str]
    marks_en: frozenset[str]
    glossary: dict[tuple[str, ...], tuple[str, ...]]
    glossary_max_words: int

    def is_stop(self, word: str) -> bool:
        """Say whether `word` (lower case) carries no content in a question."""
        return word in self.stop_nb or word in self.stop_en or fold(word) in self.stop_nb


_EN_STEMMER = Stemmer.Stemmer("english")
_NB_STEMMER = Stemmer.Stemmer("norwegian")


def english_key(word: str) -> str:
    """Normalise an English word for glossary lookup (lower case, English stem)."""
    return str(_EN_STEMMER.stemWord(word.lower()))


def term_of(word: str) -> str:
    """Return the index term of a word: its Norwegian stem, folded."""
    return fold(str(_NB_STEMMER.stemWord(word.lower())))


def load_lexicon(knowledge_dir: Path) -> Lexicon:
    """Load the lexicon and the glossary from `knowledge_dir`, validating both."""
    lex_path = knowledge_dir / LEXICON_FILE
    lex = load_yaml_model(LexiconFile, lex_path)
    gloss_path = knowledge_dir / GLOSSARY_FILE
    raw = load_yaml(gloss_path) if gloss_path.exists() else {}
    glossary_file = validate(_GlossaryFile, {"entries": raw or {}}, gloss_path)
    glossary: dict[tuple[str, ...], tuple[str, ...]] = {}
    for english, norwegian in glossary_file.entries.items():
        key = tuple(english_key(w) for w in words(english))
        if key:
            merged = glossary.get(key, ()) + tuple(n.lower() for n in norwegian)
            glossary[key] = tuple(dict.fromkeys(merged))
    stop_nb = frozenset(STOPWORDS_NORWEGIAN) | frozenset(w.lower() for w in lex.stopwords.nb)
    stop_en = frozenset(STOPWORDS_EN_PLUS) | frozenset(w.lower() for w in lex.stopwords.en)
    return Lexicon(
        stop_nb=stop_nb | frozenset(fold(w) for w in stop_nb),
        stop_en=stop_en,
        marks_nb=frozenset(w.lower() for w in lex.language.nb),
        marks_en=frozenset(w.lower() for w in lex.language.en),
        glossary=glossary,
        glossary_max_words=max((len(k) for k in glossary), default=1),
    )


class _GlossaryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: dict[str, list[str]]


@dataclass(slots=True)
class WordMatch:
    """How one content word of a question met the index: its terms and their weights."""

    word: str
    terms: dict[str, float] = field(default_factory=dict)
    how: str = "none"

    @property
    def matched(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage and its score for a query."""

    passage: Passage
    score: float


@dataclass(slots=True)
class Query:
    """An analysed question: its content words, how each matched, and the weighted terms."""

    text: str
    matches: list[WordMatch]
    weights: dict[str, float]

    @property
    def content_words(self) -> list[str]:
        return [m.word for m in self.matches]


def _deletes(word: str, depth: int) -> set[str]:
    """Return every string made by deleting up to `depth` characters from `word`."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            nxt.update(w[:i] + w[i + 1 :] for i in range(len(w)))
        out |= nxt
        frontier = nxt
    return out


def _distance(a: str, b: str, limit: int) -> int:
    """Return the Damerau-Levenshtein (optimal string alignment) distance, capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def max_typos(word: str) -> int:
    """Allow one typo in words of five to eight letters, two in longer ones."""
    if len(word) < _MIN_FUZZY:
        return 0
    return 1 if len(word) <= 8 else 2


class SearchIndex:
    """A bm25s index over passages, with the vocabulary structures for robust matching."""

    def __init__(self, knowledge: KnowledgeBase, lexicon: Lexicon) -> None:
        self.knowledge = knowledge
        self.lexicon = lexicon
        passages = knowledge.passages
        self._corpus_terms = [self.passage_terms(p) for p in passages]
        self._retriever = bm25s.BM25()
        self._retriever.index(self._corpus_terms, show_progress=False)
        vocab: dict[str, int] = self._retriever.vocab_dict
        self._vocab = {t: i for t, i in vocab.items() if t}
        self._sorted_terms = sorted(self._vocab)
        scores = self._retriever.scores
        self._data: NDArray[np.float32] = scores["data"]
        self._indices: NDArray[np.int32] = scores["indices"]
        self._indptr: NDArray[np.int64] = scores["indptr"]
        self._n_docs = int(scores["num_docs"])
        # Surface words (folded) -> their terms; for typos and folded spellings.
        self._surface: dict[str, set[str]] = {}
        for passage in passages:
            for w in self._content_words(self._passage_text(passage)):
                self._surface.setdefault(fold(w), set()).add(term_of(w))
        self._deletes: dict[str, set[str]] = {}
        for surface in self._surface:
            for d in _deletes(surface, max_typos(surface)):
                self._deletes.setdefault(d, set()).add(surface)
        df = np.diff(self._indptr)
        self._idf = {
            t: math.log(1 + (self._n_docs - df[i] + 0.5) / (df[i] + 0.5))
            for t, i in self._vocab.items()
        }
        self.max_idf = max(self._idf.values(), default=1.0)
        self._post_terms: dict[str, set[str]] = {}
        for passage, terms in zip(passages, self._corpus_terms, strict=True):
            self._post_terms.setdefault(passage.slug, set()).update(terms)

    # -- analysis -------------------------------------------------------------------------

    @staticmethod
    def _passage_text(passage: Passage) -> str:
        return f"{passage.heading} {passage.text}" if passage.heading else passage.text

    def _content_words(self, text: str) -> list[str]:
        return [w for w in words(text) if not self.lexicon.is_stop(w) and len(w) > 1]

    def passage_terms(self, passage: Passage) -> list[str]:
        """Return the index terms of a passage: its words, its heading and its post title."""
        text = f"{self._passage_text(passage)} {passage.title}"
        return [term_of(w) for w in self._content_words(text)]

    def idf(self, term: str) -> float:
        """Return the inverse document frequency of an index term (0 for an unknown one)."""
        return self._idf.get(term, 0.0)

    def post_has(self, slug: str, term: str) -> bool:
        """Say whether any passage of the post `slug` contains `term`."""
        return term in self._post_terms.get(slug, set())

    def match_word(self, word: str, english: bool = False) -> WordMatch:
        """Match one content word to index terms, trying the cheapest exact ways first."""
        match = WordMatch(word)
        term = term_of(word)
        if not english and term in self._vocab:
            match.terms[term] = EXACT
            match.how = "exact"
            return match
        folded = fold(word)
        if not english and folded in self._surface:
            for t in self._surface[folded]:
                match.terms[t] = FOLDED
            match.how = "folded"
            return match
        if english and (term in self._vocab or folded in self._surface):
            # Names and loan words ('Twitter', 'blog') are the same in both languages.
            for t in self._surface.get(folded, {term}):
                if t in self._vocab:
                    match.terms[t] = EXACT
            if match.terms:
                match.how = "exact"
                return match
        limit = max_typos(folded)
        if limit:
            best: dict[str, float] = {}
            for candidate in self._typo_candidates(folded, limit):
                dist = _distance(folded, candidate, limit)
                if dist <= limit:
                    weight = FUZZY_1 if dist <= 1 else FUZZY_2
                    for t in self._surface[candidate]:
                        best[t] = max(best.get(t, 0.0), weight)
            if best:
                match.terms.update(best)
                match.how = "typo"
                return match
        if len(term) >= _MIN_COMPOUND and not english:
            for t in self._compound_terms(term):
                match.terms[t] = COMPOUND
            if match.terms:
                match.how = "compound"
        return match

    def _typo_candidates(self, folded: str, limit: int) -> set[str]:
        found: set[str] = set()
        for d in _deletes(folded, limit):
            found |= self._deletes.get(d, set())
        return found

    def _compound_terms(self, term: str) -> list[str]:
        """Return terms that start with `term` (a compound's first part) or that start `term`."""
        out: list[str] = []
        i = bisect.bisect_left(self._sorted_terms, term)
        while i < len(self._sorted_terms) and self._sorted_terms[i].startswith(term):
            out.append(self._sorted_terms[i])
            i += 1
            if len(out) >= 8:
                break
        if not out:
            for cut in range(len(term) - 1, _MIN_COMPOUND, -1):
                if term[:cut] in self._vocab:
                    out.append(term[:cut])
                    break
        return out

    def analyse(self, question: str, english: bool = False) -> Query:
        """Turn a question into content words with their matches and weighted terms."""
        tokens = words(question)
        matches: list[WordMatch] = []
        i = 0
        while i < len(tokens):
            consumed, gloss = (0, None)
            if english or not self._known(tokens[i]):
                consumed, gloss = self._glossary_at(tokens, i)
            if gloss is not None:
                phrase = " ".join(tokens[i : i + consumed])
                match = WordMatch(phrase, how="glossary")
                for norwegian in gloss:
                    for part in words(norwegian):
                        sub = self.match_word(part)
                        for t, weight in sub.terms.items():
                            match.terms[t] = max(match.terms.get(t, 0.0), weight * GLOSSARY)
                matches.append(match)
                i += consumed
                continue
            word = tokens[i]
            i += 1
            if self.lexicon.is_stop(word) or len(word) < 2:
                continue
            matches.append(self.match_word(word, english=english))
        weights: dict[str, float] = {}
        for match in matches:
            for t, weight in match.terms.items():
                weights[t] = max(weights.get(t, 0.0), weight)
        return Query(text=question, matches=matches, weights=weights)

    def _known(self, word: str) -> bool:
        return term_of(word) in self._vocab or fold(word) in self._surface

    def _glossary_at(self, tokens: Sequence[str], i: int) -> tuple[int, tuple[str, ...] | None]:
        """Return the longest glossary phrase starting at token i, and its Norwegian words."""
        longest = min(self.lexicon.glossary_max_words, len(tokens) - i)
        for n in range(longest, 0, -1):
            key = tuple(english_key(t) for t in tokens[i : i + n])
            if key in self.lexicon.glossary:
                return n, self.lexicon.glossary[key]
        return 0, None

    # -- scoring --------------------------------------------------------------------------

    def scores(self, weights: dict[str, float]) -> NDArray[np.float32]:
        """Return the weighted BM25 score of every passage."""
        out = np.zeros(self._n_docs, dtype=np.float32)
        for term, weight in weights.items():
            tid = self._vocab.get(term)
            if tid is None:
                continue
            lo, hi = self._indptr[tid], self._indptr[tid + 1]
            out[self._indices[lo:hi]] += np.float32(weight) * self._data[lo:hi]
        return out

    def top(self, weights: dict[str, float], k: int = 5) -> list[Hit]:
        """Return the k best passages with a score above zero, best first."""
        if not weights:
            return []
        scores = self.scores(weights)
        candidates = np.flatnonzero(scores)
        if candidates.size == 0:
            return []
        if candidates.size > k:
            part = np.argpartition(scores[candidates], -k)[-k:]
            candidates = candidates[part]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        passages = self.knowledge.passages
        return [Hit(passages[int(i)], float(scores[int(i)])) for i in order]

    def search(self, question: str, k: int = 5, english: bool = False) -> list[Hit]:
        """Return the k best passages for a question."""
        return self.top(self.analyse(question, english=english).weights, k)

    def terms_in(self, text: str) -> set[str]:
        """Return the index terms of a piece of text (for scoring sentences)."""
        return {term_of(w) for w in self._content_words(text)}


def build_index(knowledge: KnowledgeBase, lexicon: Lexicon) -> SearchIndex:
    """Build the search index for a knowledge base."""
    return SearchIndex(knowledge, lexicon)


def unique(items: Iterable[str]) -> list[str]:
    """Return items without repeats, in their first order."""
    return list(dict.fromkeys(items))


__all__ = [
    "Hit",
    "Lexicon",
    "Query",
    "SearchIndex",
    "WordMatch",
    "build_index",
    "english_key",
    "load_lexicon",
    "term_of",
]
