"""Tell Norwegian bokmål from English locally, also for short questions typed without æøå."""

from __future__ import annotations

from typing import Literal

from bot.core.search import Lexicon, SearchIndex, english_key
from bot.core.text import words

Language = Literal["nb", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "en")
_NORWEGIAN_LETTERS = set("æøåÆØÅ")


def detect_language(
    text: str, lexicon: Lexicon, index: SearchIndex | None = None, default: Language = "nb"
) -> Language:
    """Return 'en' when the text reads as English, else 'nb' (or `default` when nothing tells)."""
    tokens = words(text)
    if not tokens:
        return default
    nb = 2.0 * sum(ch in _NORWEGIAN_LETTERS for ch in text[:2000])
    en = 0.0
    for token in tokens[:200]:
        if token in lexicon.marks_nb:
            nb += 1
        if token in lexicon.marks_en:
            en += 1
        if index is None or token in lexicon.marks_nb or token in lexicon.marks_en:
            continue
        # A word the course knows reads as Norwegian; one only the glossary knows, as English.
        known = index.match_word(token).how in ("exact", "folded")
        glossed = (english_key(token),) in lexicon.glossary
        if known and not glossed:
            nb += 0.5
        elif glossed and not known:
            en += 0.5
    if en > nb:
        return "en"
    if nb > en:
        return "nb"
    return default


__all__ = ["LANGUAGES", "Language", "detect_language"]
