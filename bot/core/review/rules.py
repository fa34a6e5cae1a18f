"""The review rules as data: flag codes, norms, the word lists of `knowledge/review.yaml`,
and the views of a draft the checks read (its text without links, readability)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from twitter_text import extract_urls_with_indices

from bot.core.datafiles import load_yaml_model
from bot.core.review.length import normalise
from bot.core.review.tone import TONE_FILE, ToneModel
from bot.errors import DataFileError

REVIEW_FILE = "review.yaml"
FLAGS = (
    "empty",
    "link_only",
    "too_long",
    "undisclosed_ad",
    "negative_hostile",
    "hype_unverifiable_claim",
    "all_caps",
    "excess_exclamation",
    "too_many_hashtags",
    "missing_call_to_action",
    "no_dialogue",
)
"""Every flag code, in the order a member should fix them."""

_NORM_KEYS = {
    "troverdighet": "troverdighet",
    "gjennomsiktighet": "gjennomsiktighet",
    "åpenhet": "apenhet",
    "interessant og nyttig": "interessant",
}
MAX_DRAFT_CHARS = 100_000  # the CLI counts this much; chat messages stop at 4,000 before
HASHTAG = re.compile(r"(?<![\w&/#])#(\w+)")
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]»”']", re.IGNORECASE)


class ReviewFile(BaseModel):
    """`knowledge/review.yaml`: the patterns behind the flags."""

    model_config = ConfigDict(extra="forbid")

    disclosure: list[str]
    gift: list[str]
    partner: list[str]
    code: list[str]
    other_party: list[str]
    bio_link: list[str]
    affiliate_link: list[str]
    perk: list[str]
    own_offer: list[str]
    personal: list[str]
    hype: list[str]
    claims: list[str]
    apology: list[str]
    sourced: list[str]
    hostile: list[str]
    reply_hostile: list[str]
    promotion: list[str]
    offer: list[str]
    past: list[str]
    call_to_action: list[str]
    time_of_day: list[str]
    place: list[str]
    imperatives: list[str]
    dialogue: list[str]
    reply_dialogue: list[str]


@dataclass(frozen=True)
class Rules:
    """Compiled patterns, one per list of `review.yaml`."""

    patterns: dict[str, re.Pattern[str]]
    imperatives: tuple[str, ...]
    # The tone models (tone.py): the same flags judged by meaning; None leaves the rules alone.
    tone: ToneModel | None = None

    def find(self, name: str, text: str) -> list[str]:
        """Return the words in `text` that match list `name`, in order, without repeats."""
        return list(dict.fromkeys(m.group(0).strip() for m in self.patterns[name].finditer(text)))


def load_rules(knowledge_dir: Path) -> Rules:
    """Load and compile `review.yaml`; a bad pattern names its list and line."""
    path = knowledge_dir / REVIEW_FILE
    data = load_yaml_model(ReviewFile, path)
    patterns: dict[str, re.Pattern[str]] = {}
    for name, entries in data.model_dump().items():
        if name == "imperatives":
            continue
        for entry in entries:
            try:
                re.compile(entry)
            except re.error as exc:
                text = path.read_text(encoding="utf-8")
                line = next((n for n, row in enumerate(text.splitlines(), 1) if entry in row), None)
                raise DataFileError(path, line, f"{name}: bad pattern {entry!r}: {exc}") from None
        patterns[name] = re.compile("|".join(f"(?:{e})" for e in entries), re.IGNORECASE)
    imperatives = tuple(sorted((i.lower() for i in data.imperatives), key=len, reverse=True))
    try:
        tone = ToneModel.load(knowledge_dir / TONE_FILE)
    except (OSError, ValueError, KeyError) as exc:
        raise DataFileError(knowledge_dir / TONE_FILE, None, f"unreadable: {exc}") from None
    return Rules(patterns, imperatives, tone)


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft and the views of it the checks need."""

    text: str
    plain: str  # the draft with its URLs taken out
    urls: list[str]

    @staticmethod
    def of(text: str) -> Draft:
        text = normalise(text)
        # X's own links, and anything a reader sees as a link (https://..., www....).
        spans = {tuple(u["indices"]) for u in extract_urls_with_indices(text)}
        spans |= {m.span() for m in _LINK.finditer(text)}
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        plain = text
        for start, end in reversed(merged):
            plain = plain[:start] + " " + plain[end:]
        return Draft(text, plain, [text[s:e] for s, e in merged])


def lix(text: str) -> int | None:
    """Return the LIX readability index (words per sentence + % long words), or None."""
    words = re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", HASHTAG.sub(" ", text))
    if not words:
        return None
    sentences = max(1, len([s for s in re.split(r"[.!?:\n]+", text) if re.search(r"\w", s)]))
    long_words = sum(len(w) > 6 for w in words)
    return round(len(words) / sentences + 100 * long_words / len(words))


def lix_level(value: int) -> str:
    """Return the readability band of a LIX value."""
    if value < 25:
        return "very_easy"
    if value < 35:
        return "easy"
    if value < 45:
        return "medium"
    if value < 55:
        return "hard"
    return "very_hard"


def norm_key(norm: str) -> str:
    """Return the string-file key of a norm name ('åpenhet' -> 'apenhet')."""
    return _NORM_KEYS[norm]


__all__ = [
    "FLAGS",
    "MAX_DRAFT_CHARS",
    "REVIEW_FILE",
    "Draft",
    "ReviewFile",
    "Rules",
    "lix",
    "lix_level",
    "load_rules",
    "norm_key",
]
