"""Words found in any of their forms, so a check written as 'svare' reads 'svarer', 'svart'.

The feedback rules list words in their plain form; an answer meets one when a word of it has
the same stem (Norwegian or English Snowball, folded: 'følgerne', 'folgere'), the same stem
before a past-tense -t ('svart', 'delte', 'målt'), or ends in it as the head of a compound
('barnefamilier' holds 'familie', 'hundeeiere' holds 'eier'). A word that ends in '*' is a
prefix ('markedsfør*'); a phrase of several words matches the same forms word by word.
Regular expressions stay for what has a shape rather than a word (figures, an age, a place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from bot.core.text import WORD, fold

_NB = Stemmer.Stemmer("norwegian")
_EN = Stemmer.Stemmer("english")

# A compound's head must be this long, and what goes before it too: 'ansvar' is no 'svar'.
_HEAD = 4
_MODIFIER = 3


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return fold(str(_NB.stemWord(word.lower())))


@lru_cache(maxsize=65_536)
def forms_of(word: str) -> frozenset[str]:
    """Return the keys a written word is known by: its stems, and the stem before a past -t."""
    lower = word.lower()
    nb = _stem(lower)
    keys = {nb, fold(str(_EN.stemWord(lower))), fold(lower)}
    if len(nb) >= _HEAD and nb.endswith("t"):
        keys.add(nb[:-1])  # 'svart' -> 'svar', 'delt' -> 'del', 'publisert' -> 'publiser'
    if nb.endswith("ern"):  # Snowball leaves '-erne' half done: 'følgerne' -> 'følgern'
        keys |= {nb[:-1], _stem(nb[:-1])}
    return frozenset(keys)


def _keys_of(entry: str) -> frozenset[str]:
    """Return the keys a listed word stands for (no past-tense guess: 'fast' is not 'fas')."""
    lower = entry.lower()
    return frozenset({_stem(lower), fold(str(_EN.stemWord(lower))), fold(lower)})


@dataclass(frozen=True)
class Terms:
    """A list of words and phrases (any form) and regular expressions: does an answer hold one?"""

    single: frozenset[str]
    heads: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[frozenset[str], ...], ...]
    pattern: re.Pattern[str] | None

    def search(self, text: str) -> tuple[int, int] | None:
        """Return the span of the first word, phrase or pattern the text holds, else None."""
        found: list[tuple[int, int]] = []
        tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
        keys = [forms_of(t) for _, _, t in tokens]
        for i, (start, end, token) in enumerate(tokens):
            if self._word(token, keys[i]):
                found.append((start, end))
                break
        for phrase in self.phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if all(keys[i + j] & phrase[j] for j in range(n)):
                    found.append((tokens[i][0], tokens[i + n - 1][1]))
                    break
        if self.pattern is not None and (match := self.pattern.search(text)):
            found.append(match.span())
        return min(found) if found else None

    def _word(self, token: str, keys: frozenset[str]) -> bool:
        if keys & self.single:
            return True
        folded = fold(token)
        if any(folded.startswith(p) for p in self.prefixes):
            return True
        stem = _stem(token)
        return any(stem[i:] in self.heads for i in range(_MODIFIER, len(stem) - _HEAD + 1))


def compile_terms(entries: Iterable[str], pattern: re.Pattern[str] | None = None) -> Terms | None:
    """Compile listed words ('svare', 'markedsfør*', 'i dag') with an optional pattern."""
    single: set[str] = set()
    heads: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[frozenset[str], ...]] = []
    for entry in entries:
        parts = entry.split()
        if len(parts) > 1:
            phrases.append(tuple(_keys_of(p) for p in parts))
        elif entry.endswith("*"):
            prefixes.append(fold(entry[:-1]))
        else:
            single |= _keys_of(entry)
            # Both forms: Snowball cuts 'entusiast' to 'entusi' but 'klatreentusiast' less deep.
            heads |= {h for h in (_stem(entry), fold(entry)) if len(h) >= _HEAD}
    if not (single or prefixes or phrases or pattern):
        return None
    return Terms(frozenset(single), frozenset(heads), tuple(prefixes), tuple(phrases), pattern)


__all__ = ["Terms", "compile_terms", "forms_of"]
