"""`!review`: a draft's exact length on its platform, and its tone judged by the course's norms.

The rules are the backbone: every flag has a stable code, the words that triggered it, an
explanation tied to a course norm and a concrete fix, all in the member's language. Word lists
are data (`knowledge/review.yaml`). With an LLM configured, the model may add remarks and one
rewrite (see `LLMReview`); a rewrite is counted again and dropped if it does not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from twitter_text import extract_urls_with_indices

from bot.core.datafiles import load_yaml_model
from bot.core.language import Language
from bot.core.length import Count, Platform, Platforms, count, normalise, thread
from bot.core.ports import ChatMessage, ChatModel
from bot.core.strings import Strings
from bot.errors import DataFileError, LLMError

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

NORMS = ("troverdighet", "gjennomsiktighet", "åpenhet", "interessant og nyttig")
_NORM_KEYS = {
    "troverdighet": "troverdighet",
    "gjennomsiktighet": "gjennomsiktighet",
    "åpenhet": "apenhet",
    "interessant og nyttig": "interessant",
}
MAX_DRAFT_CHARS = 4000
_HASHTAG = re.compile(r"(?<![\w&/#])#(\w+)")
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]»”']", re.IGNORECASE)
_SELF = re.compile(r"\b((?i:jeg|meg|me|myself)|I)\b[^.!?]{0,30}$")
_NEGATED = re.compile(r"\b(ingen|ikke|no|not|never|aldri)\s+(\w+\s+)?$", re.IGNORECASE)
_CLAUSE = regex.compile(r"[.!?:;\n–—•]+|\p{Extended_Pictographic}+")
_OPENERS = "\"'«“‘([*-_ \t"


class ReviewFile(BaseModel):
    """`knowledge/review.yaml`: the patterns behind the flags."""

    model_config = ConfigDict(extra="forbid")

    disclosure: list[str]
    gift: list[str]
    partner: list[str]
    code: list[str]
    own_offer: list[str]
    personal: list[str]
    hype: list[str]
    hostile: list[str]
    promotion: list[str]
    offer: list[str]
    past: list[str]
    call_to_action: list[str]
    imperatives: list[str]
    dialogue: list[str]


@dataclass(frozen=True)
class Rules:
    """Compiled patterns, one per list of `review.yaml`."""

    patterns: dict[str, re.Pattern[str]]
    imperatives: tuple[str, ...]

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
    return Rules(patterns, imperatives)


class Suggestion(BaseModel):
    """One flag explained: the words that triggered it, why it matters, and what to do."""

    flag: str
    words: list[str]
    explanation: str
    fix: str


class Tone(BaseModel):
    """The tone summary: a label, a remark per course norm, readability, and a verdict."""

    label: str
    norms: dict[str, str]
    lix: int | None
    verdict: str


class ReviewResult(BaseModel):
    """A review in the pinned JSON shape (plus fields the adapters use)."""

    text: str
    platform: str
    weighted_length: int
    limit: int
    fits: bool
    over_by: int
    flags: list[str]
    tone: Tone
    suggestions: list[Suggestion]
    notes: list[str]
    thread: list[str]
    engine: Literal["offline", "llm"] = "offline"
    language: Language = "nb"
    fitting_text: str = ""
    course_limit: int | None = None
    remarks: list[str] = Field(default_factory=list)
    rewrite: str | None = None
    fallback_reason: str | None = None

    def to_json(self) -> dict[str, object]:
        """Return the JSON object for the CLI (pinned fields first)."""
        data = self.model_dump(exclude={"fallback_reason", "remarks", "rewrite"})
        if self.remarks:
            data["remarks"] = self.remarks
        if self.rewrite:
            data["rewrite"] = self.rewrite
        if self.fallback_reason:
            data["fallback_reason"] = self.fallback_reason
        return data


class LLMReview(BaseModel):
    """What a model may add to a review: remarks, and one rewrite that keeps the meaning."""

    model_config = ConfigDict(extra="ignore")

    remarks: list[str] = Field(default_factory=list, max_length=5)
    rewrite: str | None = None


def parse_llm_review(raw: str) -> LLMReview | None:
    """Parse a model's JSON answer (fenced or bare); None when it is not valid."""
    text = raw.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        return LLMReview.model_validate_json(text[start : end + 1])
    except ValidationError:
        return None


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
    words = re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", _HASHTAG.sub(" ", text))
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


class Reviewer:
    """Reviews drafts by the rules; the same core serves the console, Discord and the CLI."""

    def __init__(self, rules: Rules, platforms: Platforms, strings: Strings) -> None:
        self.rules = rules
        self.platforms = platforms
        self.strings = strings

    def review(self, text: str, platform: str | None = None, lang: Language = "nb") -> ReviewResult:
        """Review a draft on a platform (a code or alias; None for the default)."""
        code = self.platforms.resolve(platform)
        if code is None:
            raise ValueError(f"unknown platform {platform!r}")
        spec = self.platforms.get(code)
        text = text[:MAX_DRAFT_CHARS]
        draft = Draft.of(text)
        measured = count(text, spec)
        found = self.flags(draft, measured, spec)
        notes = self.notes(draft, measured, spec, code, lang)
        suggestions = [self._suggestion(flag, words, measured, spec, lang) for flag, words in found]
        flags = [flag for flag, _ in found]
        return ReviewResult(
            text=text,
            platform=code,
            weighted_length=measured.length,
            limit=spec.limit,
            fits=measured.fits and "empty" not in flags,
            over_by=measured.over_by,
            flags=flags,
            tone=self.tone(draft, flags, suggestions, lang),
            suggestions=suggestions,
            notes=notes,
            thread=thread(text, spec) if "too_long" in flags else [],
            language=lang,
            fitting_text=measured.fitting_text if measured.over_by else "",
            course_limit=spec.course_limit,
        )

    # -- flags ------------------------------------------------------------------------------

    def flags(self, draft: Draft, measured: Count, spec: Platform) -> list[tuple[str, list[str]]]:
        """Return (flag, triggering words) pairs, in FLAGS order."""
        if not draft.text.strip():
            return [("empty", [])]
        if draft.urls and not re.search(r"\w", draft.plain):
            return [("link_only", draft.urls)]
        plain = draft.plain
        found: dict[str, list[str]] = {}
        if measured.length > spec.limit:
            found["too_long"] = [f"{measured.length}/{spec.limit}"]
        ad = self._undisclosed_ad(plain)
        if ad:
            found["undisclosed_ad"] = ad
        hostile = self._hostile(plain)
        if hostile:
            found["negative_hostile"] = hostile
        hype = self.rules.find("hype", plain)
        if hype:
            found["hype_unverifiable_claim"] = hype
        letters = [ch for ch in plain if ch.isalpha()]
        upper = [ch for ch in letters if ch.isupper()]
        if len(letters) >= 10 and len(upper) >= 0.8 * len(letters):
            shouted = re.findall(r"\b[^\W\d_a-zæøå]{2,}\b", plain)
            found["all_caps"] = shouted[:5] or [plain.strip()[:40]]
        bangs = plain.count("!") + plain.count("‼") * 2
        if bangs >= 3 or "!!" in plain or "‼" in plain:
            found["excess_exclamation"] = list(dict.fromkeys(re.findall(r"[!‼]+", plain)))
        tags = _HASHTAG.findall(plain)
        if len(tags) >= 5:
            found["too_many_hashtags"] = [f"#{t}" for t in tags]
        # A telling-off is not an offer, even when it names one ('vi fikser ikke gratis').
        promotion = [] if hostile else self._promotion(plain) + (ad or [])
        if promotion and not self._has_next_step(draft):
            found["missing_call_to_action"] = promotion[:3]
        if "?" not in plain and not self.rules.find("dialogue", plain):
            found["no_dialogue"] = []
        return [(flag, found[flag]) for flag in FLAGS if flag in found]

    def _hostile(self, plain: str) -> list[str]:
        """Return belittling words aimed at others (not 'jeg var så dum', not 'ingen dumme')."""
        found: list[str] = []
        for match in self.rules.patterns["hostile"].finditer(plain):
            before = plain[max(0, match.start() - 40) : match.start()]
            if _SELF.search(before) or _NEGATED.search(before):
                continue
            found.append(match.group(0).strip())
        return list(dict.fromkeys(found))

    def _promotion(self, plain: str) -> list[str]:
        """Return what the draft promotes; an event it thanks people for is not promoted."""
        offer = self.rules.find("offer", plain)
        if offer:
            return offer
        if self.rules.find("past", plain):
            return []
        return self.rules.find("promotion", plain)

    def _undisclosed_ad(self, plain: str) -> list[str]:
        """Return the words that make the draft an unmarked ad for another party, or []."""
        if self.rules.find("disclosure", plain):
            return []
        gift = self.rules.find("gift", plain)
        partner = self.rules.find("partner", plain)
        code = self.rules.find("code", plain)
        personal = bool(self.rules.find("personal", plain))
        own = bool(self.rules.find("own_offer", plain))
        signals: list[str] = []
        if gift:
            signals += gift
        if partner and (personal or code):
            signals += partner
        if code and (personal or not own):
            signals += code
        return list(dict.fromkeys(signals))

    def _has_next_step(self, draft: Draft) -> bool:
        """Say whether the draft gives a next step: a link, a question, or an imperative."""
        if draft.urls or "?" in draft.plain or self.rules.find("call_to_action", draft.plain):
            return True
        for clause in _CLAUSE.split(draft.plain):
            opening = clause.lstrip(_OPENERS).lower()
            for verb in self.rules.imperatives:
                after = opening[len(verb) : len(verb) + 1]
                if opening.startswith(verb) and not (after.isalpha() or after == "-"):
                    return True
        return False

    # -- notes, suggestions, tone --------------------------------------------------------

    def notes(
        self, draft: Draft, measured: Count, spec: Platform, code: str, lang: Language
    ) -> list[str]:
        """Return remarks that are not flags: the course's 140 limit, a few hashtags, long URLs."""
        t = self.strings.t
        notes: list[str] = []
        if spec.course_limit and draft.text.strip():
            notes.append(
                t(lang, "review.course_limit", course=spec.course_limit, length=measured.length)
            )
        tags = _HASHTAG.findall(draft.plain)
        if spec.advised_hashtags and spec.advised_hashtags < len(tags) < 5:
            notes.append(
                t(lang, "review.hashtag_note", count=len(tags), advised=spec.advised_hashtags)
            )
        url_length = spec.twitter.transformed_url_length if spec.twitter else spec.url_length
        if url_length:
            for url in draft.urls:
                if len(url) > url_length:
                    notes.append(t(lang, "review.url_note", url=url, url_length=url_length))
        if measured.invalid:
            notes.append(t(lang, "review.invalid_note", platform=spec.name))
        return notes

    def _suggestion(
        self, flag: str, words: list[str], measured: Count, spec: Platform, lang: Language
    ) -> Suggestion:
        values = {
            "over": measured.over_by,
            "limit": spec.limit,
            "platform": spec.name,
            "count": len(words),
        }
        return Suggestion(
            flag=flag,
            words=words,
            explanation=self.strings.t(lang, f"review.flags.{flag}.explanation", **values),
            fix=self.strings.t(lang, f"review.flags.{flag}.fix", **values),
        )

    def tone(
        self, draft: Draft, flags: list[str], suggestions: list[Suggestion], lang: Language
    ) -> Tone:
        """Summarise the tone: a label, a line per course norm, LIX, and a verdict."""
        t = self.strings.t
        has = set(flags)

        def what(*codes: str) -> str:
            return ", ".join(t(lang, f"review.what.{c}") for c in codes)

        credibility = [
            c
            for c in ("hype", "all_caps", "excess_exclamation", "negative_hostile")
            if (c if c != "hype" else "hype_unverifiable_claim") in has
        ]
        norms: dict[str, str] = {}
        norms["troverdighet"] = (
            t(lang, "review.norms.troverdighet_bad", what=what(*credibility))
            if credibility
            else t(lang, "review.norms.troverdighet_ok")
        )
        if "undisclosed_ad" in has:
            norms["gjennomsiktighet"] = t(lang, "review.norms.gjennomsiktighet_bad")
        elif self.rules.find("disclosure", draft.plain):
            norms["gjennomsiktighet"] = t(lang, "review.norms.gjennomsiktighet_disclosed")
        else:
            norms["gjennomsiktighet"] = t(lang, "review.norms.gjennomsiktighet_ok")
        openness = [c for c in ("no_dialogue",) if c in has]
        if "negative_hostile" in has:
            openness.append("hostile_open")
        norms["åpenhet"] = (
            t(lang, "review.norms.apenhet_bad", what=what(*openness))
            if openness
            else t(lang, "review.norms.apenhet_ok")
        )
        useful = [
            c
            for c in ("missing_call_to_action", "link_only", "too_many_hashtags", "too_long")
            if c in has
        ]
        norms["interessant og nyttig"] = (
            t(lang, "review.norms.interessant_bad", what=what(*useful))
            if useful
            else t(lang, "review.norms.interessant_ok")
        )
        if not flags:
            label = "ready"
        elif has <= {"no_dialogue", "missing_call_to_action", "too_many_hashtags"}:
            label = "almost"
        else:
            label = "work"
        verdict = (
            t(lang, "review.verdict_ok")
            if not suggestions
            else t(lang, "review.verdict_fix", fix=suggestions[0].fix)
        )
        return Tone(
            label=t(lang, f"review.labels.{label}"),
            norms=norms,
            lix=lix(draft.plain),
            verdict=verdict,
        )

    def accept_rewrite(self, rewrite: str | None, platform: str) -> str | None:
        """Return a model's rewrite only if it fits the platform when counted again."""
        if not rewrite or not rewrite.strip():
            return None
        spec = self.platforms.get(platform)
        return rewrite.strip() if count(rewrite, spec).fits else None


async def add_model_review(
    result: ReviewResult,
    model: ChatModel,
    messages: list[ChatMessage],
    reviewer: Reviewer,
) -> ReviewResult:
    """Let a model add remarks and one rewrite to a rule-based review.

    The rules stay the backbone: the model's JSON is validated, an invalid answer is asked for
    once more and then dropped, a rewrite that does not fit the platform is never shown, and any
    failure of the model leaves the offline review with its fallback reason.
    """
    parsed: LLMReview | None = None
    try:
        for _ in range(2):
            parsed = parse_llm_review(await model.complete(messages, temperature=0.3))
            if parsed is not None:
                break
    except LLMError as exc:
        return result.model_copy(update={"fallback_reason": exc.reason})
    if parsed is None:
        return result.model_copy(update={"fallback_reason": "invalid_output"})
    prompt = " ".join(" ".join(m.content.split()) for m in messages)

    def echoed(text: str) -> bool:  # a model that copies the prompt's own words back
        flat = " ".join(text.split())
        return len(flat) > 12 and flat in prompt and flat not in result.text

    remarks = [r.strip() for r in parsed.remarks if r and r.strip() and not echoed(r)][:5]
    rewrite = parsed.rewrite if parsed.rewrite and not echoed(parsed.rewrite) else None
    rewrite = reviewer.accept_rewrite(rewrite, result.platform)
    if not remarks and rewrite is None:
        return result.model_copy(update={"fallback_reason": "invalid_output"})
    return result.model_copy(update={"remarks": remarks, "rewrite": rewrite, "engine": "llm"})


def norm_key(norm: str) -> str:
    """Return the string-file key of a norm name ('åpenhet' -> 'apenhet')."""
    return _NORM_KEYS[norm]


__all__ = [
    "FLAGS",
    "NORMS",
    "LLMReview",
    "ReviewResult",
    "Reviewer",
    "Rules",
    "Suggestion",
    "Tone",
    "add_model_review",
    "lix",
    "load_rules",
    "parse_llm_review",
]
