"""The sentences `!ask` may quote: each passage's sentences analysed once, filler left out.

A sentence about the text rather than its topic (an announcement, a caption, a question to the
reader) is never quotable. A lead-in ("... disse er:") stays, so that the items it introduces can
be quoted in its place; a post that stops at "Les videre" is known as cut there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.core.knowledge import Passage
from bot.core.search import SearchIndex, term_of
from bot.core.text import fold, sentences, words

MAX_ITEMS = 3
SENTENCE_CACHE = 20_000  # passages whose sentences are kept analysed
_CUT_MARKERS = ("Les videre",)
# An item of a list: "1. Troverdighet – ...", or a short label before a colon or dash.
_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]\s+|[^\W\d][^.:!?–\n]{0,40}\s*[:–]\s)")

# The verbs of a definition: 'en sertifisert bruker er ...', 'åpenhet betyr ...'.
_DEFINES = frozenset({"er", "betyr", "innebærer", "is", "means"})

Analysed = tuple[str, frozenset[str], frozenset[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence quoted from a passage, with its score."""

    passage: Passage
    text: str
    score: float


class SentenceBank:
    """The quotable sentences of every passage, with their terms and word pairs."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.cut = cut_passages(index.knowledge.passages)
        self._cache: dict[int, list[Analysed]] = {}

    def of(self, passage: Passage) -> list[Analysed]:
        """Return a passage's quotable sentences with their terms and word pairs (kept)."""
        cached = self._cache.get(passage.id)
        if cached is None:
            cached = []
            for start, end in sentences(passage.text):
                sentence = strip_cut_marker(passage.text[start:end])
                if len(words(sentence)) >= 3 and self.quotable(sentence):
                    terms = frozenset(self.index.terms_in(sentence))
                    cached.append((sentence, terms, frozenset(self.pairs(sentence))))
            if len(self._cache) > SENTENCE_CACHE:
                self._cache.clear()
            self._cache[passage.id] = cached
        return cached

    def quotable(self, sentence: str) -> bool:
        """Say whether a sentence can answer: not a question to the reader, not about the text.

        A lead-in (ending in ':') stays: the asker quotes the items it introduces instead.
        """
        return not sentence.rstrip().endswith("?") and not self.index.lexicon.is_filler(sentence)

    def items_after(self, passage: Passage) -> list[Quote]:
        """Return the first sentence of each item that follows a lead-in (numbered or labelled)."""
        items: list[Quote] = []
        passages = self.index.knowledge.passages
        for following in passages[passage.id + 1 : passage.id + 1 + MAX_ITEMS]:
            if following.slug != passage.slug or not _ITEM.match(following.text):
                break
            first = next(iter(self.of(following)), None)
            if first is not None:
                items.append(Quote(following, first[0], 0.0))
        return items

    def list_of(self, passage: Passage) -> list[Passage]:
        """Return the items of the list a passage is an item or the lead-in of ([] if none)."""
        passages = self.index.knowledge.passages
        first = passage.id
        if not _ITEM.match(passage.text):
            if not is_lead_in(passage.text):
                return []
            first = passage.id + 1
        else:
            while first > 0 and _is_item(passages[first - 1], passage.slug):
                first -= 1
        last = first
        while last < len(passages) and _is_item(passages[last], passage.slug):
            last += 1
        return list(passages[first:last])

    def cut_of(self, slug: str) -> Passage | None:
        """Return the passage where the post `slug` stops at "Les videre", if it does."""
        passages = self.index.knowledge.passages
        return next((passages[i] for i in self.cut if passages[i].slug == slug), None)

    def pairs(self, text: str) -> set[tuple[str, str]]:
        """Return what tells a sentence's wording: neighbouring words, terms, definitions.

        Pairs of neighbouring words that are not both stop words (folded); pairs of neighbouring
        content terms ('sertifiser', 'bruk'), which an English question meets through its
        glossary; and (term, '=') for a term a sentence defines ('... bruker er en ...').
        """
        tokens = [fold(w) for w in words(text)]
        stop = self.index.lexicon.is_stop
        out = {(a, b) for a, b in pairwise(tokens) if not (stop(a) and stop(b))}
        content = [(t, i) for i, t in enumerate(tokens) if not stop(t) and len(t) > 1]
        out |= {(term_of(a), term_of(b)) for (a, _), (b, _) in pairwise(content)}
        for word, i in content:
            if i + 1 < len(tokens) and tokens[i + 1] in _DEFINES:
                out.add((term_of(word), "="))
        return out


def _is_item(passage: Passage, slug: str) -> bool:
    return passage.slug == slug and _ITEM.match(passage.text) is not None


def is_lead_in(sentence: str) -> bool:
    """Say whether a sentence announces a list ("... disse er:", "... de Clara Shih fremhever:")."""
    return sentence.rstrip().endswith(":")


def cut_passages(passages: tuple[Passage, ...] | list[Passage]) -> frozenset[int]:
    """Return the ids of the passages where a post was cut: its last one, ending in a marker."""
    last: dict[str, Passage] = {}
    for passage in passages:
        last[passage.slug] = passage
    return frozenset(p.id for p in last.values() if p.text.rstrip().endswith(_CUT_MARKERS))


def strip_cut_marker(sentence: str) -> str:
    """Drop a trailing 'Les videre' (the post was cut there) from a quoted sentence."""
    stripped = sentence.rstrip()
    for marker in _CUT_MARKERS:
        if stripped.endswith(marker) and stripped != marker:
            stripped = stripped[: -len(marker)].rstrip()
    return stripped


__all__ = ["Quote", "SentenceBank", "cut_passages", "is_lead_in", "strip_cut_marker"]
