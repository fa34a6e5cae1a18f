"""`!ask`, offline: quote the course sentences that answer a question, or decline honestly.

The decision to answer rests on what the question asks: each content word must be found in the
post that would answer it, weighted by how telling the word is. A question that reuses a course
word ('Twitter') but asks about something else ('charge', 'ads') is declined, whatever its score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from pydantic import BaseModel, Field

from bot.core.knowledge import Passage
from bot.core.language import Language, LanguagePolicy
from bot.core.lexicon import AnswerType
from bot.core.search import Hit, Query, SearchIndex, WordMatch
from bot.core.strings import Strings
from bot.core.text import clean, fold, sentences, words

MAX_QUESTION_CHARS = 500
MAX_SENTENCES = 3
MAX_HITS = 20
MIN_COVERAGE = 0.5
COMMON_WEIGHT = 0.1
UNKNOWN_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
QUOTE_SHARE = 0.5
PHRASE_BONUS = 0.2
CUT_COVERAGE = 0.3  # how much of a question a cut passage must hold to be where it would go on
SENTENCE_CACHE = 20_000  # passages whose sentences are kept analysed
_CUT_MARKERS = ("Les videre",)
# An item of a list: "1. Troverdighet – ...", or a short label before a colon or dash.
_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]\s+|[^\W\d][^.:!?–\n]{0,40}\s*[:–]\s)")


class SourceOut(BaseModel):
    """A cited post in the pinned JSON shape."""

    title: str
    path: str
    score: float


class AskResult(BaseModel):
    """The answer to a question, in the pinned JSON shape (plus fields for the adapters)."""

    question: str
    answered: bool
    answer: str
    sources: list[SourceOut] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    language: Language
    engine: str = "offline"
    fallback_reason: str | None = None
    notice: str | None = None
    # True when the answer or the decline stands where a post is cut ("Les videre").
    cut_off: bool = False

    def to_json(self) -> dict[str, object]:
        """Return the pinned JSON fields (fallback_reason only when the engine fell back)."""
        data = self.model_dump(exclude={"fallback_reason", "notice"})
        if self.fallback_reason is not None:
            data["fallback_reason"] = self.fallback_reason
        return data


# What a quoted sentence must hold: an answer type and the word it counts, if any.
Need = tuple[AnswerType, WordMatch | None] | None


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence quoted from a passage, with its score."""

    passage: Passage
    text: str
    score: float


class OfflineAsker:
    """Answers questions from the course text alone."""

    def __init__(self, index: SearchIndex, strings: Strings, language: str = "auto") -> None:
        self.index = index
        self.strings = strings
        self.language = LanguagePolicy(language, index.lexicon, index)
        self._cut = _cut_passages(index.knowledge.passages)
        self._sentence_cache: dict[
            int, list[tuple[str, frozenset[str], frozenset[tuple[str, str]]]]
        ] = {}

    def language_of(self, question: str) -> Language:
        """Return the reply language: fixed by the setting, or detected from the question."""
        return self.language.of(question)

    def has_topic(self, question: str, language: Language) -> bool:
        """Say whether a question names a topic of its own (a content word, not an everyday one)."""
        query = self.index.analyse(clean(question)[:MAX_QUESTION_CHARS], english=language == "en")
        return any(not self.index.lexicon.is_common(m.word) for m in query.matches)

    def ask(self, question: str, language: Language | None = None, context: str = "") -> AskResult:
        """Answer `question`; `context` is an earlier question whose terms join the search."""
        question = clean(question).strip()
        bounded = question[:MAX_QUESTION_CHARS]
        lang = language or self.language_of(bounded)
        case = self.index.lexicon.own_case(bounded)
        if case is not None and case[1]:
            # The student's own business is context: the rest is what the course should answer.
            result = self.ask(case[1], lang, context)
            return self._for_case(result, question, case[0], lang) if result.answered else result
        query = self.index.analyse(bounded, english=lang == "en")
        if context:
            extra = self.index.analyse(context[:MAX_QUESTION_CHARS], english=lang == "en")
            # A follow-up ('and the other kind?') leans on what the earlier question asked.
            for term, weight in extra.weights.items():
                query.weights.setdefault(term, weight * CONTEXT_WEIGHT)
            known = {m.word for m in query.matches}
            query.matches.extend(m for m in extra.matches if m.word not in known)
        hits = self.index.top(query.weights, k=MAX_HITS)
        need = self._need(query, bounded, self.index.lexicon.answer_type(words(bounded)))
        covered = [(h, c) for h in hits if (c := self.coverage(query, h.passage.id)) > MIN_COVERAGE]
        quotes = self.best_quotes(query, covered, need) if covered else []
        if not quotes:
            result = self._decline(question, lang, hits)
            # A question on the topic of a post that stops short may be answered in its lost part.
            if (
                hits
                and hits[0].passage.id in self._cut
                and self.coverage(query, hits[0].passage.id) >= CUT_COVERAGE
            ):
                return self._mark_cut(result, hits[0].passage, "ask.cut_off_decline")
            return result
        result = self._answer(question, lang, quotes, hits)
        cut = next((q.passage for q in quotes if q.passage.id in self._cut), None)
        return self._mark_cut(result, cut, "ask.cut_off") if cut is not None else result

    def _mark_cut(self, result: AskResult, passage: Passage, key: str) -> AskResult:
        """Add the line saying the post stops here, and set `cut_off`."""
        title = self.index.knowledge.post(passage.slug).title
        line = self.strings.t(result.language, key, title=title)
        return result.model_copy(update={"answer": f"{result.answer}\n{line}", "cut_off": True})

    def _for_case(
        self, result: AskResult, question: str, business: str, lang: Language
    ) -> AskResult:
        """Say that the quoted advice is the course's and applies to the student's business too."""
        post = next(p for p in self.index.knowledge.posts if p.path == result.sources[0].path)
        body = result.answer.split("\n", 1)[1] if "\n" in result.answer else result.answer
        # Name the post's topic the quoted advice is most about ('de første følgerne').
        quoted = self.index.terms_in(body)
        topics = post.topics(lang)
        topic = max(topics, key=lambda t: len(self.index.terms_in(t) & quoted)) if topics else ""
        intro = self.strings.t(
            lang, "ask.own_case_intro", topic=topic or post.title, business=business
        )
        return result.model_copy(update={"question": question, "answer": f"{intro}\n{body}"})

    def coverage(self, query: Query, passage_id: int) -> float:
        """Return the share of the question's content, weighted by importance, in a passage."""
        return self._covered(query, self.index.passage_term_set(passage_id))

    def _covered(self, query: Query, terms: frozenset[str] | set[str]) -> float:
        total = 0.0
        found = 0.0
        for match in query.matches:
            weight = self._importance(match)
            total += weight
            found += weight * max((w for t, w in match.terms.items() if t in terms), default=0.0)
        return found / total if total else 0.0

    def _importance(self, match: WordMatch) -> float:
        """Weigh a content word by how telling it is.

        An unknown word weighs as much as the rarest course word, since it may be what the
        question is really about ('rente', 'algoritme'); an everyday word weighs little.
        """
        common = self.index.lexicon.is_common(match.word)
        if not match.terms:
            return self.index.max_idf * (COMMON_WEIGHT if common else UNKNOWN_WEIGHT)
        # The word's own meaning is its best match; weaker compound matches do not make it rarer.
        best = max(match.terms.values())
        weight = min(self.index.idf(t) for t, w in match.terms.items() if w == best)
        return weight * COMMON_WEIGHT if common else weight

    def _sentences(
        self, passage: Passage
    ) -> list[tuple[str, frozenset[str], frozenset[tuple[str, str]]]]:
        """Return a passage's sentences with their terms and word pairs (kept for reuse)."""
        cached = self._sentence_cache.get(passage.id)
        if cached is None:
            cached = []
            for start, end in sentences(passage.text):
                sentence = _strip_cut_marker(passage.text[start:end])
                if len(words(sentence)) >= 3 and self._quotable(sentence):
                    terms = frozenset(self.index.terms_in(sentence))
                    cached.append((sentence, terms, frozenset(self._pairs(sentence))))
            if len(self._sentence_cache) > SENTENCE_CACHE:
                self._sentence_cache.clear()
            self._sentence_cache[passage.id] = cached
        return cached

    def _quotable(self, sentence: str) -> bool:
        """Say whether a sentence can answer: not a question to the reader, not about the text.

        A lead-in (ending in ':') stays: `best_quotes` quotes the items it introduces instead.
        """
        return not sentence.rstrip().endswith("?") and not self.index.lexicon.is_filler(sentence)

    def _items_after(self, passage: Passage) -> list[Quote]:
        """Return the first sentence of each item that follows a lead-in (numbered or labelled)."""
        items: list[Quote] = []
        passages = self.index.knowledge.passages
        for following in passages[passage.id + 1 : passage.id + 1 + MAX_SENTENCES]:
            if following.slug != passage.slug or not _ITEM.match(following.text):
                break
            first = next(iter(self._sentences(following)), None)
            if first is not None:
                items.append(Quote(following, first[0], 0.0))
        return items

    def _pairs(self, text: str) -> set[tuple[str, str]]:
        """Return the pairs of neighbouring words that are not both stop words (folded)."""
        tokens = [fold(w) for w in words(text)]
        stop = self.index.lexicon.is_stop
        return {(a, b) for a, b in pairwise(tokens) if not (stop(a) and stop(b))}

    def _need(self, query: Query, question: str, asked: tuple[AnswerType, int] | None) -> Need:
        """Return what a quoted sentence must hold for the question's answer type."""
        if asked is None:
            return None
        kind, end = asked
        focus: WordMatch | None = None
        if kind.focus:
            after = " ".join(words(question)[end:])
            focus = next((m for m in query.matches if m.word in after), None)
            if focus is not None and self.index.lexicon.is_common(focus.word):
                focus = None  # 'hvor mange personer' counts users as well
        return kind, focus

    def best_quotes(
        self, query: Query, covered: list[tuple[Hit, float]], need: Need = None
    ) -> list[Quote]:
        """Pick the one to three sentences that answer best, best first."""
        top_score = max(h.score for h, _ in covered) or 1.0
        pairs = self._pairs(query.text)
        scored: list[Quote] = []
        for hit, passage_coverage in covered:
            for sentence, terms, sentence_pairs in self._sentences(hit.passage):
                if need is not None:
                    kind, focus = need
                    if not self.index.lexicon.satisfies(kind, sentence):
                        continue
                    if focus is not None and not terms & focus.terms.keys():
                        continue  # 'hvor mange studenter': the number must count students
                own = self._covered(query, terms)
                if own <= 0 and need is None:
                    continue  # a typed question's answer may name its subject only as 'Den'

                # Words in the question's own order ('fått det til') point at the sentence.
                shared = min(len(pairs & sentence_pairs), 3)
                score = own + 0.5 * passage_coverage + 0.5 * hit.score / top_score
                score += PHRASE_BONUS * shared
                scored.append(Quote(hit.passage, sentence, score))
        scored.sort(key=lambda q: q.score, reverse=True)
        chosen: list[Quote] = []
        for quote in scored:
            if quote.score < QUOTE_SHARE * scored[0].score or len(chosen) == MAX_SENTENCES:
                break
            # A lead-in ("... disse er:") is no answer: the items it introduces are.
            found = self._items_after(quote.passage) if _is_lead_in(quote.text) else [quote]
            for item in found:
                if len(chosen) < MAX_SENTENCES and all(item.text != c.text for c in chosen):
                    chosen.append(item)
        return chosen

    def _answer(
        self, question: str, lang: Language, quotes: list[Quote], hits: list[Hit]
    ) -> AskResult:
        numbers: dict[str, int] = {}
        lines = [self.strings.t(lang, "ask.intro")]
        for quote in quotes:
            n = numbers.setdefault(quote.passage.slug, len(numbers) + 1)
            lines.append(f"«{quote.text}» [{n}]")
        best_by_post: dict[str, float] = {}
        for hit in hits:
            best_by_post[hit.passage.slug] = max(best_by_post.get(hit.passage.slug, 0), hit.score)
        sources = []
        for slug in numbers:
            post = self.index.knowledge.post(slug)
            score = round(best_by_post.get(slug, 0.0), 4)
            sources.append(SourceOut(title=post.title, path=post.path, score=score))
        return AskResult(
            question=question,
            answered=True,
            answer="\n".join(lines),
            sources=sources,
            language=lang,
        )

    def related_topics(self, lang: Language, hits: list[Hit], limit: int = 4) -> list[str]:
        """Return the topics of the posts closest to a question (or of the course as a whole)."""
        slugs = list(dict.fromkeys(h.passage.slug for h in hits))
        for post in self.index.knowledge.posts:
            if len(slugs) >= 3:
                break
            if post.slug not in slugs:
                slugs.append(post.slug)
        topics: list[str] = []
        for slug in slugs[:3]:
            topics.extend(self.index.knowledge.post(slug).topics(lang)[:2])
        return list(dict.fromkeys(topics))[:limit]

    def _decline(self, question: str, lang: Language, hits: list[Hit]) -> AskResult:
        related = self.related_topics(lang, hits)
        text = self.strings.t(lang, "ask.not_covered")
        if related:
            text += " " + self.strings.t(lang, "ask.related", topics=", ".join(related))
        return AskResult(
            question=question, answered=False, answer=text, related=related, language=lang
        )


def _is_lead_in(sentence: str) -> bool:
    """Say whether a sentence announces a list ("... disse er:", "... de Clara Shih fremhever:")."""
    return sentence.rstrip().endswith(":")


def _cut_passages(passages: tuple[Passage, ...] | list[Passage]) -> frozenset[int]:
    """Return the ids of the passages where a post was cut: its last one, ending in a marker."""
    last: dict[str, Passage] = {}
    for passage in passages:
        last[passage.slug] = passage
    return frozenset(p.id for p in last.values() if p.text.rstrip().endswith(_CUT_MARKERS))


def _strip_cut_marker(sentence: str) -> str:
    """Drop a trailing 'Les videre' (the post was cut there) from a quoted sentence."""
    stripped = sentence.rstrip()
    for marker in _CUT_MARKERS:
        if stripped.endswith(marker) and stripped != marker:
            stripped = stripped[: -len(marker)].rstrip()
    return stripped


__all__ = ["AskResult", "OfflineAsker", "Quote", "SourceOut"]
