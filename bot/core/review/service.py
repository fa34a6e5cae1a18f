"""`!review` as one feature: the rules, then the model's remarks and rewrite when configured."""

from __future__ import annotations

import asyncio

from bot.core.ask.grounded import LANGUAGE_NAMES
from bot.core.budget import DailyBudget
from bot.core.guard import Guard
from bot.core.language import Language, LanguagePolicy
from bot.core.ports import ChatModel, MemberId
from bot.core.prompts import Prompts, as_data
from bot.core.reply import Reply
from bot.core.review.judge import Reviewer
from bot.core.review.length import Platforms
from bot.core.review.model import add_model_review
from bot.core.review.reply import review_reply
from bot.core.review.result import ReviewResult
from bot.core.review.rules import Rules
from bot.core.strings import Strings, missing_notice
from bot.core.text import scrub


class Reviewing:
    """Review drafts: `by_rules` alone, or `review` with the model's remarks when configured."""

    def __init__(
        self,
        rules: Rules,
        platforms: Platforms,
        strings: Strings,
        language: LanguagePolicy,
        budget: DailyBudget,
        chat: ChatModel | None = None,
        prompts: Prompts | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.platforms = platforms
        self.strings = strings
        self.language = language
        self.budget = budget
        self.chat = chat if prompts is not None else None
        self.prompts = prompts
        self.timeout = timeout
        self.reviewer = Reviewer(rules, platforms, strings)
        self.guard = Guard.of(prompts.texts()) if prompts is not None else None

    def unknown_platform(self, platform: str | None, lang: Language) -> str | None:
        """Return the member's message for a platform that does not exist, or None if it does."""
        if self.platforms.resolve(platform) is not None:
            return None
        names = ", ".join(self.platforms.by_code)
        return self.strings.t(
            lang, "review.unknown_platform", name=(platform or "")[:40], platforms=names
        )

    def by_rules(
        self, draft: str, platform: str | None = None, language: Language | None = None
    ) -> ReviewResult:
        """Review a draft by the rules alone; raise ValueError for an unknown platform."""
        draft = scrub(draft)
        return self.reviewer.review(draft, platform, language or self.language.of(draft))

    async def review(
        self,
        draft: str,
        platform: str | None = None,
        language: Language | None = None,
        budget_key: MemberId | None = None,
    ) -> ReviewResult:
        """Review by the rules, then let the model add remarks and a rewrite when configured."""
        # On a thread: the tone models take tens of milliseconds, the event loop none of them.
        result = await asyncio.to_thread(self.by_rules, draft, platform, language)
        if self.chat is None or self.prompts is None or "empty" in result.flags:
            return result
        if budget_key is not None and not self.budget.take(budget_key):
            return result.model_copy(update={"fallback_reason": "budget"})
        spec = self.platforms.get(result.platform)
        findings = "\n".join(f"- {s.flag}: {', '.join(s.words[:5])}" for s in result.suggestions)
        messages = self.prompts.render(
            "review",
            language_name=LANGUAGE_NAMES[result.language],
            platform=spec.name,
            limit=spec.limit,
            draft=as_data(result.text),
            findings=findings or "- none",
        )
        try:
            async with asyncio.timeout(self.timeout):  # a retry shares the reply's budget
                known = f"{result.text} {spec.name} {spec.limit} {findings}"
                return await add_model_review(
                    result, self.chat, messages, self.reviewer, self.guard, known
                )
        except TimeoutError:
            return result.model_copy(update={"fallback_reason": "timeout"})

    def reply(self, result: ReviewResult) -> Reply:
        """Return a review as a Reply (with a line saying so when the model's part is missing)."""
        reply = review_reply(result, self.strings, self.platforms.get(result.platform).name)
        if result.fallback_reason is not None:
            reply.notice = missing_notice(self.strings, result.language, result.fallback_reason)
        return reply


__all__ = ["Reviewing"]
