"""Tell Norwegian bokmål from English locally, also for short questions typed without æøå."""

from __future__ import annotations

import re
from typing import Literal

from bot.core.lexicon import Lexicon
from bot.core.search import SearchIndex
from bot.core.text import words

Language = Literal["nb", "en"]
LANGUAGES: tuple[Language, ...] = ("nb", "en")
_NORWEGIAN_LETTERS = set("æøå")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def detect_language(
    text: str, lexicon: Lexicon, index: SearchIndex | None = None, default: Language = "nb"
) -> Language:
    """Return 'en' when the text reads as English, else 'nb' (or `default` when nothing tells)."""
    tokens = words(_URL.sub(" ", text))
    if not tokens:
        return default
    nb = 0.0
    en = 0.0
    for token in tokens[:200]:
        if token in lexicon.marks_nb or token in lexicon.marks_en:
            nb += token in lexicon.marks_nb
            en += token in lexicon.marks_en
            continue
        # A word the course knows reads as Norwegian; one only the glossary knows, as English.
        # Course terms count little: an English question may name one ('What is åpenhet?').
        known = index is not None and index.known(token)
        glossed = token in lexicon.glossary
        if known and not glossed:
            nb += 0.5
        elif glossed and not known:
            en += 0.5
        elif not known and _NORWEGIAN_LETTERS & set(token):
            nb += 1
    if en > nb:
        return "en"
    if nb > en:
        return "nb"
    return default


class LanguagePolicy:
    """The one rule for the reply language: the setting wins; else the text; else what is known.

    `COACH_LANGUAGE=nb|en` fixes it; with `auto`, a text of three words or more is detected, and a
    shorter one falls back to the member's last language, then to Norwegian.
    """

    def __init__(self, setting: str, lexicon: Lexicon, index: SearchIndex | None = None) -> None:
        self.setting = setting
        self._lexicon = lexicon
        self._index = index

    @property
    def fixed(self) -> Language | None:
        """Return the configured language, or None when it is detected per message."""
        return self.setting if self.setting in LANGUAGES else None

    @property
    def default(self) -> Language:
        """Return the language used when nothing tells (the setting, else Norwegian)."""
        return self.fixed or "nb"

    def of(self, text: str) -> Language:
        """Return the reply language for `text`."""
        return self.fixed or detect_language(text, self._lexicon, self._index)

    def for_member(self, text: str, known: str | None) -> Language:
        """Return the language for a short command text, leaning on the member's last one."""
        if self.fixed:
            return self.fixed
        if len(words(text)) >= 3:
            return self.of(text)
        return known if known in LANGUAGES else self.default


__all__ = ["LANGUAGES", "Language", "LanguagePolicy", "detect_language"]
