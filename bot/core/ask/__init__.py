"""`!ask`: answers from the course, offline or grounded in a model, with one conversation memory.

offline.py   the built-in engine: quote the sentences that answer, or decline honestly
grounded.py  answers in a model's words, checked against the passages it was given
memory.py    the last few turns of each conversation, and what counts as a follow-up
service.py   the feature's front: `Asking.answer`, and the Reply of an answer
"""

from bot.core.ask.grounded import LANGUAGE_NAMES, Cache, GroundedAsker
from bot.core.ask.memory import Memory, Turn, looks_like_follow_up
from bot.core.ask.offline import MAX_QUESTION_CHARS, AskResult, OfflineAsker, SourceOut
from bot.core.ask.service import Asking, ask_reply

__all__ = [
    "LANGUAGE_NAMES",
    "MAX_QUESTION_CHARS",
    "AskResult",
    "Asking",
    "Cache",
    "GroundedAsker",
    "Memory",
    "OfflineAsker",
    "SourceOut",
    "Turn",
    "ask_reply",
    "looks_like_follow_up",
]
