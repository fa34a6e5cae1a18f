"""`!ask` with an LLM: answers in the model's words, grounded in the passages it was given.

The model reads the whole course when it fits in `context_chars` (else the best passages), with
the offline engine's judgement as a hint only: it decides itself whether the course covers the
question. Its answer is verified sentence by sentence (`verify.py`): each must cite a given
passage that supports it, and pass the output filter (`guard.py`). For a question about the
student's own business it may add advice, shown apart under a label, never mixed into the cited
part. When nothing supported is left, or the model fails (timeout, refused connection, HTTP
error, garbage, a cut stream), the offline engine's reply is used with the reason, so a member
always gets one. Identical questions within a time window come from a cache; a short
conversation memory turns follow-ups into questions that stand alone.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.core.ask.dense import DENSE_MIN
from bot.core.ask.memory import Clock, Memory, Turn, looks_like_follow_up
from bot.core.ask.offline import MAX_QUESTION_CHARS, OfflineAsker
from bot.core.ask.result import AskResult, source_out
from bot.core.ask.verify import Verifier, read_answer
from bot.core.guard import LIMITS, Drops, Guard
from bot.core.knowledge import Passage
from bot.core.language import Language
from bot.core.matches import Hit
from bot.core.ports import ChatModel
from bot.core.prompts import Prompts, as_data
from bot.core.strings import Strings
from bot.core.text import clean, fold, words
from bot.errors import LLMError

# The offline engine's judgement, given to the model as a hint only.
HINT_COVERED = "A keyword search found an answer in the course."
HINT_DECLINED = (
    "A keyword search found no answer in the course; it may have missed a paraphrase or the"
    " student's own case, so judge for yourself."
)
MAX_PASSAGES = 20
CONTEXT_CHARS = 24_000
CACHE_SIZE = 512
LANGUAGE_NAMES = {"nb": "Norwegian bokmål", "en": "English"}


@dataclass
class Cache:
    """Answers to identical questions within a time window."""

    seconds: float
    clock: Clock = time.monotonic
    entries: OrderedDict[tuple[str, str], tuple[float, AskResult]] = field(
        default_factory=OrderedDict
    )

    def get(self, question: str, lang: Language) -> AskResult | None:
        key = (" ".join(fold(w) for w in words(question)), lang)
        found = self.entries.get(key)
        if found is None or self.clock() - found[0] > self.seconds:
            return None
        return found[1].model_copy(update={"question": question})

    def put(self, question: str, lang: Language, result: AskResult) -> None:
        if self.seconds <= 0:
            return
        key = (" ".join(fold(w) for w in words(question)), lang)
        self.entries[key] = (self.clock(), result)
        self.entries.move_to_end(key)
        while len(self.entries) > CACHE_SIZE:
            self.entries.popitem(last=False)


class GroundedAsker:
    """Answers with the model when it is configured and well, and offline otherwise."""

    def __init__(
        self,
        offline: OfflineAsker,
        model: ChatModel,
        prompts: Prompts,
        strings: Strings,
        cache_seconds: float = 300.0,
        clock: Clock = time.monotonic,
        timeout: float = 20.0,
        memory: Memory | None = None,
        context_chars: int = CONTEXT_CHARS,
    ) -> None:
        self.timeout = timeout
        self.context_chars = context_chars
        self.guard = Guard.of(prompts.texts())
        self.verifier = Verifier(offline.index, self.guard)
        self.offline = offline
        self.model = model
        self.prompts = prompts
        self.strings = strings
        self.cache = Cache(cache_seconds, clock)
        self.memory = memory if memory is not None else Memory(clock)

    async def ask(
        self, question: str, language: Language | None = None, conversation: str | None = None
    ) -> AskResult:
        """Answer a question; `conversation` turns on follow-ups (None: no memory)."""
        question = clean(question).strip()
        bounded = question[:MAX_QUESTION_CHARS]
        lang = language or self.offline.language_of(bounded)
        standalone, context = bounded, ""
        turns = self.memory.recent(conversation) if conversation else []
        if turns and looks_like_follow_up(bounded, self.offline.has_topic(bounded, lang)):
            context = turns[-1].question
        try:
            # One budget for the whole reply: a follow-up's rewrite and the answer share it.
            async with asyncio.timeout(self.timeout):
                if context:
                    standalone = await self._standalone(bounded, turns)
                cached = self.cache.get(standalone, lang)
                if cached is not None:
                    return cached.model_copy(update={"question": question})
                result = await self._answer(question, standalone, lang, context)
        except TimeoutError:
            offline = self.offline.ask(standalone, lang, context=context)
            result = self._fallback(offline.model_copy(update={"question": question}), "timeout")
        if result.engine == "llm":
            self.cache.put(standalone, lang, result)
        if conversation:
            self.memory.add(conversation, standalone, result.answer)
        return result

    async def _standalone(self, question: str, turns: list[Turn]) -> str:
        history = "\n".join(
            f"Q: {as_data(t.question)}\nA: {as_data(t.answer[:300])}" for t in turns
        )
        messages = self.prompts.render("followup", history=history, question=as_data(question))
        try:
            rewritten = (
                await self.model.complete(messages, temperature=0.0, max_tokens=80)
            ).strip()
        except LLMError:
            return question
        rewritten = rewritten.strip().strip('"').splitlines()[0] if rewritten else ""
        return rewritten[:MAX_QUESTION_CHARS] if 2 <= len(words(rewritten)) <= 60 else question

    async def _answer(
        self, question: str, standalone: str, lang: Language, context: str
    ) -> AskResult:
        offline = self.offline.ask(standalone, lang, context=context)
        offline = offline.model_copy(update={"question": question})
        given = self._passages(standalone, lang)
        if not given:
            return self._fallback(offline, "not_covered")
        passages = "\n".join(
            f"[{n}] ({p.title}) {as_data(p.text)}" for n, p in enumerate(given, start=1)
        )
        hint = HINT_COVERED if offline.answered else HINT_DECLINED
        messages = self.prompts.render(
            "ask",
            language_name=LANGUAGE_NAMES[lang],
            passages=passages,
            question=as_data(standalone),
            hint=hint,
        )
        try:
            raw = await self.model.complete(
                messages, temperature=0.1, max_tokens=700, json_mode=True
            )
        except LLMError as exc:
            return self._fallback(offline, exc.reason)
        return self._ground(raw, given, offline, lang, standalone)

    def _passages(self, question: str, lang: Language) -> list[Passage]:
        """Return what the model reads: the whole course when it fits, else the best passages."""
        passages = list(self.offline.index.knowledge.passages)
        if sum(len(p.text) + len(p.title) + 8 for p in passages) <= self.context_chars:
            return passages
        index = self.offline.index
        hits = index.top(index.analyse(question, english=lang == "en").weights, k=MAX_PASSAGES)
        # The added documents' passages nearest in meaning go first: the words miss an English
        # question about Norwegian slides.
        near = self.offline.dense.search(question, k=3)
        hits = [Hit(p, s) for p, s in near if s >= DENSE_MIN[0]] + hits
        chosen: list[Passage] = []
        size = 0
        for hit in hits:
            if hit.passage in chosen:
                continue
            size += len(hit.passage.text) + len(hit.passage.title) + 8
            if size > self.context_chars and chosen:
                break
            chosen.append(hit.passage)
        return sorted(chosen, key=lambda p: p.id)

    def _ground(
        self, raw: str, given: list[Passage], offline: AskResult, lang: Language, question: str
    ) -> AskResult:
        """Keep the answer's supported sentences, renumbered by post; else the offline reply."""
        read = read_answer(raw)
        if read is None:
            return self._fallback(offline, "invalid_output")
        if read.not_covered and not read.claims:
            return self._fallback(offline, "not_covered")
        drops = Drops()
        claims = self.verifier.supported(read.claims, given, lang == "en", question, drops)
        if not claims:
            valid = any(1 <= n <= len(given) for c in read.claims for n in c.cites)
            reason = "unsupported" if valid else "no_valid_citation"
            return self._fallback(offline, reason)
        numbers: dict[tuple[str, str | None], int] = {}  # (post, page or slide) -> its [n]
        sentences: list[str] = []
        size = 0
        for claim in claims:
            marks = {
                numbers.setdefault((given[n - 1].slug, given[n - 1].location), len(numbers) + 1)
                for n in claim.cites
            }
            body, end = _split_end(claim.text)
            sentence = body + "".join(f" [{m}]" for m in sorted(marks)) + end
            size += len(sentence) + 1
            if size > LIMITS["answer"]:
                drops.add("too_long")
                break
            sentences.append(sentence)
        numbers = {key: n for key, n in numbers.items() if f"[{n}]" in " ".join(sentences)}
        advice = None
        if read.advice and self.offline.index.lexicon.own_case(question) is not None:
            known = f"{question} " + " ".join(p.text for p in given)
            advice = self.guard.text(read.advice, "advice", known, drops=drops) or None
        answer = " ".join(sentences)
        if advice:
            answer += "\n\n" + self.strings.t(lang, "ask.advice_label") + "\n" + advice
        index = self.offline.index
        hits = index.top(index.analyse(question, english=lang == "en").weights, k=MAX_PASSAGES)
        best: dict[str, float] = {}
        for hit in hits:  # a post's score: its best passage's, as offline
            best.setdefault(hit.passage.slug, round(hit.score, 4))
        sources = []
        for slug, location in numbers:
            post = index.knowledge.post(slug)
            sources.append(source_out(post, location, best.get(slug, 0.0)))
        return AskResult(
            question=offline.question,
            answered=True,
            answer=answer,
            sources=sources,
            language=lang,
            engine="llm",
            advice=advice,
        )

    def _fallback(self, offline: AskResult, reason: str) -> AskResult:
        notice = self.strings.t(offline.language, f"llm.fallback.{reason}")
        return offline.model_copy(update={"fallback_reason": reason, "notice": notice})


def _split_end(sentence: str) -> tuple[str, str]:
    """Split a sentence from its closing punctuation, so that markers go before it."""
    body = sentence.rstrip(".!?…:;")
    return body.rstrip(), sentence[len(body) :]


__all__ = ["LANGUAGE_NAMES", "Cache", "GroundedAsker"]
