"""What a model may add to a review: remarks and one rewrite, parsed and checked."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.ports import ChatMessage, ChatModel
from bot.core.review.judge import Reviewer
from bot.core.review.result import ReviewResult
from bot.errors import LLMError


class LLMReview(BaseModel):
    """What a model may add to a review: remarks, and one rewrite that keeps the meaning."""

    model_config = ConfigDict(extra="ignore")

    remarks: list[str] = Field(default_factory=list, max_length=5)
    rewrite: str | None = None


def parse_llm_review(raw: str) -> LLMReview | None:
    """Parse a model's JSON answer (fenced or bare); None when it is not valid."""
    text = raw.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        return LLMReview.model_validate_json(text[start : end + 1])
    except ValidationError:
        return None


async def add_model_review(
    result: ReviewResult,
    model: ChatModel,
    messages: list[ChatMessage],
    reviewer: Reviewer,
) -> ReviewResult:
    """Let a model add remarks and one rewrite to a rule-based review.

    The rules stay the backbone: the model's JSON is validated, an invalid answer is asked for
    once more and then dropped, a rewrite that does not fit the platform is never shown, and any
    failure of the model leaves the offline review with its fallback reason.
    """
    parsed: LLMReview | None = None
    try:
        for _ in range(2):
            parsed = parse_llm_review(await model.complete(messages, temperature=0.3))
            if parsed is not None:
                break
    except LLMError as exc:
        return result.model_copy(update={"fallback_reason": exc.reason})
    if parsed is None:
        return result.model_copy(update={"fallback_reason": "invalid_output"})
    prompt = " ".join(" ".join(m.content.split()) for m in messages)

    def echoed(text: str) -> bool:  # a model that copies the prompt's own words back
        flat = " ".join(text.split())
        return len(flat) > 12 and flat in prompt and flat not in result.text

    remarks = [r.strip() for r in parsed.remarks if r and r.strip() and not echoed(r)][:5]
    rewrite = parsed.rewrite if parsed.rewrite and not echoed(parsed.rewrite) else None
    rewrite = reviewer.accept_rewrite(rewrite, result.platform)
    if not remarks and rewrite is None:
        return result.model_copy(update={"fallback_reason": "invalid_output"})
    return result.model_copy(update={"remarks": remarks, "rewrite": rewrite, "engine": "llm"})


__all__ = ["LLMReview", "add_model_review", "parse_llm_review"]
