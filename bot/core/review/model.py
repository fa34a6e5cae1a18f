"""What a model may add to a review: remarks and one rewrite, parsed and checked."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.guard import LIMITS, Drops, Guard, neutralise, split_sentences
from bot.core.ports import ChatMessage, ChatModel
from bot.core.review.judge import Reviewer
from bot.core.review.result import ReviewResult
from bot.core.text import fold, words
from bot.errors import LLMError

MAX_REMARKS = 3
SHARED = 0.5  # the share of the draft's content words a rewrite must keep
_LINKISH = re.compile(r"https?://\S+|www\.\S+|@\w+|<[@#!][^>]*>", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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
    guard: Guard | None = None,
    known: str | None = None,
) -> ReviewResult:
    """Let a model add remarks and one rewrite to a rule-based review.

    The rules stay the backbone: the model's JSON is validated, an invalid answer is asked for
    once more and then dropped, every remark and the rewrite pass the output filter, a rewrite
    that changes the draft's meaning or does not fit is never shown, and any failure of the
    model leaves the offline review with its fallback reason. `known` is what a remark may name
    (a name or figure from elsewhere is dropped).
    """
    parsed: LLMReview | None = None
    try:
        for _ in range(2):
            parsed = parse_llm_review(
                await model.complete(messages, temperature=0.3, json_mode=True)
            )
            if parsed is not None:
                break
    except LLMError as exc:
        return result.model_copy(update={"fallback_reason": exc.reason})
    if parsed is None:
        return result.model_copy(update={"fallback_reason": "invalid_output"})
    system = [m.content for m in messages if m.role == "system"]
    guard = (guard or Guard.of([])).with_prompt(*system)  # the templates and this system text
    if known is None:  # what a remark may name: the draft and what the review found
        known = " ".join([result.text, *(m.content for m in messages if m.role == "system")])
    drops = Drops()
    remarks = [guard.text(r, "remark", known, drops=drops) for r in parsed.remarks if r]
    remarks = [r for r in remarks if r][:MAX_REMARKS]
    flagged = " ".join(w for s in result.suggestions for w in s.words)
    rewrite = keeps_meaning(parsed.rewrite, result.text, guard, drops, flagged)
    rewrite = reviewer.accept_rewrite(rewrite, result.platform)
    if not remarks and rewrite is None:
        reason = "filtered" if drops.counts else "invalid_output"
        return result.model_copy(update={"fallback_reason": reason})
    return result.model_copy(update={"remarks": remarks, "rewrite": rewrite, "engine": "llm"})


def keeps_meaning(
    rewrite: str | None, draft: str, guard: Guard, drops: Drops, flagged: str = ""
) -> str | None:
    """Return a rewrite only if it says what the draft says: most of its words, nothing new.

    It must share most of the draft's content words (compared by their first five letters,
    folded, so inflections meet), leaving aside the `flagged` words it is meant to fix, and add
    no link, mention or figure the draft lacks.
    """
    if not rewrite or not rewrite.strip():
        return None
    text = " ".join(rewrite.split())[: LIMITS["rewrite"]]
    if any(guard.refuse(s, draft) is not None for s in split_sentences(text)):
        drops.add("rewrite_refused")
        return None
    mine, theirs = _stems(draft) - _stems(flagged), _stems(text)
    new_links = set(_LINKISH.findall(text)) - set(_LINKISH.findall(draft))
    new_numbers = set(_NUMBER.findall(text)) - set(_NUMBER.findall(draft))
    if new_links or new_numbers or (mine and len(mine & theirs) < SHARED * len(mine)):
        drops.add("rewrite_changes_meaning")
        return None
    return neutralise(text, draft)


def _stems(text: str) -> set[str]:
    return {fold(w)[:5] for w in words(text) if len(w) > 3}


__all__ = ["LLMReview", "add_model_review", "keeps_meaning", "parse_llm_review"]
