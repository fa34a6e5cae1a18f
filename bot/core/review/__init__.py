"""`!review`: a draft's exact length on its platform, and its tone judged by the course's norms.

The rules are the backbone: every flag has a stable code, the words that triggered it, an
explanation tied to a course norm and a concrete fix, all in the member's language. Word lists
are data (`knowledge/review.yaml`). With an LLM configured, the model may add remarks and one
rewrite (see `LLMReview`); a rewrite is counted again and dropped if it does not fit.

    rules.py   the rules as data and the views of a draft     length.py  platform counting
    judge.py   the Reviewer: flags, tone, notes, fixes        result.py  what a review returns
    model.py   what a model may add                           service.py the feature's front
"""

from bot.core.review.judge import Reviewer
from bot.core.review.model import LLMReview, add_model_review, parse_llm_review
from bot.core.review.result import ReviewResult, Suggestion, Tone
from bot.core.review.rules import FLAGS, Rules, lix, load_rules

__all__ = [
    "FLAGS",
    "LLMReview",
    "ReviewResult",
    "Reviewer",
    "Rules",
    "Suggestion",
    "Tone",
    "add_model_review",
    "lix",
    "load_rules",
    "parse_llm_review",
]
