"""The model's hints for a strategy step: questions and pointers by the step's rubric."""

from __future__ import annotations

import asyncio

from bot.core.ask.grounded import LANGUAGE_NAMES
from bot.core.language import Language
from bot.core.ports import ChatModel
from bot.core.prompts import Prompts, as_data
from bot.core.strategy import Step
from bot.errors import LLMError


class StepAdvisor:
    """Ask a model for at most three hints on a member's answer; [] when it fails."""

    def __init__(self, chat: ChatModel, prompts: Prompts, timeout: float = 20.0) -> None:
        self.chat = chat
        self.prompts = prompts
        self.timeout = timeout

    async def __call__(self, step: Step, answer: str, lang: Language) -> list[str]:
        """Return the model's hints for `answer` to `step` (the rules stand without them)."""
        messages = self.prompts.render(
            "strategy_feedback",
            language_name=LANGUAGE_NAMES[lang],
            step_title=step.title(lang),
            question=step.question(lang),
            rubric="\n".join(f"- {c}" for c in step.covers(lang)),
            answer=as_data(answer),
        )
        try:
            async with asyncio.timeout(self.timeout):
                text = await self.chat.complete(messages, temperature=0.3, max_tokens=200)
        except (LLMError, TimeoutError):
            return []
        lines = [line.strip(" -•*\t") for line in text.strip().splitlines() if line.strip()]
        return [line for line in lines if len(line) > 3][:3]


__all__ = ["StepAdvisor"]
