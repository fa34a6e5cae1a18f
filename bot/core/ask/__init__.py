"""`!ask`: answers from the course, offline or grounded in a model, with one conversation memory.

offline.py   the built-in engine: quote the sentences that answer, or decline honestly
sentences.py the quotable sentences of each passage (filler left out, lead-ins and their items)
result.py    the answer in the pinned JSON shape
replies.py   the answers and declines as the member reads them
grounded.py  answers in a model's words, checked against the passages it was given
memory.py    the last few turns of each conversation, and what counts as a follow-up
service.py   the feature's front: `Asking.answer`, and the Reply of an answer
"""

from bot.core.ask.grounded import LANGUAGE_NAMES, Cache, GroundedAsker
from bot.core.ask.memory import Memory, Turn, looks_like_follow_up
from bot.core.ask.offline import MAX_QUESTION_CHARS, OfflineAsker
from bot.core.ask.result import AskResult, SourceOut
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
