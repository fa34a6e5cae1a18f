"""The one filter every text a model writes passes before it reaches a member.

Used by `!ask` (answer sentences and advice), `!review` (remarks and the rewrite) and `!strategy`
(hints). Sentence by sentence it drops what must never reach a member: instructions aimed at the
member or the model ("ignore previous instructions", "send your API key"), a repeat of a prompt
template (a run of eight words or more, folded for case, spacing and punctuation), a claim about
what the course says that no citation backs, and a name or figure found neither in the member's
text nor in the passages the model was given. Links survive only when the URL was given;
Markdown links are flattened to their text; mentions (`@everyone`, `<@…>`, `<#…>`) are
neutralised in the text itself. Each field has a length cap. Every drop is counted in the log by
its reason, never with the text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core.text import clean, fold, words

log = logging.getLogger(__name__)

WINDOW = 8  # words in a run that counts as a repeat of a prompt
LIMITS = {"answer": 1200, "advice": 600, "remark": 400, "rewrite": 1000, "hint": 300}

_MD_LINK = re.compile(r"!?\[([^\]\n]{0,200})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+\"[^\"]*\")?\s*\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]{}\"'«»]+", re.IGNORECASE)
_DISCORD_REF = re.compile(r"<(?:@[!&]?|#|!)[^>\s]{0,40}>")
_EVERYONE = re.compile(r"@(?=(?:everyone|here|channel)\b)", re.IGNORECASE)
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier)"
    r"|\b(?:ignorer|glem|se\s+bort\s+fra)\s+(?:alle\s+)?(?:tidligere|forrige|ovenstående)"
    r"|\bsystem\s*-?\s*(?:prompt|melding|message|instruks\w*)"
    r"|\bapi[\s-]*(?:key|nøkkel\w*|token)|\b(?:passord|password)s?\b"
    r"|\b(?:developer|utvikler)\s*-?\s*mode\b|\bjailbreak|\byou\s+are\s+now\b|\bdu\s+er\s+nå\b",
    re.IGNORECASE,
)
_COURSE_CLAIM = re.compile(
    r"\b(?:ifølge|iflg\.?|etter)\s+(?:kurs(?:et|materiellet)?|pensum)"
    r"|\b(?:kurs(?:et|materiellet)?|pensum)\s+(?:sier|skriver|lærer|mener|viser|anbefaler|står)"
    r"|\bi\s+kurset\s+står|\baccording\s+to\s+the\s+course"
    r"|\bthe\s+course(?:\s+material)?\s+(?:says|teaches|states|recommends|shows)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass
class Drops:
    """How many sentences were dropped, by reason (logged, never with the text)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str) -> None:
        self.counts[reason] += 1
        log.info("model output dropped: %s", reason)


@dataclass(frozen=True)
class Guard:
    """Filters model text against the prompt templates it must never repeat."""

    windows: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, templates: Iterable[str]) -> Guard:
        """Build a guard that refuses any run of WINDOW words from these template texts.

        A template's placeholders split it: a run never spans what a placeholder will hold.
        """
        return cls(frozenset(_windows(re.split(r"\$\w+", t) for t in templates)))

    def with_prompt(self, *rendered: str) -> Guard:
        """Return a guard that also refuses runs of these rendered messages (the system text)."""
        return Guard(self.windows | _windows([rendered]))

    def repeats_prompt(self, text: str) -> bool:
        """Say whether a text repeats a run of WINDOW words of a prompt template."""
        tokens = _tokens(text)
        return any(
            tuple(tokens[i : i + WINDOW]) in self.windows for i in range(len(tokens) - WINDOW + 1)
        )

    def text(
        self,
        raw: str,
        kind: str,
        known: str = "",
        *,
        cited: bool = False,
        drops: Drops | None = None,
    ) -> str:
        """Return the part of `raw` that may reach a member ('' when nothing may).

        `known` is the text the model was given (the member's own words and the passages): a
        link, name or figure must come from it. `cited` says the text's claims about the course
        are verified against a cited passage elsewhere (an `!ask` answer sentence); otherwise a
        sentence that speaks for the course is dropped.
        """
        drops = drops if drops is not None else Drops()
        limit = LIMITS[kind]
        if self.repeats_prompt(raw[: limit * 8]):  # an echo split into short sentences too
            drops.add("prompt_echo")
            return ""
        kept: list[str] = []
        size = 0
        for sentence in split_sentences(clean(raw)[: limit * 8]):
            reason = self.refuse(sentence, known, cited=cited)
            if reason is not None:
                drops.add(reason)
                continue
            safe = neutralise(sentence, known)
            if not re.search(r"\w", safe):
                continue
            if size + len(safe) + 1 > limit:
                drops.add("too_long")
                break
            kept.append(safe)
            size += len(safe) + 1
        return " ".join(kept)

    def refuse(self, sentence: str, known: str, *, cited: bool = False) -> str | None:
        """Return why a sentence must not reach a member, or None."""
        if _INJECTION.search(sentence):
            return "injection"
        if self.repeats_prompt(sentence):
            return "prompt_echo"
        if not cited and _COURSE_CLAIM.search(sentence):
            return "course_claim"
        if new_facts(sentence, known):
            return "new_fact"
        return None


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (and lines), keeping each sentence's own punctuation."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def neutralise(text: str, known: str = "") -> str:
    """Flatten Markdown links, drop links not in `known`, and defuse mentions in `text`."""
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    allowed = {_bare(u) for u in _URL.findall(known)}
    text = _URL.sub(lambda m: m.group(0) if _bare(m.group(0)) in allowed else "", text)
    text = _DISCORD_REF.sub("", text)
    text = _EVERYONE.sub("@\u200b", text)
    return " ".join(text.split())


def _bare(url: str) -> str:
    return url.rstrip(".,;:!?").lower()


def new_facts(sentence: str, known: str) -> bool:
    """Say whether a sentence brings a figure or a name that `known` does not hold."""
    plain = _URL.sub(" ", _MD_LINK.sub(lambda m: m.group(1), sentence))
    given = _tokens(known)
    numbers = set(_NUMBER.findall(known))
    if any(n not in numbers for n in _NUMBER.findall(plain)):
        return True
    known_words = set(given)
    for part in split_sentences(plain):
        tokens = re.findall(r"[^\W\d_][\w'’-]*", part)
        for i, token in enumerate(tokens):
            # A capital inside a sentence marks a name ('Ola Nordmann'); a first word is not one.
            if i and token[0].isupper() and not token.isupper() and fold(token) not in known_words:
                return True
    return False


def _windows(texts: Iterable[Iterable[str]]) -> set[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for pieces in texts:
        for piece in pieces:
            tokens = _tokens(piece)
            runs.update(tuple(tokens[i : i + WINDOW]) for i in range(len(tokens) - WINDOW + 1))
    return runs


def _tokens(text: str) -> list[str]:
    """Words folded for case and accents, punctuation and spacing dropped."""
    return [fold(w) for w in words(text)]


__all__ = ["LIMITS", "Drops", "Guard", "neutralise", "new_facts", "split_sentences"]
