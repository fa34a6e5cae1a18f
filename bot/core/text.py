"""Text normalisation shared by search, language detection and review."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidirectional control characters: invisible, and a way to smuggle text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

_FOLD_TABLE = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss", "œ": "o", "đ": "d", "ł": "l"})
_FOLD_PAIRS = (("aa", "a"), ("oe", "o"), ("ae", "a"))


def clean(text: str) -> str:
    """Return `text` in NFC with control and invisible characters removed and spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def fold(word: str) -> str:
    """Fold a word so that spellings without æøå or accents meet: 'Følger', 'folger', 'foelger'."""
    word = word.lower().translate(_FOLD_TABLE)
    word = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
    for pair, single in _FOLD_PAIRS:
        word = word.replace(pair, single)
    return word


def words(text: str) -> list[str]:
    """Split cleaned text into lower-case words (letters and digits; inner hyphens kept)."""
    return [w.lower() for w in WORD.findall(clean(text))]


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


__all__ = ["WORD", "clean", "fold", "sentences", "words"]
