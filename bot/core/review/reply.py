"""Turn a review into a Reply: length, tone per norm, findings, thread, verdict."""

from __future__ import annotations

from bot.core.reply import Reply
from bot.core.review.result import ReviewResult
from bot.core.review.rules import lix_level, norm_key
from bot.core.strings import Strings


def review_reply(result: ReviewResult, strings: Strings, platform_name: str) -> Reply:
    """Return a review as paragraphs: length, tone per norm, findings, thread, verdict."""
    lang = result.language
    t = strings.t
    parts: list[str] = []
    # One call for the three length lines; each text uses the values it names.
    length_key = (
        "review.length_empty"
        if "empty" in result.flags
        else "review.length_over"
        if result.over_by
        else "review.length_ok"
    )
    parts.append(
        t(
            lang,
            length_key,
            platform=platform_name,
            length=result.weighted_length,
            limit=result.limit,
            over=result.over_by,
            fits=_tail(result.fitting_text),
        )
    )
    tone = [t(lang, "review.tone", label=result.tone.label)]
    for norm, remark in result.tone.norms.items():
        tone.append(f"• {t(lang, f'review.norm_names.{norm_key(norm)}')}: {remark}")
    if result.tone.lix is not None:
        level = t(lang, f"review.lix_levels.{lix_level(result.tone.lix)}")
        tone.append(t(lang, "review.lix", lix=result.tone.lix, level=level))
    parts.append("\n".join(tone))
    if result.suggestions:
        lines = [t(lang, "review.findings")]
        for n, s in enumerate(result.suggestions, start=1):
            joined = t(lang, "review.words_sep").join(s.words[:5])
            words = t(lang, "review.finding_words", words=joined) if s.words else ""
            title = t(lang, f"review.flags.{s.flag}.title")
            lines.append(
                t(
                    lang,
                    "review.finding",
                    n=n,
                    title=title,
                    words=words,
                    explanation=s.explanation,
                    fix=s.fix,
                )
            )
        parts.append("\n".join(lines))
    if result.remarks:
        parts.append(
            "\n".join([t(lang, "review.model_remarks"), *(f"• {r}" for r in result.remarks)])
        )
    if result.rewrite:
        parts.append(t(lang, "review.rewrite", text=result.rewrite))
    if result.thread:
        lines = [t(lang, "review.thread", count=len(result.thread))]
        lines += [f"{part}" for part in result.thread]
        parts.append("\n\n".join(lines))
    if result.notes:
        parts.append("\n".join([t(lang, "review.notes"), *(f"• {n}" for n in result.notes)]))
    parts.append(result.tone.verdict)
    return Reply(parts=parts, language=lang, kind="review")


def _tail(text: str, keep: int = 60) -> str:
    """Return the end of the text that fits, so the member sees where the cut falls."""
    text = " ".join(text.split())
    return text if len(text) <= keep else "…" + text[-keep:]


__all__ = ["review_reply"]
