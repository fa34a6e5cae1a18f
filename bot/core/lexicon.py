"""Word lists the search and language detection use, loaded from `knowledge/` as data.

- `lexicon.yaml`: extra stop words, language markers, and answer types ('hvor mange' wants a
  number in the answer);
- `glossary.yaml`: English words and phrases -> the course's Norwegian words;
- `synonyms.yaml`: Norwegian words a student may use -> the course's own words;
- `common_words.yaml`: everyday words that carry little topic on their own.

Keys of the phrase tables are normalised (English stems for the glossary, Norwegian index terms
for the synonyms), so inflected forms find their entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_NORWEGIAN
from pydantic import BaseModel, ConfigDict, Field

from bot.core.datafiles import compile_patterns, load_yaml_model, read_text, validate
from bot.core.text import deletes, edit_distance, fold, max_typos, words
from bot.errors import DataFileError

LEXICON_FILE = "lexicon.yaml"
GLOSSARY_FILE = "glossary.yaml"
SYNONYMS_FILE = "synonyms.yaml"
COMMON_FILE = "common_words.yaml"

_EN_STEMMER = Stemmer.Stemmer("english")
_NB_STEMMER = Stemmer.Stemmer("norwegian")


# How the reply names a business the student called theirs ('vår butikk' -> 'deres butikk').
_YOURS = {
    **{"min": "din", "mitt": "ditt", "mi": "di", "vår": "deres", "vårt": "deres"},
    **{"my": "your", "our": "your"},
}
_JOINER = re.compile(r"^(?:og|men|samt|eller|and|but|or)\s+", re.IGNORECASE)


@lru_cache(maxsize=65_536)
def english_key(word: str) -> str:
    """Normalise an English word for glossary lookup (lower case, English stem)."""
    return str(_EN_STEMMER.stemWord(word.lower()))


@lru_cache(maxsize=262_144)
def term_of(word: str) -> str:
    """Return the index term of a word: its Norwegian stem, folded."""
    return fold(str(_NB_STEMMER.stemWord(word.lower())))


class LanguageLists(BaseModel):
    """Word lists for one purpose, per language."""

    model_config = ConfigDict(extra="forbid")

    nb: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class AnswerType(BaseModel):
    """A kind of question ('how many') and what a sentence needs to answer it (a number)."""

    model_config = ConfigDict(extra="forbid")

    asks: list[str] = Field(min_length=1)
    position: Literal["start", "anywhere"] = "anywhere"
    needs_number: bool = True
    needs_year: bool = False
    needs_pattern: str | None = None
    needs_words: list[str] = Field(default_factory=list)
    focus: Literal["noun"] | None = None


class LexiconFile(BaseModel):
    """`knowledge/lexicon.yaml`."""

    model_config = ConfigDict(extra="forbid")

    stopwords: LanguageLists
    language: LanguageLists
    number_words: list[str] = Field(default_factory=list)
    answer_types: dict[str, AnswerType] = Field(default_factory=dict)
    filler: dict[str, list[str]] = Field(default_factory=dict)
    own_case: list[str] = Field(default_factory=list)
    two_part: list[str] = Field(default_factory=list)
    everywhere: list[str] = Field(default_factory=list)
    further: list[str] = Field(default_factory=list)
    ordinals: dict[str, int] = Field(default_factory=dict)


class _PhraseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: dict[str, list[str]]


@dataclass(frozen=True)
class PhraseTable:
    """Phrases (as tuples of normalised words) mapped to the course words they stand for."""

    entries: dict[tuple[str, ...], tuple[str, ...]]
    max_words: int
    english: bool
    typo_index: dict[str, frozenset[str]]
    spelled: dict[str, tuple[str, ...]]

    def key(self, word: str) -> str:
        """Normalise one word the way this table's keys are."""
        return english_key(word) if self.english else term_of(word)

    def longest_at(
        self, tokens: list[str], i: int, min_words: int = 1
    ) -> tuple[int, tuple[str, ...]]:
        """Return (length, targets) of the longest phrase starting at tokens[i], or (0, ())."""
        longest = min(self.max_words, len(tokens) - i)
        for n in range(longest, min_words - 1, -1):
            found = self.entries.get(tuple(self.key(t) for t in tokens[i : i + n]))
            if found is not None:
                return n, found
        return 0, ()

    def __contains__(self, word: str) -> bool:
        return (self.key(word),) in self.entries

    def near(self, word: str) -> tuple[str, ...]:
        """Return the targets of the one-word entry nearest a misspelled word ('folowers')."""
        folded = fold(word)
        limit = max_typos(folded)
        if not limit or len(folded) < 5:
            return ()
        best: tuple[int, str] | None = None
        for d in deletes(folded, limit):
            for candidate in self.typo_index.get(d, ()):
                # A slip rarely hits the first letter; 'koster' is a word, not 'poster'.
                if candidate[0] != folded[0]:
                    continue
                dist = edit_distance(folded, candidate, limit)
                if dist <= limit and (best is None or (dist, candidate) < best):
                    best = (dist, candidate)
        return self.entries[self.spelled[best[1]]] if best else ()


def _phrase_table(path: Path, english: bool) -> PhraseTable:
    entries: dict[tuple[str, ...], tuple[str, ...]] = {}
    normalise = english_key if english else term_of
    data = _PhraseFile(entries={})
    if path.exists():
        from bot.core.datafiles import parse_yaml

        text = read_text(path)
        data = validate(_PhraseFile, {"entries": parse_yaml(text, path) or {}}, path, text)
        for phrase, targets in data.entries.items():
            key = tuple(normalise(w) for w in words(phrase))
            if key:
                merged = entries.get(key, ()) + tuple(t.lower() for t in targets)
                entries[key] = tuple(dict.fromkeys(merged))
    # Single-word entries as written (folded), for looking up a misspelling of one.
    spelled: dict[str, tuple[str, ...]] = {}
    for phrase in data.entries:
        tokens = words(phrase)
        if len(tokens) == 1 and len(tokens[0]) >= 5:
            spelled.setdefault(fold(tokens[0]), (normalise(tokens[0]),))
    typo_index: dict[str, set[str]] = {}
    for written in spelled:
        for d in deletes(written, max_typos(written)):
            typo_index.setdefault(d, set()).add(written)
    return PhraseTable(
        entries,
        max((len(k) for k in entries), default=1),
        english,
        {d: frozenset(keys) for d, keys in typo_index.items()},
        spelled,
    )


@dataclass(frozen=True)
class Lexicon:
    """Stop words, language markers, phrase tables, common words and answer types."""

    stop_nb: frozenset[str]
    stop_en: frozenset[str]
    marks_nb: frozenset[str]
    marks_en: frozenset[str]
    glossary: PhraseTable
    synonyms: PhraseTable
    common: frozenset[str]
    number_words: frozenset[str]
    answer_types: dict[str, AnswerType]
    filler: re.Pattern[str] | None = None
    own_case_patterns: tuple[re.Pattern[str], ...] = ()
    two_part: re.Pattern[str] | None = None
    everywhere: frozenset[str] = frozenset()
    further: re.Pattern[str] | None = None
    ordinals: dict[str, int] = field(default_factory=dict)

    def is_stop(self, word: str) -> bool:
        """Say whether `word` (lower case) carries no content in a question."""
        return word in self.stop_nb or word in self.stop_en or fold(word) in self.stop_nb

    def is_filler(self, sentence: str) -> bool:
        """Say whether a sentence is about the text, not the topic (an announcement, a caption)."""
        return self.filler is not None and self.filler.search(sentence.strip()) is not None

    def own_case(self, question: str) -> tuple[str, str] | None:
        """Return (the student's business, the question without it), if the question names one."""
        for pattern in self.own_case_patterns:
            match = pattern.search(question)
            if match is not None:
                rest = " ".join((question[: match.start()] + " " + question[match.end() :]).split())
                rest = rest.strip(" ,.;:–—-")
                business = match.group("business").strip()
                first, _, others = business.partition(" ")
                spoken = _YOURS.get(first.lower())
                return (f"{spoken} {others}" if spoken else business), rest
        return None

    def parts(self, question: str) -> list[str]:
        """Split a question that asks two things ('Hva er X, og hvordan Y?') into its parts.

        A part of fewer than two words stays with its neighbour: 'Hvordan og hvorfor ...' is one.
        """
        text = question.strip()
        cuts = [(m.start(), m.end()) for m in re.finditer(r"(?<=\?)\s+(?=\S)", text)]
        if self.two_part is not None:
            cuts += [(m.start(), m.end()) for m in self.two_part.finditer(text)]
        parts: list[str] = []
        start = 0
        for cut, resume in sorted(cuts):
            if cut < start:
                continue
            head, rest = text[start:cut], text[resume:]
            if len(words(head)) >= 2 and len(words(rest)) >= 2:
                parts.append(head.strip(" ,;"))
                start = resume
        parts.append(_JOINER.sub("", text[start:].strip(" ,;")))
        return [p for p in parts if p]

    def asks_further(self, question: str) -> bool:
        """Say whether a question asks what a text says further on ('hva var konklusjonen?')."""
        return self.further is not None and self.further.search(question) is not None

    def ordinal(self, question: str) -> int | None:
        """Return n when a question asks for the n-th item of a list ('den fjerde faktoren')."""
        return next((self.ordinals[w] for w in words(question) if w in self.ordinals), None)

    def is_everywhere(self, word: str) -> bool:
        """Say whether `word` is used by every course on the subject ('innlegget', 'studenter')."""
        return word in self.everywhere or fold(word) in self.everywhere

    def is_common(self, word: str) -> bool:
        """Say whether `word` is an everyday word that carries little topic on its own."""
        return word in self.common or fold(word) in self.common

    def answer_type(self, question_words: list[str]) -> tuple[AnswerType, int] | None:
        """Return the answer type a question asks for and where its phrase ends, if any.

        'hvor mange brukere' asks for a number, and 'brukere' (the word after the phrase) is
        what is counted. Words are compared folded, so 'naar' reads as 'når'.
        """
        tokens = [fold(w) for w in question_words]
        for kind in self.answer_types.values():
            for phrase in kind.asks:
                needle = [fold(w) for w in words(phrase)]
                starts = [0] if kind.position == "start" else range(len(tokens))
                for i in starts:
                    if tokens[i : i + len(needle)] == needle:
                        return kind, i + len(needle)
        return None

    def satisfies(self, kind: AnswerType, sentence: str) -> bool:
        """Say whether a sentence can answer a question of this answer type."""
        if kind.needs_pattern and re.search(kind.needs_pattern, sentence, re.IGNORECASE):
            return True
        tokens = words(sentence)
        if kind.needs_year and any(t.isdigit() and len(t) == 4 for t in tokens):
            return True
        if kind.needs_number and any(
            any(ch.isdigit() for ch in t) or t in self.number_words for t in tokens
        ):
            return True
        wanted = {fold(w) for w in kind.needs_words}
        return any(fold(t) in wanted for t in tokens)


def load_lexicon(knowledge_dir: Path) -> Lexicon:
    """Load the lexicon, glossary, synonyms and common words from `knowledge_dir`."""
    path = knowledge_dir / LEXICON_FILE
    lex = load_yaml_model(LexiconFile, path)
    common: set[str] = set()
    common_path = knowledge_dir / COMMON_FILE
    if common_path.exists():
        lists = load_yaml_model(LanguageLists, common_path)
        common = {w.lower() for w in lists.nb + lists.en}
    stop_nb = frozenset(STOPWORDS_NORWEGIAN) | frozenset(w.lower() for w in lex.stopwords.nb)
    stop_en = frozenset(STOPWORDS_EN_PLUS) | frozenset(w.lower() for w in lex.stopwords.en)
    return Lexicon(
        stop_nb=stop_nb | frozenset(fold(w) for w in stop_nb),
        stop_en=stop_en,
        marks_nb=frozenset(w.lower() for w in lex.language.nb),
        marks_en=frozenset(w.lower() for w in lex.language.en),
        glossary=_phrase_table(knowledge_dir / GLOSSARY_FILE, english=True),
        synonyms=_phrase_table(knowledge_dir / SYNONYMS_FILE, english=False),
        common=frozenset(common | {fold(w) for w in common}),
        number_words=frozenset(w.lower() for w in lex.number_words),
        answer_types=lex.answer_types,
        filler=compile_patterns(
            [p for family in lex.filler.values() for p in family],
            knowledge_dir / LEXICON_FILE,
            "filler",
        ),
        own_case_patterns=_own_case(lex.own_case, path),
        two_part=compile_patterns(lex.two_part, path, "two_part"),
        everywhere=frozenset(w.lower() for w in lex.everywhere)
        | frozenset(fold(w) for w in lex.everywhere),
        further=compile_patterns(lex.further, path, "further"),
        ordinals={w.lower(): n for w, n in lex.ordinals.items()},
    )


def _own_case(patterns: list[str], path: Path) -> tuple[re.Pattern[str], ...]:
    """Compile the own-case patterns; each needs a `business` group; a bad one names the file."""
    compiled = []
    for pattern in patterns:
        regex = compile_patterns([pattern], path, "own_case")
        if regex is None or "business" not in regex.groupindex:
            raise DataFileError(path, None, f"own_case: {pattern!r} has no (?P<business>...) group")
        compiled.append(regex)
    return tuple(compiled)


__all__ = [
    "AnswerType",
    "Lexicon",
    "PhraseTable",
    "english_key",
    "load_lexicon",
    "term_of",
]
