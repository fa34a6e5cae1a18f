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

import bm25s
import numpy as np
from numpy.typing import NDArray

from bot.core.bm25 import column_scores, inverted_index
from bot.core.knowledge import KnowledgeBase, Passage
from bot.core.lexicon import Lexicon, PhraseTable, english_key, load_lexicon, term_of
from bot.core.matches import Hit, Query, WordMatch
from bot.core.text import WORD, deletes, edit_distance, fold, max_typos, sentences, words

EXACT = 1.0
FOLDED = 0.95
GLOSSARY = 0.9
SYNONYM = 0.9
FUZZY_1 = 0.8
FUZZY_2 = 0.6
COMPOUND = 0.6
_MIN_FUZZY = 5
_MIN_PREFIX = 4
_MIN_PART = 3
_MIN_SUFFIX = 5


class SearchIndex:
    """A bm25s index over passages, with the vocabulary structures for robust matching."""

    def __init__(self, knowledge: KnowledgeBase, lexicon: Lexicon) -> None:
        self.knowledge = knowledge
        self.lexicon = lexicon
        passages = knowledge.passages
        self._corpus_terms = [self.passage_terms(p) for p in passages]
        self._passage_sets = [frozenset(terms) for terms in self._corpus_terms]
        retriever = bm25s.BM25()
        retriever.index(self._corpus_terms, show_progress=False)
        vocab: dict[str, int] = retriever.vocab_dict
        self._vocab = {t: i for t, i in vocab.items() if t}
        self._sorted_terms = sorted(self._vocab)
        self._n_docs = len(passages)
        # The per-term columns of the BM25 matrix, under the attribute names older knowledge
        # caches (pickles of this object) also have, so that a cache from before still loads.
        self._indices, self._indptr = inverted_index(vocab, self._passage_sets)
        self._data = column_scores(retriever, self._indices, self._indptr, self._n_docs)
        # Surface words (folded) -> their terms; for typos and folded spellings.
        self._surface: dict[str, set[str]] = {}
        for passage in passages:
            for w in self._content_words(self._passage_text(passage)):
                self._surface.setdefault(fold(w), set()).add(term_of(w))
        self._stop_deletes: dict[str, set[str]] = {}
        for stop in {fold(w) for w in lexicon.stop_nb | lexicon.stop_en if len(w) >= 4}:
            for d in deletes(stop, 1):
                self._stop_deletes.setdefault(d, set()).add(stop)
        # Word endings (the head of a compound: 'melding' in 'direktemelding') -> surface words.
        self._suffixes: dict[str, set[str]] = {}
        for surface in self._surface:
            for cut in range(1, len(surface) - _MIN_SUFFIX + 1):
                self._suffixes.setdefault(surface[cut:], set()).add(surface)
        self._deletes: dict[str, set[str]] = {}
        for surface in self._surface:
            for d in deletes(surface, max_typos(surface)):
                self._deletes.setdefault(d, set()).add(surface)
        df = np.diff(self._indptr)
        self._idf = {
            t: math.log(1 + (self._n_docs - df[i] + 0.5) / (df[i] + 0.5))
            for t, i in self._vocab.items()
        }
        self.max_idf = max(self._idf.values(), default=1.0)
        self.names = _names(passages)
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

    def post_term_set(self, slug: str) -> set[str]:
        """Return the index terms of every passage of the post `slug`."""
        return self._post_terms.get(slug, set())

    def passage_term_set(self, passage_id: int) -> frozenset[str]:
        """Return the index terms of one passage."""
        return self._passage_sets[passage_id]

    def is_name(self, word: str) -> bool:
        """Say whether a word (each word of a merged name) is a name in the course ('Twitter')."""
        return all(fold(w) in self.names for w in word.split())

    def known(self, word: str) -> bool:
        """Say whether a word, as written or folded, is a word of the course."""
        return term_of(word) in self._vocab or fold(word) in self._surface

    def match_word(self, word: str, english: bool = False) -> WordMatch:
        """Match one content word to index terms: exact, folded, near misspelling, compound.

        For an English question only names and loan words shared by both languages match
        ('Twitter', 'blog'), since an English word that looks Norwegian is usually another word.
        """
        match = WordMatch(word)
        term = term_of(word)
        folded = fold(word)
        if term in self._vocab:
            match.terms[term] = EXACT
            match.how = "exact"
        elif folded in self._surface:
            for t in self._surface[folded]:
                match.terms[t] = FOLDED
            match.how = "folded"
        if not match.terms:
            self._add_typos(match, folded)
        if english:
            return match
        if len(term) >= _MIN_PREFIX:
            # A compound that starts with the word: 'følger' -> 'følgerskare'.
            for t in self._longer_terms(term):
                match.terms.setdefault(t, COMPOUND)
            if match.terms and match.how == "none":
                match.how = "compound"
        if not match.terms:
            for part in self._compound_parts(folded) or self._ending_terms(folded):
                match.terms.setdefault(part, COMPOUND)
            if match.terms:
                match.how = "compound"
        return match

    def _ending_terms(self, folded: str) -> list[str]:
        """Return the terms of course words ending with this word: melding -> direktemelding."""
        if len(folded) < _MIN_SUFFIX:
            return []
        found = self._suffixes.get(folded) or self._suffixes.get(fold(term_of(folded)), set())
        return sorted({t for surface in found for t in self._surface[surface]})[:8]

    def _near_stop(self, word: str) -> bool:
        """Say whether an unknown word is a misspelled stop word ('vikitg', 'mang')."""
        folded = fold(word)
        if len(folded) < 4 or self.known(word):
            return False
        for d in deletes(folded, 1):
            for stop in self._stop_deletes.get(d, ()):
                # A four-letter word only by a dropped letter ('mang'), not 'sell' for 'tell'.
                if edit_distance(folded, stop, 1) <= 1 and (len(folded) > 4 or len(stop) > 4):
                    return True
        return False

    def _add_typos(self, match: WordMatch, folded: str) -> None:
        limit = max_typos(folded)
        if not limit:
            return
        for candidate in self._typo_candidates(folded, limit):
            dist = edit_distance(folded, candidate, limit)
            if dist <= limit:
                weight = FUZZY_1 if dist <= 1 and len(folded) >= _MIN_FUZZY else FUZZY_2
                for t in self._surface[candidate]:
                    match.terms[t] = max(match.terms.get(t, 0.0), weight)
        if match.terms:
            match.how = "typo"

    def _typo_candidates(self, folded: str, limit: int) -> set[str]:
        found: set[str] = set()
        for d in deletes(folded, limit):
            found |= self._deletes.get(d, set())
        return found

    def _longer_terms(self, term: str, limit: int = 8) -> list[str]:
        """Return up to `limit` index terms that start with `term` (and are longer)."""
        out: list[str] = []
        i = bisect.bisect_left(self._sorted_terms, term)
        while i < len(self._sorted_terms) and len(out) < limit:
            candidate = self._sorted_terms[i]
            if not candidate.startswith(term):
                break
            if candidate != term:
                out.append(candidate)
            i += 1
        return out

    def _part_terms(self, part: str, tail: bool = False) -> list[str]:
        """Return the index terms a compound part stands for, or [] when it is no course word."""
        if part in self._surface:
            return sorted(self._surface[part])
        term = term_of(part)
        if term in self._vocab and len(term) >= _MIN_PART:
            return [term]
        return self._ending_terms(part) if tail else []

    def _compound_parts(self, folded: str) -> list[str]:
        """Split an unknown compound into two course words: 'banktjenester' -> bank + tjenester."""
        for cut in range(len(folded) - _MIN_PART, _MIN_PART - 1, -1):
            head, tail = folded[:cut], folded[cut:]
            heads = self._part_terms(head)
            if not heads and head.endswith(("s", "e")) and len(head) > _MIN_PART + 1:
                heads = self._part_terms(head[:-1])  # the linking letter: 'kundes' + 'behov'
            if not heads:
                continue
            tails = self._part_terms(tail, tail=True)
            if tails:
                return heads + tails
        return []

    def analyse(self, question: str, english: bool = False) -> Query:
        """Turn a question into content words, each with the index terms it matched."""
        tokens = words(question)
        matches: list[WordMatch] = []
        i = 0
        while i < len(tokens):
            used, match = self._phrase_match(tokens, i, english)
            if used:
                if match is not None:
                    matches.append(match)
                i += used
                continue
            word = tokens[i]
            i += 1
            if self.lexicon.is_stop(word) or len(word) < 2 or self._near_stop(word):
                continue
            if "-" in word and not self.known(word):
                # 'itfag-bloggen', 'elegantè-banken': match the parts as words of their own.
                for part in word.split("-"):
                    if len(part) > 1 and not self.lexicon.is_stop(part):
                        matches.append(self.match_word(part, english=english))
                continue
            matches.append(self.match_word(word, english=english))
        matches = self._merge_names(list({m.word: m for m in matches}.values()))
        weights: dict[str, float] = {}
        for match in matches:
            for t, weight in match.terms.items():
                weights[t] = max(weights.get(t, 0.0), weight)
        return Query(text=question, matches=matches, weights=weights)

    def _postings(self, term: str) -> bytes:
        tid = self._vocab[term]
        return self._indices[self._indptr[tid] : self._indptr[tid + 1]].tobytes()

    def _merge_names(self, matches: list[WordMatch]) -> list[WordMatch]:
        """Join neighbours that always occur together ('Clara Shih') so a name counts once."""
        merged: list[WordMatch] = []
        for match in matches:
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and prev.how == match.how == "exact"
                and len(prev.terms) == len(match.terms) == 1
                and self._postings(next(iter(prev.terms)))
                == self._postings(next(iter(match.terms)))
            ):
                prev.word = f"{prev.word} {match.word}"
                prev.terms.update(match.terms)
                continue
            merged.append(match)
        return merged

    def _phrase_match(
        self, tokens: list[str], i: int, english: bool
    ) -> tuple[int, WordMatch | None]:
        """Match a glossary or synonym phrase at tokens[i]: (tokens used, match or None).

        A phrase of several words always wins; a single word goes through a table only when it
        is not a course word itself (English questions always use the glossary). A phrase whose
        course words are all stop words is used up without a match: it carries no content.
        """
        word = tokens[i]
        tables: list[tuple[PhraseTable, float]] = []
        if english:
            tables = [(self.lexicon.glossary, GLOSSARY)]
        else:
            tables = [(self.lexicon.synonyms, SYNONYM), (self.lexicon.glossary, GLOSSARY)]
        single = not self.lexicon.is_stop(word) and not (not english and self.known(word))
        for table, weight in tables:
            used, targets = table.longest_at(tokens, i, min_words=1 if single else 2)
            if not used:
                continue
            match = self._target_match(" ".join(tokens[i : i + used]), targets, weight)
            if not match.terms and all(self.lexicon.is_stop(p) for t in targets for p in words(t)):
                return used, None
            return used, match
        if single and not self.known(word) and not self._near_course_word(word, english):
            # A misspelled glossary or synonym entry ('folowers', 'lykes').
            for table, weight in tables:
                targets = table.near(word)
                if targets:
                    return 1, self._target_match(word, targets, weight * FUZZY_1)
        return 0, None

    def _near_course_word(self, word: str, english: bool) -> bool:
        """Say whether a misspelling is closer to a course word (then typo matching takes it)."""
        if english:
            return False
        folded = fold(word)
        limit = max_typos(folded)
        return bool(limit) and any(
            edit_distance(folded, c, limit) <= limit for c in self._typo_candidates(folded, limit)
        )

    def _target_match(self, phrase: str, targets: tuple[str, ...], weight: float) -> WordMatch:
        """Match the course words a glossary or synonym entry stands for."""
        match = WordMatch(phrase, how="phrase")
        for target in targets:
            for part in words(target):
                if self.lexicon.is_stop(part):
                    continue
                for t, w in self.match_word(part).terms.items():
                    match.terms[t] = max(match.terms.get(t, 0.0), w * weight)
        return match

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


def _names(passages: tuple[Passage, ...] | list[Passage]) -> frozenset[str]:
    """Return the words (folded) the course writes with a capital inside a sentence, as names.

    A word counts when it is capitalised in most of its uses after a sentence's first word:
    'Twitter', 'Elegantè', 'Clara Shih'; not 'Det' or 'Innleggene'.
    """
    capital: dict[str, int] = {}
    seen: dict[str, int] = {}
    for passage in passages:
        for start, end in sentences(passage.text):
            for word in WORD.findall(passage.text[start:end])[1:]:
                key = fold(word)
                seen[key] = seen.get(key, 0) + 1
                if word[0].isupper():
                    capital[key] = capital.get(key, 0) + 1
    return frozenset(w for w, n in capital.items() if n * 4 >= seen[w] * 3 and len(w) > 1)


def build_index(knowledge: KnowledgeBase, lexicon: Lexicon) -> SearchIndex:
    """Build the search index for a knowledge base."""
    return SearchIndex(knowledge, lexicon)


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
