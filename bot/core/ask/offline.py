"""`!ask`, offline: quote the course sentences that answer a question, or decline honestly.

The decision to answer rests on what the question asks: each content word must be found in the
post that would answer it, weighted by how telling the word is. A question that reuses a course
word ('Twitter') but asks about something else ('charge', 'ads') is declined, whatever its score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

from bot.core.ask.dense import DenseIndex, nearest_quotes
from bot.core.ask.replies import Replies
from bot.core.ask.result import AskResult, PartOut
from bot.core.ask.sentences import Quote, SentenceBank, is_lead_in
from bot.core.knowledge import Passage
from bot.core.language import Language, LanguagePolicy
from bot.core.lexicon import AnswerType
from bot.core.search import Hit, Query, SearchIndex, WordMatch
from bot.core.strings import Strings
from bot.core.text import clean, words

MAX_QUESTION_CHARS = 500
MAX_SENTENCES = 3
MAX_HITS = 20
MIN_COVERAGE = 0.5
COMMON_WEIGHT = 0.1
UNKNOWN_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
QUOTE_SHARE = 0.5
PHRASE_BONUS = 0.2
PAIR_MEANINGS = 2  # a word matching more course terms than this is too loose to pair
PAIR_SHARE = 0.25  # a pair of terms both in more than this share of the passages tells nothing
CUT_COVERAGE = 0.3  # how much of a question a cut passage must hold to be where it would go on


# A question that asks what something is: the sentence that defines it answers first.
_DEFINITION = re.compile(r"\s*(?:hva\s+(?:er|betyr|menes\s+med)|what\s+(?:is|are|does))\b", re.I)

# A course name a question asks about, and the passage where the course mentions it.
Named = tuple[str, Passage]

# What a quoted sentence must hold: an answer type and the word it counts, if any.
Need = tuple[AnswerType, WordMatch | None] | None


@dataclass(frozen=True, slots=True)
class Found:
    """What the search found for one question or part: its quotes (none: declined)."""

    text: str
    hits: list[Hit]
    quotes: list[Quote]
    cut: Passage | None  # the cut post where the answer or the decline stands
    absent: Named | None  # a course name asked about something the course lacks, and where


class OfflineAsker:
    """Answers questions from the course text alone."""

    def __init__(
        self,
        index: SearchIndex,
        strings: Strings,
        language: str = "auto",
        dense: DenseIndex | None = None,
    ) -> None:
        self.index = index
        # The added documents' vectors (filled by the caller: `dense.fill()`).
        self.dense = dense if dense is not None else DenseIndex(index.knowledge)
        self.strings = strings
        self.language = LanguagePolicy(language, index.lexicon, index)
        self.bank = SentenceBank(index)
        self.replies = Replies(index, strings)

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
            return (
                self.replies.for_case(result, question, case[0], lang)
                if result.answered
                else result
            )
        asked = self._asked(bounded, lang)
        parts = self.index.lexicon.parts(asked)
        if len(parts) < 2:
            return self._result(question, lang, [self._find(asked, lang, context)])
        # Two questions in one: each part is answered or declined on its own; a part with no
        # topic of its own ('og hvordan blir man det?') asks about the part before it.
        found: list[Found] = []
        limit = max(1, 2 * MAX_SENTENCES // len(parts) - 1)
        for i, part in enumerate(parts):
            if i and not self.has_topic(part, lang):
                taken = {q.text for f in found for q in f.quotes}
                found.append(self._find(part, lang, parts[i - 1], limit, elliptic=taken))
            else:
                found.append(self._find(part, lang, context if not i else "", limit))
        return self._result(question, lang, found, parts)

    def _asked(self, text: str, lang: Language) -> str:
        """Return the questions of a text that also tells the student's situation.

        'Vi har nettopp laget en Facebook-side. Hvordan får vi følgere?': the statement is
        context, the question is what the course should answer (when it has a topic of its own).
        """
        pieces = [p for p in re.split(r"(?<=[.!])\s+", text) if p.strip()]
        questions = [p for p in pieces if p.rstrip().endswith("?")]
        if not questions or len(questions) == len(pieces):
            return text
        asked = " ".join(questions)
        return asked if self.has_topic(asked, lang) else text

    def _find(
        self,
        text: str,
        lang: Language,
        context: str = "",
        limit: int = MAX_SENTENCES,
        elliptic: set[str] | None = None,
    ) -> Found:
        """Search for one question (or part) and pick the sentences that answer it, if any.

        `elliptic` (the sentences quoted for earlier parts) marks a part that leans on the one
        before: it is answered only by new sentences that hold its own words.
        """
        query = self.index.analyse(text, english=lang == "en")
        own = Query(text, list(query.matches), dict(query.weights))
        self._weigh_everywhere(query)
        if context:
            extra = self.index.analyse(context[:MAX_QUESTION_CHARS], english=lang == "en")
            # A follow-up ('and the other kind?') leans on what the earlier question asked.
            for term, weight in extra.weights.items():
                query.weights.setdefault(term, weight * CONTEXT_WEIGHT)
            known = {m.word for m in query.matches}
            query.matches.extend(m for m in extra.matches if m.word not in known)
        hits = self.index.top(query.weights, k=MAX_HITS)
        need = self._need(query, text, self.index.lexicon.answer_type(words(text)))
        covered = [(h, c) for h in hits if (c := self.coverage(query, h.passage.id)) > MIN_COVERAGE]
        quotes = self.best_quotes(query, covered, need, limit) if covered else []
        if elliptic is not None:
            quotes = [
                q
                for q in quotes
                if own.matches
                and q.text not in elliptic
                and self._covered(own, self.index.terms_in(q.text)) > 0
            ]
        quotes, named = self._named(query, quotes)
        if elliptic is None:
            near = self._dense(text, quotes, limit, frozenset(h.passage.id for h in hits[:5]))
            if near is not None:
                return Found(text, [near[1], *hits], near[0], None, None)
        quotes, stops = self._where_it_stops(text, hits, quotes)
        if stops is not None:
            return Found(text, hits, [], stops, None)
        cut = next((q.passage for q in quotes if q.passage.id in self.bank.cut), None)
        # A question on the topic of a post that stops short may be answered in its lost part.
        if (
            not quotes
            and hits
            and hits[0].passage.id in self.bank.cut
            and self.coverage(query, hits[0].passage.id) >= CUT_COVERAGE
        ):
            cut = hits[0].passage
        return Found(text, hits, quotes, cut, named)

    def _dense(
        self, text: str, quotes: list[Quote], limit: int, agree: frozenset[int]
    ) -> tuple[list[Quote], Hit] | None:
        """Answer from an added document the words missed (an English question, Norwegian slides).

        Only where the words found nothing in the added documents: nothing at all (DENSE_MIN),
        or only the bundled course (the nearer DENSE_STRONG).
        """
        posts = self.index.knowledge
        if any(posts.post(q.passage.slug).meta.source for q in quotes):
            return None
        return nearest_quotes(self.dense, self.bank, text, limit, bool(quotes), agree)

    def _where_it_stops(
        self, text: str, hits: list[Hit], quotes: list[Quote]
    ) -> tuple[list[Quote], Passage | None]:
        """Check a question that asks past what a post holds; return its quotes and the cut.

        'Hva var konklusjonen?' of a post that stops at "Les videre" is declined where it stops;
        'den fjerde faktoren' is answered only from a list of four or more (its fourth first).
        """
        lexicon = self.index.lexicon
        if hits and lexicon.asks_further(text):
            # The post that would answer: the one quoted, or the nearest.
            cut = self.bank.cut_of((quotes[0] if quotes else hits[0]).passage.slug)
            if cut is not None:
                return [], cut
        n = lexicon.ordinal(text)
        if n is None or not quotes:
            return quotes, None
        items = next((found for q in quotes if (found := self.bank.list_of(q.passage))), [])
        if len(items) < n:  # a list too short, or none: only a list it runs into is cut there
            return [], self.bank.cut_of(items[0].slug) if items else None
        nth = next(iter(self.bank.of(items[n - 1])), None)
        if nth is None:
            return quotes, None
        wanted = Quote(items[n - 1], nth[0], 0.0)
        return [wanted, *(q for q in quotes if q.text != wanted.text)][:MAX_SENTENCES], None

    def _weigh_everywhere(self, query: Query) -> None:
        """Let words every course uses ('innlegget', 'studenter') weigh little in the search."""
        lexicon = self.index.lexicon
        everywhere = [m for m in query.matches if lexicon.is_everywhere(m.word)]
        if not everywhere or len(everywhere) == len(query.matches):
            return
        for match in everywhere:
            for term in match.terms:
                query.weights[term] = query.weights.get(term, 0.0) * COMMON_WEIGHT

    def _named(self, query: Query, quotes: list[Quote]) -> tuple[list[Quote], Named | None]:
        """Keep the quotes that answer what a question asks of a course name, if it names one.

        'Hva synes Clara Shih om TikTok?': the course names Clara Shih, but the quoted post must
        hold the name and what is asked of her (TikTok) too, or the question is declined, saying
        where the course mentions her.
        """
        names = [m for m in query.matches if m.matched and self.index.is_name(m.word)]
        if not names:
            return quotes, None
        has = self.index.post_has
        kept = [
            q for q in quotes if all(any(has(q.passage.slug, t) for t in m.terms) for m in names)
        ]
        lexicon = self.index.lexicon
        light = lexicon.is_common, lexicon.is_everywhere
        asked = [m for m in query.matches if m not in names and not any(f(m.word) for f in light)]
        terms: set[str] = set()
        for slug in {q.passage.slug for q in kept}:
            terms |= self.index.post_term_set(slug)
        if kept and (
            not asked or self._covered(Query(query.text, asked, {}), terms) >= MIN_COVERAGE
        ):
            return kept, None
        name = names[0]
        passages = self.index.knowledge.passages
        where = next(
            (p for p in passages if name.terms.keys() & self.index.passage_term_set(p.id)),
            passages[0],
        )
        return [], (name.word, where)

    def _result(
        self, question: str, lang: Language, found: list[Found], parts: list[str] | None = None
    ) -> AskResult:
        """Put the parts' answers and declines together (one part: an answer or a decline)."""
        hits = [h for f in found for h in f.hits]
        # Where some part is answered, only an answer's cut is noted (not a declined part's).
        answered = [f for f in found if f.quotes] or found
        cut = next((f.cut for f in answered if f.cut is not None), None)
        if not any(f.quotes for f in found):
            absent = found[0].absent
            result = (
                self.replies.named_absent(question, lang, absent, found[0].hits)
                if absent is not None and len(found) == 1
                else self.replies.decline(question, lang, hits)
            )
            key = "ask.cut_off_decline"
        else:
            blocks: list[list[Quote] | str] = []
            for f in found:
                line = self.strings.t(lang, "ask.part_not_covered", part=f.text)
                blocks.append(f.quotes or line)
            result = self.replies.answer(question, lang, blocks, hits)
            key = "ask.cut_off"
        if parts is not None:
            outs = [PartOut(text=f.text, answered=bool(f.quotes)) for f in found]
            result = result.model_copy(update={"parts": outs})
        return self.replies.mark_cut(result, cut, key) if cut is not None else result

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
        lexicon = self.index.lexicon
        common = lexicon.is_common(match.word) or lexicon.is_everywhere(match.word)
        if not match.terms:
            return self.index.max_idf * (COMMON_WEIGHT if common else UNKNOWN_WEIGHT)
        # The word's own meaning is its best match; weaker compound matches do not make it rarer.
        best = max(match.terms.values())
        weight = min(self.index.idf(t) for t, w in match.terms.items() if w == best)
        return weight * COMMON_WEIGHT if common else weight

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
        self,
        query: Query,
        covered: list[tuple[Hit, float]],
        need: Need = None,
        limit: int = MAX_SENTENCES,
    ) -> list[Quote]:
        """Pick the one to three sentences that answer best, best first."""
        top_score = max(h.score for h, _ in covered) or 1.0
        pairs = self.bank.pairs(query.text) | self._term_pairs(query)
        scored: list[Quote] = []
        for hit, passage_coverage in covered:
            for sentence, terms, sentence_pairs in self.bank.of(hit.passage):
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
            if quote.score < QUOTE_SHARE * scored[0].score or len(chosen) >= limit:
                break
            # A lead-in ("... disse er:") is no answer: the items it introduces are.
            found = self.bank.items_after(quote.passage) if is_lead_in(quote.text) else [quote]
            for item in found:
                if len(chosen) < limit and all(item.text != c.text for c in chosen):
                    chosen.append(item)
        return chosen

    def _term_pairs(self, query: Query) -> set[tuple[str, str]]:
        """Return the pairs of terms of neighbouring content words, and what it asks defined.

        'What is a verified user' gives ('sertifiser', 'bruk') through the glossary, and
        ('bruk', '='): a sentence that says what a 'bruker' is answers it first.
        """
        # Each word's own meaning (its best terms); a word the course lacks, or one that stands
        # for several ideas at once (a loose synonym entry), breaks a pair.
        best = [_best_terms(m) for m in query.matches]
        best = [terms if len(terms) <= PAIR_MEANINGS else set() for terms in best]
        n = len(self.index.knowledge.passages)
        df = n * PAIR_SHARE
        rare = math.log(1 + (n - df + 0.5) / (df + 0.5))  # a pair everywhere ('sosiale medier')
        idf = self.index.idf
        out = {
            (a, b) for m, o in pairwise(best) for a in m for b in o if max(idf(a), idf(b)) > rare
        }
        matches = [terms for terms in best if terms]
        if _DEFINITION.match(query.text) and matches:
            out |= {(t, "=") for t in matches[-1]}
        return out


def _best_terms(match: WordMatch) -> set[str]:
    """Return the terms of a word's own meaning: its best-weighted matches."""
    top = max(match.terms.values(), default=0.0)
    return {t for t, w in match.terms.items() if w == top}


__all__ = ["OfflineAsker"]
