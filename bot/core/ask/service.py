"""`!ask` as one feature: the offline engine, the model when configured, one memory, the budget.

`answer` is what every adapter calls; `answer_offline` is the engine alone, with no memory (the
evaluation sets and benchmarks use it).
"""

from __future__ import annotations

from bot.core.ask.dense import DenseIndex
from bot.core.ask.grounded import GroundedAsker
from bot.core.ask.memory import Memory, looks_like_follow_up
from bot.core.ask.offline import MAX_QUESTION_CHARS, OfflineAsker
from bot.core.ask.result import AskResult
from bot.core.budget import DailyBudget
from bot.core.language import Language, LanguagePolicy
from bot.core.ports import ChatModel, MemberId
from bot.core.prompts import Prompts
from bot.core.reply import Reply, Source
from bot.core.search import SearchIndex
from bot.core.strings import Strings
from bot.core.text import clean, scrub


class Asking:
    """Answer questions from the course, offline or grounded in a model, as conversations."""

    def __init__(
        self,
        index: SearchIndex,
        strings: Strings,
        language: LanguagePolicy,
        budget: DailyBudget,
        chat: ChatModel | None = None,
        prompts: Prompts | None = None,
        cache_seconds: float = 300.0,
        timeout: float = 20.0,
        context_chars: int = 24_000,
        dense: DenseIndex | None = None,
    ) -> None:
        self.strings = strings
        self.language = language
        self.budget = budget
        self.engine = OfflineAsker(index, strings, language.setting, dense)
        self.memory = Memory()
        self.grounded: GroundedAsker | None = None
        if chat is not None and prompts is not None:
            self.grounded = GroundedAsker(
                self.engine,
                chat,
                prompts,
                strings,
                cache_seconds,
                timeout=timeout,
                memory=self.memory,
                context_chars=context_chars,
            )

    def answer_offline(self, question: str, language: Language | None = None) -> AskResult:
        """Answer with the offline engine alone, with no conversation memory."""
        return self.engine.ask(question, language)

    async def answer(
        self,
        question: str,
        conversation: str | None = None,
        language: Language | None = None,
        budget_key: MemberId | None = None,
    ) -> AskResult:
        """Answer with the model when configured (falling back offline), else offline.

        With a conversation key, a follow-up leans on the previous question: the model rewrites
        it into a question that stands alone; offline, the previous question's terms join the
        search. One-shot and batch calls pass no key and have no memory.
        """
        question = scrub(question)
        lang = language or self.engine.language_of(clean(question)[:MAX_QUESTION_CHARS])
        if self.grounded is not None:
            if budget_key is None or self.budget.take(budget_key):
                return await self.grounded.ask(question, lang, conversation)
            offline = self.engine.ask(question, lang)
            notice = self.strings.t(lang, "llm.fallback.budget")
            return offline.model_copy(update={"fallback_reason": "budget", "notice": notice})
        context = ""
        turns = self.memory.recent(conversation) if conversation else []
        if turns and looks_like_follow_up(question, self.engine.has_topic(question, lang)):
            context = turns[-1].question
        result = self.engine.ask(question, lang, context=context)
        if conversation:
            self.memory.add(conversation, clean(question)[:MAX_QUESTION_CHARS], result.answer)
        return result

    def carry_over(self, old: Asking) -> None:
        """Keep an older instance's conversations and model cache (after a reload)."""
        self.memory = old.memory
        if self.grounded is not None:
            self.grounded.memory = old.memory
            if old.grounded is not None:
                self.grounded.cache = old.grounded.cache


def ask_reply(result: AskResult, strings: Strings) -> Reply:
    """Return an answer with numbered sources (or a plain refusal)."""
    sources = [
        Source(
            n=i,
            title=s.title,
            path=s.path,
            score=s.score,
            location=s.location,
            source=s.source,
        )
        for i, s in enumerate(result.sources, start=1)
    ]
    return Reply(
        parts=[result.answer],
        sources=sources,
        language=result.language,
        kind="answer" if result.answered else "refusal",
        notice=result.notice,
    )


__all__ = ["Asking", "ask_reply"]
