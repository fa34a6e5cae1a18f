"""Post length, counted the way each platform counts it, and threads for drafts that are too long.

The counting rules are data (`knowledge/platforms.yaml`): X's twitter-text v3 weights, graphemes
for Bluesky, code points for Mastodon, Threads and LinkedIn, with Mastodon's fixed URL length
and mentions counted by their username only.

X is counted with twitter-text-parser's URL and emoji extraction and character weights. Its
emoji list is older than today's emoji: a sequence it does not know (🫱🏻‍🫲🏿) would count 9, so
every grapheme cluster that is an emoji sequence (ZWJ, skin tone, keycap, tags, two regional
indicators) counts as one emoji, as X does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field
from twitter_text import extract_emojis_with_indices, extract_urls_with_indices
from twitter_text.has_invalid_characters import has_invalid_characters

from bot.core.datafiles import load_yaml_model
from bot.errors import DataFileError

PLATFORMS_FILE = "platforms.yaml"

_GRAPHEME = regex.compile(r"\X")
_PICTOGRAPH = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}]")
_SEQUENCE_MARK = regex.compile(r"[\u200d\u20e3\ufe0f\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]")
_REGIONAL_PAIR = regex.compile(r"^\p{Regional_Indicator}{2}$")
_LINE_ENDINGS = re.compile(r"\r\n|\r")
_LIGHT_MAX = 4351  # code points up to here weigh 1 in every twitter-text configuration
_LINKISH = re.compile(r"\S\.[^\W\d_]{2}")  # anything that might be a link ("elegante.no")
_MENTION = re.compile(r"(?<![\w@])@(\w+)(?:@[\w.-]+\w)?")


class WeightRange(BaseModel):
    """Code points from `start` to `end` weigh `weight` (in 1/scale units)."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    weight: int = Field(ge=0)


class TwitterConfig(BaseModel):
    """twitter-text's weighted-length configuration (v3)."""

    model_config = ConfigDict(extra="forbid")

    scale: int = Field(gt=0)
    default_weight: int = Field(gt=0)
    emoji_weight: int = Field(gt=0)
    transformed_url_length: int = Field(gt=0)
    ranges: list[WeightRange]


class Platform(BaseModel):
    """A platform's limit and how it counts."""

    model_config = ConfigDict(extra="forbid")

    name: str
    limit: int = Field(gt=0)
    unit: Literal["twitter", "graphemes", "code_points"]
    aliases: list[str] = Field(default_factory=list)
    url_length: int | None = None
    url_needs_scheme: bool = False
    mentions: Literal["full", "username"] = "full"
    course_limit: int | None = None
    advised_hashtags: int | None = None
    twitter: TwitterConfig | None = None


class PlatformsFile(BaseModel):
    """`knowledge/platforms.yaml`."""

    model_config = ConfigDict(extra="forbid")

    default: str
    platforms: dict[str, Platform]


@dataclass(frozen=True)
class Platforms:
    """The platforms by code, with their aliases ('twitter' is X)."""

    default: str
    by_code: dict[str, Platform]
    aliases: dict[str, str]

    def resolve(self, name: str | None) -> str | None:
        """Return the platform code for a name or alias, or None when unknown."""
        if not name:
            return self.default
        key = name.strip().lower()
        return key if key in self.by_code else self.aliases.get(key)

    def get(self, code: str) -> Platform:
        """Return the platform with this code."""
        return self.by_code[code]


def load_platforms(knowledge_dir: Path) -> Platforms:
    """Load and check `platforms.yaml`."""
    path = knowledge_dir / PLATFORMS_FILE
    data = load_yaml_model(PlatformsFile, path)
    aliases = {alias.lower(): code for code, p in data.platforms.items() for alias in p.aliases}
    if data.default not in data.platforms:
        raise DataFileError(path, 1, f"default platform '{data.default}' is not defined")
    for code, platform in data.platforms.items():
        if platform.unit == "twitter" and platform.twitter is None:
            raise DataFileError(path, None, f"platform '{code}' counts like X but has no twitter:")
    return Platforms(data.default, data.platforms, aliases)


@dataclass(frozen=True, slots=True)
class Count:
    """A draft's length on a platform, and the part of it that fits."""

    text: str
    length: int
    limit: int
    fits_until: int
    invalid: bool

    @property
    def fits(self) -> bool:
        """Say whether the draft fits (an empty draft does not)."""
        return 0 < self.length <= self.limit and not self.invalid

    @property
    def over_by(self) -> int:
        """Return how far the draft is over the limit (0 when it fits)."""
        return max(0, self.length - self.limit)

    @property
    def fitting_text(self) -> str:
        """Return the part of the (normalised) text that fits, cut back to a word boundary."""
        end, text = self.fits_until, self.text
        if 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            space = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end))
            end = space + 1 if space > 0 else end
        return text[:end]


def normalise(text: str) -> str:
    """Return text as platforms store it: NFC, with one kind of line ending."""
    return _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text))


def is_emoji_sequence(cluster: str) -> bool:
    """Say whether a grapheme cluster is one emoji made of several code points."""
    if len(cluster) < 2 or not _PICTOGRAPH.search(cluster):
        return False
    return bool(_SEQUENCE_MARK.search(cluster) or _REGIONAL_PAIR.match(cluster))


def _emoji_spans(text: str) -> dict[int, int]:
    """Return emoji start -> end: twitter-text's matches, with whole sequences it splits."""
    spans = {e["indices"][0]: e["indices"][1] for e in extract_emojis_with_indices(text)}
    for match in _GRAPHEME.finditer(text):
        if is_emoji_sequence(match.group()):
            start, end = match.span()
            for inner in [s for s in spans if start <= s < end]:
                del spans[inner]
            spans[start] = end
    return spans


def _char_weight(ch: str, config: TwitterConfig) -> int:
    code = ord(ch)
    for r in config.ranges:
        if r.start <= code <= r.end:
            return r.weight
    return config.default_weight


def _plain_light(text: str) -> bool:
    return (
        max(map(ord, text), default=0) <= _LIGHT_MAX
        and not _LINKISH.search(text)
        and not _PICTOGRAPH.search(text)
    )


def count_twitter(text: str, limit: int, config: TwitterConfig) -> Count:
    """Count as X does (twitter-text v3): NFC, URLs 23, emoji 2, heavy characters 2."""
    text = normalise(text)
    if _plain_light(text):
        # No link, no emoji, every character light: each counts exactly 1 (the common case).
        return Count(text, len(text), limit, min(len(text), limit), has_invalid_characters(text))
    urls = {u["indices"][0]: u["indices"][1] for u in extract_urls_with_indices(text)}
    emoji = _emoji_spans(text)
    weighted = 0
    fits_until = 0
    valid = True
    i = 0
    budget = limit * config.scale
    while i < len(text):
        if i in urls:
            end = urls[i]
            weighted += config.transformed_url_length * config.scale
        elif i in emoji:
            end = emoji[i]
            weighted += config.emoji_weight
        else:
            end = i + 1
            weighted += _char_weight(text[i], config)
        # Like twitter-text, the part that fits ends at the first character X refuses.
        valid = valid and not has_invalid_characters(text[i:end])
        if valid and weighted <= budget:
            fits_until = end
        i = end
    return Count(text, weighted // config.scale, limit, fits_until, not valid)


def _units(text: str, platform: Platform) -> list[tuple[int, int, int]]:
    """Split text into (start, end, weight) units for the platforms counted by characters."""
    spans: dict[int, tuple[int, int]] = {}
    if platform.url_length is not None:
        for url in extract_urls_with_indices(text):
            start, end = url["indices"]
            if platform.url_needs_scheme and not url["url"].lower().startswith(
                ("http://", "https://")
            ):
                continue
            spans[start] = (end, platform.url_length)
    if platform.mentions == "username":
        for match in _MENTION.finditer(text):
            if match.start() not in spans and match.group(0) != match.group(1):
                spans[match.start()] = (match.end(), len(match.group(1)) + 1)
    units: list[tuple[int, int, int]] = []
    i = 0
    step = _GRAPHEME if platform.unit == "graphemes" else None
    while i < len(text):
        if i in spans:
            end, weight = spans[i]
        elif step is not None:
            found = step.match(text, i)
            end = found.end() if found else i + 1
            weight = 1
        else:
            end, weight = i + 1, 1
        units.append((i, end, weight))
        i = end
    return units


def count(text: str, platform: Platform) -> Count:
    """Count a draft as `platform` does."""
    if platform.unit == "twitter":
        assert platform.twitter is not None
        return count_twitter(text, platform.limit, platform.twitter)
    text = normalise(text)
    total = 0
    fits_until = 0
    for _start, end, weight in _units(text, platform):
        total += weight
        if total <= platform.limit:
            fits_until = end
    return Count(text, total, platform.limit, fits_until, False)


# -- threads ------------------------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+")
_LEADING_SYMBOLS = re.compile(r"([^\w\s«\"'(\[#@]+)(?:\s+|$)")


def _pieces(text: str) -> list[str]:
    """Split a draft into sentences (paragraph breaks are sentence ends too)."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        for piece in (p for p in _SENTENCE_BREAK.split(paragraph.strip()) if p):
            lead = _LEADING_SYMBOLS.match(piece) if pieces else None  # '… der. 🎉 Vi …'
            if lead:  # an emoji after a sentence's end belongs to that sentence
                pieces[-1], piece = f"{pieces[-1]} {lead.group(1)}", piece[lead.end() :]
            pieces += [piece] if piece else []
    return pieces


def _tokens(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Return a thread's units: sentences that fit alone, else words (cut only if too long)."""
    tokens: list[str] = []
    for piece in _pieces(text):
        if fits(piece):
            tokens.append(piece)
            continue
        for word in piece.split():
            if fits(word):
                tokens.append(word)
                continue
            tokens.extend(_cut(_GRAPHEME.findall(word), fits))
    return tokens


def _cut(graphemes: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Cut a word into the longest runs of graphemes that fit, each at least one grapheme.

    Each cut is found by galloping, then bisection, so a 4,000-character word costs a few dozen
    counts of about a part's length instead of one per grapheme (a run's count grows with it).
    """
    runs: list[str] = []
    start = 0
    while start < len(graphemes):
        # Gallop to a length that no longer fits, so no count is ever much longer than a part.
        low, step = start + 1, 1
        while low + step <= len(graphemes) and fits("".join(graphemes[start : low + step])):
            low += step
            step *= 2
        high = min(len(graphemes), low + step - 1)
        while low < high:
            middle = (low + high + 1) // 2
            if fits("".join(graphemes[start:middle])):
                low = middle
            else:
                high = middle - 1
        runs.append("".join(graphemes[start:low]))
        start = low
    return runs


def _longest_fit(weights: list[int], start: int, budget: int) -> int:
    """Return the largest end such that tokens[start:end], joined by spaces, fit in `budget`.

    A link or an emoji never spans a space, so a part weighs its tokens plus one per space.
    """
    total = 0
    end = start
    while end < len(weights):
        extra = weights[end] + (1 if end > start else 0)
        if end > start and total + extra > budget:
            break
        total += extra
        end += 1
    return end


def thread(text: str, platform: Platform) -> list[str]:
    """Split a too-long draft into numbered parts ('1/3') that each fit, counted with the number.

    Parts break at sentence ends, then between words; never inside a URL, mention or hashtag.
    Returns [] when the draft fits as it is.
    """
    if count(text, platform).fits or not text.strip():
        return []
    total = 2
    for _ in range(6):  # the number of parts changes the suffix length; settle it
        suffix_len = len(f" {total}/{total}")
        parts = _pack(text, platform, suffix_len)
        if len(parts) <= total and len(str(len(parts))) == len(str(total)):
            total = len(parts)
            break
        total = len(parts)
    return [f"{part} {i}/{len(parts)}" for i, part in enumerate(parts, start=1)]


def _surely_fits(text: str, platform: Platform) -> bool:
    """Say cheaply whether a text surely fits: each character at most 2, each link at most 23."""
    heaviest = 2 if platform.unit == "twitter" else 1
    links = len(_LINKISH.findall(text))
    per_link = max(23, platform.url_length or 0)
    return bool(text.strip()) and heaviest * len(text) + per_link * links <= platform.limit


def _pack_by_counting(tokens: list[str], fits: Callable[[str], bool]) -> list[str]:
    parts: list[str] = []
    current = ""
    for token in tokens:
        candidate = f"{current} {token}".strip()
        if fits(candidate) or not current:
            current = candidate
        else:
            parts.append(current)
            current = token
    if current:
        parts.append(current)
    return parts


def _pack(text: str, platform: Platform, suffix_len: int) -> list[str]:
    reserve = " " + "9" * (suffix_len - 1)  # stands in for the part number, " 1/3"

    def fits(candidate: str) -> bool:
        full = candidate + reserve
        return _surely_fits(full, platform) or count(full, platform).fits

    tokens = _tokens(text, fits)
    weights = [count(token, platform).length for token in tokens]
    budget = platform.limit - count(reserve, platform).length
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        end = _longest_fit(weights, start, budget)
        parts.append(" ".join(tokens[start:end]))
        start = end
    if not all(fits(part) for part in parts):  # never expected; fall back to counting
        parts = _pack_by_counting(tokens, fits)
    return parts


__all__ = [
    "Count",
    "Platform",
    "Platforms",
    "count",
    "count_twitter",
    "is_emoji_sequence",
    "load_platforms",
    "normalise",
    "thread",
]
