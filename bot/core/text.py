"""Text normalisation shared by search, language detection and review."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

# Zero-width and bidirectional control characters: invisible, and a way to smuggle text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")

_FOLD_TABLE = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss", "œ": "o", "đ": "d", "ł": "l"})
_FOLD_PAIRS = (("aa", "a"), ("oe", "o"), ("ae", "a"))


def scrub(text: str) -> str:
    """Return `text` with lone surrogates (undecodable bytes, broken JSON escapes) made U+FFFD.

    Python keeps undecodable command-line bytes as lone surrogates and `json.loads` accepts a lone
    `\\ud800`; neither can be printed, stored in SQLite or sent, so every input passes here once.
    """
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str) -> str:
    """Return `text` in NFC with control and invisible characters removed and spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


@lru_cache(maxsize=262_144)
def fold(word: str) -> str:
    """Fold a word so that spellings without æøå or accents meet: 'Følger', 'folger', 'foelger'."""
    word = word.lower().translate(_FOLD_TABLE)
    word = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
    for pair, single in _FOLD_PAIRS:
        word = word.replace(pair, single)
    return word


def words(text: str) -> list[str]:
    """Split cleaned text into lower-case words (letters and digits; inner hyphens kept).

    An English possessive loses its 's ("Elegantè's" is "elegantè").
    """
    return [_POSSESSIVE.sub("", w.lower()) for w in WORD.findall(clean(text))]


def clip(text: str, count: int = 8) -> str:
    """Return the first `count` words of a text, to quote it back ('vi skal bli store …')."""
    parts = text.split()
    return " ".join(parts[:count]).rstrip(".,;:!?") + (" …" if len(parts) > count else "")


_SENTENCE_END = re.compile(r"[.!?…][\"»”')\]]*(?=\s+[«\"(A-ZÆØÅ0-9])")
_ABBREVIATIONS = ("f.eks.", "ol.", "bl.a.", "dvs.", "osv.", "e.g.", "i.e.", "mr.", "dr.", "nr.")


def sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in `text`; abbreviations do not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[start : match.end()]
        last = head.rsplit(" ", 1)[-1].lower()
        if last in _ABBREVIATIONS:
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def deletes(word: str, depth: int) -> set[str]:
    """Return every string made by deleting up to `depth` characters from `word`."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            nxt.update(w[:i] + w[i + 1 :] for i in range(len(w)))
        out |= nxt
        frontier = nxt
    return out


def edit_distance(a: str, b: str, limit: int) -> int:
    """Return the optimal string alignment distance of two words, capped at limit+1."""
    # OSA: a swap of neighbours is one edit ('flogre' -> 'folger') and no letter is edited twice
    # ('ca' -> 'abc' is three edits, where DamerauLevenshtein counts two): which misspellings
    # match a course word depends on it.
    return OSA.distance(a, b, score_cutoff=limit)


def max_typos(word: str) -> int:
    """Allow one typo in words of four to eight letters, two in longer ones."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 8 else 2


__all__ = [
    "WORD",
    "clean",
    "deletes",
    "edit_distance",
    "fold",
    "max_typos",
    "sentences",
    "words",
]
