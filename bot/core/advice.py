"""The model's hints for a strategy step: questions and pointers by the step's rubric.

A hint passes the output filter and must be a question or a pointer to what the rubric asks
(it shares a word with the step's question or rubric); a hint that offers a ready text ("her er
et forslag", "du kan lime inn", a draft of the step written out) is dropped. When the model
fails, or nothing it wrote is left, the reason goes back so the reply can say so.
"""

from __future__ import annotations

import asyncio
import re

from bot.core.ask.grounded import LANGUAGE_NAMES
from bot.core.guard import Drops, Guard
from bot.core.language import Language
from bot.core.ports import ChatModel
from bot.core.prompts import Prompts, as_data
from bot.core.strategy import Advice, Step
from bot.core.text import fold, words
from bot.errors import LLMError

MAX_HINTS = 3
# A hint that hands the member a text to use instead of helping them write their own.
_READY_TEXT = re.compile(
    r"\bher\s+er\s+(?:et|en|ditt|din|mitt|vårt)?\s*(?:forslag|utkast|eksempel|ferdig\w*)"
    r"|\bferdig\s+(?:svar|tekst|formulert)|\blim(?:e)?\s+inn|\bkopier\w*|\bbruk\s+denne\s+teksten"
    r"|\bhere\s+is\s+(?:a|an|your|my)?\s*(?:draft|suggested|ready|example|sample)"
    r"|\b(?:copy|paste)\b|\byou\s+can\s+use\s+this",
    re.IGNORECASE,
)


class StepAdvisor:
    """Ask a model for at most three hints on a member's answer, each checked."""

    def __init__(self, chat: ChatModel, prompts: Prompts, timeout: float = 20.0) -> None:
        self.chat = chat
        self.prompts = prompts
        self.timeout = timeout
        self.guard = Guard.of(prompts.texts())

    async def __call__(self, step: Step, answer: str, lang: Language) -> Advice:
        """Return the model's hints for `answer` to `step` (the rules stand without them)."""
        rubric = "\n".join(f"- {c}" for c in step.covers(lang))
        messages = self.prompts.render(
            "strategy_feedback",
            language_name=LANGUAGE_NAMES[lang],
            step_title=step.title(lang),
            question=step.question(lang),
            rubric=rubric,
            answer=as_data(answer),
        )
        try:
            async with asyncio.timeout(self.timeout):
                text = await self.chat.complete(messages, temperature=0.3, max_tokens=200)
        except TimeoutError:
            return Advice(reason="timeout")
        except LLMError as exc:
            return Advice(reason=exc.reason)
        asks = f"{step.title(lang)} {step.question(lang)} {rubric}"
        known = f"{answer} {asks}"
        drops = Drops()
        guard = self.guard.with_prompt(*(m.content for m in messages if m.role == "system"))
        if guard.repeats_prompt(text[:20_000]):  # the reply as a whole echoes the prompt
            return Advice(reason="filtered")
        lines = text.splitlines()[:20]
        hints = [h for line in lines if (h := self.hint(line, known, asks, drops, guard))]
        if not hints:
            return Advice(reason="filtered" if drops.counts else "invalid_output")
        return Advice(hints[:MAX_HINTS])

    def hint(self, line: str, known: str, asks: str, drops: Drops, guard: Guard) -> str | None:
        """Return one line of the model's reply as a hint, or None when it is no hint.

        `known` is what a hint may name (the answer and the step); `asks` is what the step asks.
        """
        line = line.strip(" -•*\t")
        if len(line) <= 3:
            return None
        if _READY_TEXT.search(line):
            drops.add("ready_text")
            return None
        safe = guard.text(line, "hint", known, drops=drops)
        if not safe:
            return None
        if safe.endswith("?") or _points(safe, asks):
            return safe
        drops.add("not_a_hint")
        return None


def _points(hint: str, asks: str) -> bool:
    """Say whether a hint points at what the step asks (shares a content word with it)."""
    stems = {fold(w)[:5] for w in words(asks) if len(w) > 4}
    return any(fold(w)[:5] in stems for w in words(hint) if len(w) > 4)


__all__ = ["Advice", "StepAdvisor"]
