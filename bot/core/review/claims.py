"""Claims a reader cannot check (troverdighet): superlatives, absolutes and figures, unless
the draft names its source, asks the readers, or denies the claim."""

from __future__ import annotations

import re

from bot.core.review.rules import Rules
from bot.core.text import clip

# A question mark, by what it is in Unicode: ASCII, fullwidth, Arabic, Spanish, ⁇ ⁈ ⁉ ‽.
QUESTION = re.compile("[?\uff1f\u061f\u00bf\u2047\u2048\u2049\u203d]")
# Words that make a superlative the reader's ('your oldest piece', 'den beste boka du har lest').
_READER = re.compile(
    r"\b(your|you['’]ve|din|dine|ditt|deres|du har|dere har|du noen gang)\b", re.IGNORECASE
)
# A superlative denied is no claim ("Vi har ikke verdens største butikk", "not the biggest");
# one that denies the reader better is ("you won't find a better", «du finner ikke bedre»).
# The denial may stand a few words before («Vi vet ikke om vi har markedets laveste priser»),
# refuse a quoted claim ("No 'better than any gym' claims"), or disclaim it by a verb ('We won't
# promise you'll learn twice as fast'); 'not just', «ikke bare» and "don't miss" add to a claim.
DENIED = re.compile(
    r"(\b(ikke|not|isn['’]t|aren['’]t)\s+(?!(bare|just|only|kun|gå glipp|glem|miss|forget)\b)"
    r"(\S+\s+){0,3}|\bno\s*['\"«“‘])$",
    re.IGNORECASE,
)
_DISCLAIMED = re.compile(
    r"(\b(won['’]t|will not|don['’]t|do not|can['’]t|cannot|never|ikke|aldri)\s+"
    r"(promise|claim|pretend|påstå|love)|\b(lover|påstår) (vi |jeg )?ikke)\b"
    r"\s+(\S+\s+){0,4}$",
    re.IGNORECASE,
)
_DENIED_BETTER = re.compile(
    r"\b(finne|finner|få|får|slå|find|get|beat)\b[^.!?]{0,20}$", re.IGNORECASE
)


def denied(before: str) -> bool:
    """Say whether the words just before a claim deny it (and do not deny the reader better)."""
    if _DISCLAIMED.search(before[-50:]):
        return True
    before = before[-30:]
    return bool(DENIED.search(before)) and not _DENIED_BETTER.search(before)


def hype(rules: Rules, plain: str) -> list[str]:
    """Return claims that cannot be documented.

    Not a claim: a draft that names its source, a superlative in a question to the readers
    ('Hva er den beste boka du har lest?'), or one about the reader's own things ('your').
    """
    if rules.patterns["sourced"].search(plain):
        return []
    found: list[str] = []
    for match in rules.patterns["hype"].finditer(plain):
        end = min(i for i in (*(plain.find(c, match.end()) for c in ".!\n"), len(plain)) if i >= 0)
        if QUESTION.search(plain[match.start() : end + 1]) or _READER.search(match.group(0)):
            continue
        if denied(plain[: match.start()]):
            continue
        found.append(match.group(0).strip())
    return list(dict.fromkeys(found))


def meant_hype(rules: Rules, plain: str, meant: dict[str, str]) -> list[str]:
    """Return the claim the tone model found: in a draft with a claim's shape (`claims`),
    no source, and not in a question."""
    sentence = meant.get("hype_unverifiable_claim", "")
    if not sentence or QUESTION.search(sentence) or not rules.find("claims", plain):
        return []
    # Every claim of the draft denied («ikke byens største») is none; the quoted sentence may
    # not be the one that holds the claim, so the whole draft is read.
    if all(denied(plain[: m.start()]) for m in rules.patterns["claims"].finditer(plain)):
        return []
    return [] if rules.find("sourced", plain) else said(meant, "hype_unverifiable_claim")


def said(meant: dict[str, str], flag: str) -> list[str]:
    """Return the words to quote for a flag the tone model found: its sentence, clipped."""
    sentence = meant.get(flag)
    return [] if sentence is None else [clip(sentence)]


__all__ = ["DENIED", "QUESTION", "denied", "hype", "meant_hype", "said"]
