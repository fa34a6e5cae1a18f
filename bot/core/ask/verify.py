"""A model's `!ask` answer, read and checked sentence by sentence against what it cites.

The model is asked for JSON, `{"not_covered": bool, "answer": [{"text", "cites"}], "advice"}`;
a plain-prose answer with `[n]` markers is read too (a sentence without a marker takes the next
marker of its paragraph). A sentence stays only when it cites a passage it was given and that
passage supports it: most of its content words (stemmed, folded, English through the glossary)
are in the passage, and every number, name and quoted phrase of it is there too. What stays also
passes the output filter (no injection, prompt echo, foreign link or mention).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.core.guard import Drops, Guard, neutralise, new_facts, split_sentences
from bot.core.knowledge import Passage
from bot.core.search import SearchIndex
from bot.core.text import clean, fold, words

SUPPORT = 0.5  # the share of a sentence's content words its cited passages must hold
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_QUOTED = re.compile(r"[«\"“]([^»\"”]{3,200})[»\"”]")


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    cites: list[int] = []


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    not_covered: bool = False
    answer: list[_Item] | str = []
    advice: str | None = None


@dataclass(frozen=True)
class Claim:
    """One sentence of a model's answer and the passage numbers it cites (1-based)."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class ModelAnswer:
    """A model's answer as read: its sentences, whether it says the course lacks it, advice."""

    not_covered: bool
    claims: list[Claim]
    advice: str | None


def read_answer(raw: str) -> ModelAnswer | None:
    """Read a model's answer: JSON (bare or fenced) or prose with [n] markers; None if empty."""
    text = raw.strip()
    if not text:
        return None
    parsed = _json(text)
    if parsed is not None:
        if isinstance(parsed.answer, str):
            claims = _prose(parsed.answer)
        else:
            claims = [c for item in parsed.answer for c in _with_markers(item.text, item.cites)]
        return ModelAnswer(parsed.not_covered, claims, parsed.advice)
    if text.upper().startswith("NOT_COVERED"):
        return ModelAnswer(True, [], None)
    return ModelAnswer(False, _prose(text), None)


def _json(text: str) -> _Answer | None:
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        data = json.loads(body[start : end + 1])
        return _Answer.model_validate(data) if isinstance(data, dict) else None
    except (ValueError, ValidationError, RecursionError):
        return None


def _with_markers(text: str, cites: list[int]) -> list[Claim]:
    """Split one JSON item into sentences; its cites and its own [n] markers go with each."""
    return _prose(text, list(cites))


def _prose(text: str, inherited: list[int] | None = None) -> list[Claim]:
    """Split prose into sentences with their [n] markers; one without takes the next marker."""
    claims: list[Claim] = []
    for paragraph in re.split(r"\n\s*\n", text):
        pending: list[str] = []
        for sentence in split_sentences(paragraph):
            cites = [int(n) for n in _MARKER.findall(sentence)] + list(inherited or [])
            body = _MARKER.sub("", sentence).strip()
            if not body:
                continue
            if not cites:
                pending.append(body)
                continue
            claims.extend(Claim(p, tuple(dict.fromkeys(cites))) for p in pending)
            pending = []
            claims.append(Claim(body, tuple(dict.fromkeys(cites))))
        claims.extend(Claim(p, ()) for p in pending)
    return claims


class Verifier:
    """Keeps the sentences of a model's answer that the passages they cite support."""

    def __init__(self, index: SearchIndex, guard: Guard) -> None:
        self.index = index
        self.guard = guard

    def supported(
        self, claims: list[Claim], given: list[Passage], english: bool, question: str, drops: Drops
    ) -> list[Claim]:
        """Return the claims that cite a given passage which supports them, made safe to show."""
        everything = " ".join(p.text for p in given)
        kept: list[Claim] = []
        for claim in claims:
            cites = tuple(n for n in claim.cites if 1 <= n <= len(given))
            if not cites:
                drops.add("no_citation")
                continue
            cited = [given[n - 1] for n in cites]
            cited_text = " ".join(p.text for p in cited)
            reason = self.guard.refuse(claim.text, f"{cited_text} {question}", cited=True)
            if reason is None and not self.holds(claim.text, cited, english):
                reason = "unsupported"
            if reason is not None:
                drops.add(reason)
                continue
            kept.append(Claim(neutralise(claim.text, everything), cites))
        return kept

    def holds(self, sentence: str, cited: list[Passage], english: bool) -> bool:
        """Say whether the cited passages hold a sentence's content, figures, names and quotes."""
        cited_text = " ".join(p.text for p in cited)
        if new_facts(sentence, cited_text):
            return False
        folded = " ".join(fold(w) for w in words(cited_text))
        for phrase in _QUOTED.findall(sentence):
            if " ".join(fold(w) for w in words(phrase)) not in folded:
                return False
        lexicon = self.index.lexicon
        query = self.index.analyse(clean(sentence), english=english)
        content = [m for m in query.matches if not lexicon.is_common(m.word)] or query.matches
        if not content:
            return False
        terms: set[str] = set()
        for passage in cited:
            terms |= self.index.passage_term_set(passage.id)
        found = sum(1 for m in content if m.terms.keys() & terms)
        return found >= SUPPORT * len(content)


__all__ = ["Claim", "ModelAnswer", "Verifier", "read_answer"]
