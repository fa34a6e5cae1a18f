"""`!ask` with an LLM: answers in the model's words, grounded in the passages it was given.

Every [n] must point to a passage that was given; other markers are removed, and an answer left
without a valid citation, one the model marks NOT_COVERED, or one that repeats the system prompt
is replaced by the offline engine's answer or refusal, with the reason. Any failure of the model
(timeout, refused connection, HTTP error, garbage, a cut stream) does the same, so a member always
gets a reply. Identical questions within a time window come from a cache; a short conversation
memory turns follow-ups into questions that stand alone.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.core.ask.memory import Clock, Memory, Turn, looks_like_follow_up
from bot.core.ask.offline import MAX_QUESTION_CHARS, OfflineAsker
from bot.core.ask.result import AskResult, SourceOut
from bot.core.language import Language
from bot.core.ports import ChatModel
from bot.core.prompts import Prompts, as_data
from bot.core.search import Hit
from bot.core.strings import Strings
from bot.core.text import clean, fold, words
from bot.errors import LLMError

PASSAGES = 5
CACHE_SIZE = 512
_MARKER = re.compile(r"\[(\d{1,3})\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
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
    ) -> None:
        self.timeout = timeout
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
        index = self.offline.index
        query = index.analyse(standalone, english=lang == "en")
        hits = index.top(query.weights, k=PASSAGES)
        if not hits or not offline.answered:
            # The course does not cover it by the offline judgement: no model may say otherwise.
            return self._fallback(offline, "not_covered")
        passages = "\n".join(
            f"[{n}] ({hit.passage.title}) {as_data(hit.passage.text)}"
            for n, hit in enumerate(hits, start=1)
        )
        messages = self.prompts.render(
            "ask",
            language_name=LANGUAGE_NAMES[lang],
            passages=passages,
            question=as_data(standalone),
        )
        try:
            raw = await self.model.complete(messages, temperature=0.1, max_tokens=400)
        except LLMError as exc:
            return self._fallback(offline, exc.reason)
        return self._ground(raw, hits, offline, lang)

    def _ground(self, raw: str, hits: list[Hit], offline: AskResult, lang: Language) -> AskResult:
        text = raw.strip()
        if not text:
            return self._fallback(offline, "invalid_output")
        if text.upper().startswith("NOT_COVERED") or text.upper() == "NOT COVERED":
            return self._fallback(offline, "not_covered")
        if self._leaks(text):
            return self._fallback(offline, "invalid_output")
        numbers: dict[str, int] = {}  # post slug -> its [n] in the answer

        def renumber(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if not 1 <= n <= len(hits):
                return ""  # a marker for a passage that was not given
            slug = hits[n - 1].passage.slug
            return f"[{numbers.setdefault(slug, len(numbers) + 1)}]"

        answer = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub(renumber, text)).strip()
        if not numbers:
            return self._fallback(offline, "no_valid_citation")
        answer = re.sub(r"(\[\d+\])(\s*\1)+", r"\1", answer)  # [1] [1] -> [1]
        given = " ".join(h.passage.text for h in hits)
        if any(number not in given for number in _NUMBER.findall(_MARKER.sub("", text))):
            return self._fallback(offline, "invalid_output")  # a figure the passages do not hold
        best = {h.passage.slug: h.score for h in reversed(hits)}
        sources = []
        for slug in numbers:
            post = self.offline.index.knowledge.post(slug)
            sources.append(SourceOut(title=post.title, path=post.path, score=round(best[slug], 4)))
        return AskResult(
            question=offline.question,
            answered=True,
            answer=answer,
            sources=sources,
            language=lang,
            engine="llm",
        )

    def _leaks(self, text: str) -> bool:
        """Say whether the answer repeats a stretch of the system prompt."""
        persona = " ".join(self.prompts.persona.split())
        flat = " ".join(text.split())
        return any(persona[i : i + 60] in flat for i in range(0, max(1, len(persona) - 60), 20))

    def _fallback(self, offline: AskResult, reason: str) -> AskResult:
        notice = self.strings.t(offline.language, f"llm.fallback.{reason}")
        return offline.model_copy(update={"fallback_reason": reason, "notice": notice})


__all__ = ["LANGUAGE_NAMES", "Cache", "GroundedAsker"]
