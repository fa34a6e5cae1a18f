"""Judge a draft by the rules: its length on the platform, flags, tone, notes and fixes."""

from __future__ import annotations

import re

import regex

from bot.core.language import Language
from bot.core.review import claims
from bot.core.review.claims import DENIED, QUESTION, said
from bot.core.review.length import Count, Platform, Platforms, count, thread
from bot.core.review.result import ReviewResult, Suggestion, Tone
from bot.core.review.rules import FLAGS, HASHTAG, MAX_DRAFT_CHARS, Draft, Rules, lix
from bot.core.strings import Strings
from bot.core.text import fold

MAX_THREAD_PARTS = 25
_SELF = re.compile(r"\b((?i:jeg|meg|me|myself)|I)\b[^.!?]{0,30}$")
_NEGATED = re.compile(r"\b(ingen|ikke|no|not|never|aldri)\s+(\w+\s+)?$", re.IGNORECASE)
# Where an imperative may open a clause: after a sentence's end, a colon, a dash, an emoji, or a
# comma ("Vil du ha beskjed, svar på denne").
_CLAUSE = regex.compile(r"[.!?:;,\n–—•]+|\p{Extended_Pictographic}+")
_MENTION = re.compile(r"(?<![\w@])@\w{2,}")
_REPLY_TO = re.compile(r"^\s*(@\w+[\s,:]*)+")
_AD_SIGNS = ("code", "gift", "partner", "bio_link")
_CONNECTOR = re.compile(r"^(og|and|so|så|then|just|bare|men|but)\s+", re.IGNORECASE)
_OPENERS = "\"'«“‘([*-_ \t"


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
        text = text[:MAX_DRAFT_CHARS]  # chat messages are bounded before (MAX_INPUT_CHARS)
        draft = Draft.of(text)
        measured = count(text, spec)
        found = self.flags(draft, measured, spec)
        notes = self.notes(draft, measured, spec, code, lang)
        suggestions = [
            self._suggestion(flag, words, measured, spec, lang, draft) for flag, words in found
        ]
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
            # A thread only when it stays readable; a longer text is for shortening, not posting.
            thread=thread(text, spec)
            if "too_long" in flags and measured.length <= spec.limit * MAX_THREAD_PARTS
            else [],
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
        meant = self.rules.tone.judge(plain) if self.rules.tone is not None else {}
        marked = self.rules.find("disclosure", plain)
        ad = [] if marked else self._undisclosed_ad(draft) or self._meant_ad(draft, meant)
        if ad:
            found["undisclosed_ad"] = ad
        hostile = self._hostile(plain) or self._meant_hostile(plain, meant)
        if hostile:
            found["negative_hostile"] = hostile
        hype = claims.hype(self.rules, plain) or claims.meant_hype(self.rules, plain, meant)
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
        tags = HASHTAG.findall(plain)
        if len(tags) >= 5:
            found["too_many_hashtags"] = [f"#{t}" for t in tags]
        # A telling-off is not an offer, even when it names one ('vi fikser ikke gratis').
        # A thank-you for a gift is an ad, not an announcement that needs a next step.
        gifts = set(self.rules.find("gift", plain))
        sold = [w for w in ad or [] if w not in gifts]
        ungifted = self.rules.patterns["gift"].sub(" ", plain)
        promotion = [] if hostile else self._promotion(ungifted) + sold + hype
        promotion = promotion or ([] if hostile else said(meant, "missing_call_to_action"))
        if promotion and not self._has_next_step(draft):
            found["missing_call_to_action"] = promotion[:3]
        if not QUESTION.search(plain) and not self._invites(plain):
            found["no_dialogue"] = []
        return [(flag, found[flag]) for flag in FLAGS if flag in found]

    def _meant_hostile(self, plain: str, meant: dict[str, str]) -> list[str]:
        """Return the belittling sentence the tone model found; an apology is not hostile."""
        if "negative_hostile" not in meant or self.rules.find("apology", plain):
            return []
        return said(meant, "negative_hostile")

    def _hostile(self, plain: str) -> list[str]:
        """Return belittling words aimed at others (not 'jeg var så dum', not 'ingen dumme')."""
        found: list[str] = []
        matches = list(self.rules.patterns["hostile"].finditer(plain))
        if plain.lstrip().startswith("@"):  # a reply: what they should have done is blame too
            matches += self.rules.patterns["reply_hostile"].finditer(plain)
        for match in matches:
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

    def _undisclosed_ad(self, draft: Draft) -> list[str]:
        """Return the words that make the (unmarked) draft an ad for another party, or []."""
        plain = draft.plain
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
        bio = self.rules.find("bio_link", plain)
        earning = [u for u in draft.urls if self.rules.find("affiliate_link", u)]
        other = bool(self.rules.find("other_party", plain))
        if (code and (personal or not own or other)) or (bio and personal):
            signals += code + bio
        if personal or not own:  # a company's own perk is its offer
            signals += self.rules.find("perk", plain)
        return list(dict.fromkeys(signals + earning))

    def _meant_ad(self, draft: Draft, meant: dict[str, str]) -> list[str]:
        """Return the sentence the tone model read as an ad in an unmarked draft: only with
        something that sends the reader to another party (a link, a code, a name, a mention, a
        gift or a partnership), and not a company's own offer in its own voice."""
        plain = draft.plain
        if "undisclosed_ad" not in meant:
            return []
        find = self.rules.find
        # a mention inside the text names a party; the ones a reply opens with are the customer's
        other = bool(find("other_party", plain) or _MENTION.search(_REPLY_TO.sub("", plain)))
        if not (draft.urls or other or any(self._affirmed(k, plain) for k in _AD_SIGNS)):
            return []
        if find("own_offer", plain) and not find("personal", plain) and not other:
            return []
        return said(meant, "undisclosed_ad")

    def _invites(self, plain: str) -> bool:
        """Say whether the draft invites a reply (in a reply, getting in touch is one too)."""
        if self.rules.find("dialogue", plain):
            return True
        return bool(_REPLY_TO.match(plain)) and bool(self.rules.find("reply_dialogue", plain))

    def _affirmed(self, name: str, plain: str) -> bool:
        """Say whether a list's words occur and are not denied ('No partnership here')."""
        matches = self.rules.patterns[name].finditer(plain)
        return any(not DENIED.search(plain[max(0, m.start() - 30) : m.start()]) for m in matches)

    def _has_next_step(self, draft: Draft) -> bool:
        """Say whether the draft gives a next step: a link, a question, an invitation to reply,
        or an imperative."""
        plain = draft.plain
        if draft.urls or QUESTION.search(plain) or self.rules.find("call_to_action", plain):
            return True
        if self._invites(plain):
            return True
        if self.rules.find("time_of_day", plain) and self.rules.find("place", plain):
            return True
        for clause in _CLAUSE.split(draft.plain):
            # folded, so that a draft typed without æøå meets the list ('kjop', 'spor')
            opening = fold(_CONNECTOR.sub("", clause.lstrip(_OPENERS), count=1)[:40])
            for verb in map(fold, self.rules.imperatives):
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
        if spec.course_limit and measured.length > spec.course_limit:
            notes.append(
                t(lang, "review.course_limit", course=spec.course_limit, length=measured.length)
            )
        tags = HASHTAG.findall(draft.plain)
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
        self,
        flag: str,
        words: list[str],
        measured: Count,
        spec: Platform,
        lang: Language,
        draft: Draft | None = None,
    ) -> Suggestion:
        """A flag's explanation and a fix that names the draft's own words."""
        sep = self.strings.t(lang, "review.words_sep")
        values = {
            "over": measured.over_by,
            "limit": spec.limit,
            "platform": spec.name,
            "count": len(words),
            "words": sep.join(words[:3]) if words else "",
            "topic": _topic(draft.plain if draft else "", lang),
        }
        key = f"review.flags.{flag}.fix"
        if flag == "negative_hostile" and draft is not None and draft.plain.lstrip()[:1] == "@":
            key = "review.flags.negative_hostile.fix_reply"  # a reply: answer as in a conversation
        return Suggestion(
            flag=flag,
            words=words,
            explanation=self.strings.t(lang, f"review.flags.{flag}.explanation", **values),
            fix=self.strings.t(lang, key, **values),
        )

    def tone(
        self, draft: Draft, flags: list[str], suggestions: list[Suggestion], lang: Language
    ) -> Tone:
        """Summarise the tone: a label, a line per course norm, LIX, and a verdict."""
        t = self.strings.t
        has = set(flags)
        if has & {"empty", "link_only"}:
            return self._blank_tone(draft, has, suggestions, lang)

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

    def _blank_tone(
        self, draft: Draft, has: set[str], suggestions: list[Suggestion], lang: Language
    ) -> Tone:
        """The tone of a draft with no text to judge: no praise for what is not there."""
        t = self.strings.t
        nothing = t(lang, "review.norms.nothing")
        norms = {n: nothing for n in ("troverdighet", "gjennomsiktighet", "åpenhet")}
        norms["interessant og nyttig"] = (
            t(lang, "review.norms.interessant_bad", what=t(lang, "review.what.link_only"))
            if "link_only" in has
            else nothing
        )
        return Tone(
            label=t(lang, "review.labels.work"),
            norms=norms,
            lix=lix(draft.plain),
            verdict=t(lang, "review.verdict_fix", fix=suggestions[0].fix),
        )

    def accept_rewrite(self, rewrite: str | None, platform: str) -> str | None:
        """Return a model's rewrite only if it fits the platform when counted again."""
        if not rewrite or not rewrite.strip():
            return None
        spec = self.platforms.get(platform)
        return rewrite.strip() if count(rewrite, spec).fits else None


def _topic(plain: str, lang: Language) -> str:
    """Return what a draft is about, to ask a question on it: its longest lower-case word."""
    found: list[str] = re.findall(r"(?<![#@\w])[^\W\d_]{5,}", plain)
    # A plain word, not a name or a capitalised opener ('Verdens beste boller' is about boller).
    candidates = [w for w in found if w[0].islower()] or [w for w in found if not w.isupper()]
    if not candidates:
        return "innlegget" if lang == "nb" else "this"
    return max(candidates, key=len).lower()


__all__ = ["Reviewer"]
