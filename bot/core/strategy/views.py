"""How the strategy coach's replies read: a step, progress, the plan, and the teacher's views.

Pure rendering over the steps, the strings and the course posts; the session decides what to
show and calls these. Every text a member reads comes from the strings, in their language.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.core.knowledge import KnowledgeBase
from bot.core.language import Language
from bot.core.ports import MemberId, MemberProgress, Strategy
from bot.core.strategy.feedback import Feedback
from bot.core.strategy.steps import Step, Steps
from bot.core.strings import Strings, missing_notice
from bot.core.text import clip, fold

STUCK_AFTER = timedelta(days=7)
CLASS_CSV_COLUMNS = (
    "user_id",
    "name",
    "company",
    "step",
    "step_key",
    "answered",
    "revisions",
    "last_active",
    "stuck",
    "good",
    "needs_work",
)


class Named(Protocol):
    """Someone shown by name: a member using the coach, or a row of the class overview."""

    @property
    def user_id(self) -> MemberId: ...

    @property
    def display_name(self) -> str: ...


class StrategyViews:
    """Render the strategy coach's texts from the steps, the strings and the course posts."""

    def __init__(self, steps: Steps, strings: Strings, knowledge: KnowledgeBase) -> None:
        self.steps = steps
        self.strings = strings
        self.knowledge = knowledge

    def _t(self, lang: Language, key: str, **values: object) -> str:
        return self.strings.t(lang, f"strategy.{key}", **values)

    def step_view(
        self, strategy: Strategy, index: int, lang: Language, full: bool = False
    ) -> list[str]:
        """Return a step's parts: question, why, a course quote, what to cover, the answer.

        Short enough for a phone (one line of why, one quote, no example); `full` (`!strategy
        show`) gives every quote, the whole why and the example.
        """
        step = self.steps.steps[index]
        total = len(self.steps.steps)
        head = self._t(lang, "step_title", n=index + 1, total=total, title=step.title(lang))
        why = step.why(lang) if full else _first_sentence(step.why(lang))
        parts = [f"{head}\n{step.question(lang)}", f"{self._t(lang, 'why')} {why}"]
        course = [
            self._t(lang, "quote", quote=q.quote, title=self.knowledge.post(q.post).title)
            for q in step.course
        ]
        if step.course_silent is not None:
            course.append(step.course_silent(lang))
        parts.append("\n".join(course if full else course[:1]))
        parts.append("\n".join([self._t(lang, "covers"), *(f"• {c}" for c in step.covers(lang))]))
        if full:
            label = "example_course" if step.example.source == "elegante" else "example_coach"
            example = step.example.en if lang == "en" else step.example.nb
            parts.append(f"{self._t(lang, label)} {example}")
        if step.key == "summary":
            parts.append(self.assembled_plan(strategy, lang))
        answer = strategy.answers.get(step.key)
        if answer is not None:
            parts.append(self._t(lang, "your_answer", revision=answer.revision, text=answer.text))
        else:
            parts.append(self._t(lang, "how_to_answer"))
        return parts

    def feedback_text(self, step: Step, result: Feedback, lang: Language, answer: str = "") -> str:
        """Return what the coach says about an answer: a way back to the question, or hints."""
        question = step.question(lang)
        if result.kind == "vague" and result.state == "needs_work":
            return self._t(
                lang,
                "feedback.short",
                answer=clip(answer),
                question=question,
                title=step.title(lang),
            )
        if result.kind in ("vague", "off_topic", "abusive"):  # the insult itself is not quoted
            return self._t(
                lang,
                f"feedback.{result.kind}",
                question=question,
                title=step.title(lang),
                answer=clip(answer),
            )
        has = self._t(lang, "feedback.and").join(result.praise)
        if result.kind == "good":
            praise = has or self._t(lang, "feedback.covers")
            return self._t(lang, "feedback.good", praise=praise, title=step.title(lang))
        opening = (
            self._t(lang, "feedback.has", praise=has)
            if has
            else self._t(lang, "feedback.you_write", answer=clip(answer))
        )
        heading = self._t(lang, "feedback.hints", title=step.title(lang))
        return opening + "\n" + _bullets(heading, result.hints)

    def advice_text(self, hints: list[str], lang: Language) -> str:
        """Return a model's extra hints under their own heading."""
        return _bullets(self.strings.t(lang, "llm.ai_hints"), hints)

    def model_missing(self, reason: str, lang: Language) -> str:
        """Return the line saying the model's hints are missing, and why."""
        return missing_notice(self.strings, lang, reason)

    def status_text(
        self, strategy: Strategy, lang: Language, states: Mapping[str, str] | None = None
    ) -> str:
        """Return the progress bar (good steps only) and each step's state."""
        total = len(self.steps.steps)
        states = states or {}
        done = [
            s.key
            for s in self.steps.steps
            if states.get(s.key, "good") == "good" and s.key in strategy.answers
        ]
        bar = "▰" * len(done) + "▱" * (total - len(done))
        lines = [
            self._t(lang, "status_title", company=strategy.company),
            f"{bar} {len(done)}/{total}",
        ]
        for i, step in enumerate(self.steps.steps):
            answer = strategy.answers.get(step.key)
            if i == strategy.current_step:
                mark, state = "▶", self._t(lang, "state.current")
            elif answer is not None and states.get(step.key, "good") != "good":
                mark = "✏️"
                state = self._t(lang, f"state.{states[step.key]}")
            elif answer is not None:
                mark, state = "✅", self._t(lang, "state.answered")
            else:
                mark, state = "○", self._t(lang, "state.open")
            if answer is not None:
                state += " " + self._t(lang, "state.revision", revision=answer.revision)
            lines.append(f"{mark} {i + 1}. {step.title(lang)} ({step.key}) – {state}")
        return "\n".join(lines)

    def assembled_plan(self, strategy: Strategy, lang: Language) -> str:
        """Return the plan on one page, assembled from the member's answers so far."""
        lines = [self._t(lang, "assembled", company=strategy.company)]
        for step in self.steps.steps[:-1]:
            answer = strategy.answers.get(step.key)
            text = answer.text if answer else self._t(lang, "not_answered")
            lines.append(f"• {step.title(lang)}: {text}")
        return "\n".join(lines)

    def export_markdown(self, strategy: Strategy, member: Named, lang: Language) -> str:
        """Return the whole plan as Markdown: the answers word for word, with course sources."""
        date = datetime.now(UTC).date().isoformat()
        out = [
            f"# {self._t(lang, 'export.title', company=strategy.company)}",
            "",
            f"*{self._t(lang, 'export.byline', name=_name(member), date=date)}*",
            "",
        ]
        cited: dict[str, str] = {}
        for i, step in enumerate(self.steps.steps, start=1):
            out += [f"## {i}. {step.title(lang)}", "", f"**{step.question(lang)}**", ""]
            answer = strategy.answers.get(step.key)
            out += [answer.text if answer else f"_{self._t(lang, 'not_answered')}_", ""]
            for quote in step.course:
                post = self.knowledge.post(quote.post)
                cited[post.path] = post.title
                # The course's case (Elegantè, a bank) is its example, never the member's plan.
                label = "export.course_example" if quote.post == "elegante" else "export.course"
                out += [f"> {self._t(lang, label)} «{quote.quote}» – *{post.title}*", ""]
        if cited:
            out += [f"## {self._t(lang, 'export.sources')}", ""]
            out += [f"- {title} (`{path}`)" for path, title in cited.items()]
            out.append("")
        return "\n".join(out)

    def class_text(
        self,
        rows: list[MemberProgress],
        lang: Language,
        states: Mapping[MemberId, Mapping[str, str]] | None = None,
    ) -> str:
        """Return the teacher's overview: members per step, good steps, who is stuck.

        A member's count is of good steps only; the steps that need work are named.
        """
        states = states or {}
        if not rows:
            return self._t(lang, "class_empty")
        total = len(self.steps.steps)
        lines = [self._t(lang, "class_title", count=len(rows))]
        for i, step in enumerate(self.steps.steps):
            at = [r for r in rows if r.current_step == i]
            if at:
                names = ", ".join(_name(r) for r in at)
                lines.append(f"{i + 1}. {step.title(lang)}: {len(at)} – {names}")
        lines.append(self._t(lang, "class_activity"))
        for r in sorted(rows, key=lambda r: r.last_active, reverse=True):
            good, work = _judged(r, states)
            extra = " " + self._t(lang, "class_needs_work", steps=", ".join(work)) if work else ""
            lines.append(
                f"• {_name(r)} ({r.company}): {good}/{total}, "
                f"{r.last_active.strftime('%Y-%m-%d %H:%M')} UTC{extra}"
            )
        stuck = [r for r in rows if _stuck(r, total)]
        if stuck:
            names = ", ".join(_name(r) for r in stuck)
            lines.append(self._t(lang, "class_stuck", days=STUCK_AFTER.days, names=names))
        return "\n".join(lines)

    def class_csv(
        self, rows: list[MemberProgress], states: Mapping[MemberId, Mapping[str, str]] | None = None
    ) -> str:
        """Return the class overview as CSV, one row per member (good steps and the others)."""
        states = states or {}
        total = len(self.steps.steps)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CLASS_CSV_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r.user_id,
                    r.display_name,
                    r.company,
                    r.current_step + 1,
                    self.steps.steps[r.current_step].key,
                    len(r.answered),
                    r.revisions,
                    r.last_active.isoformat(),
                    "yes" if _stuck(r, total) else "no",
                    _judged(r, states)[0],
                    ";".join(_judged(r, states)[1]),
                ]
            )
        return buffer.getvalue()


def export_filename(company: str) -> str:
    """Return the exported plan's file name, made from the company's name."""
    return f"strategi-{_slug(company)}.md"


def _judged(
    row: MemberProgress, states: Mapping[MemberId, Mapping[str, str]]
) -> tuple[int, list[str]]:
    """Return a member's number of good steps and the answered steps that need work."""
    own = states.get(row.user_id, {})
    work = [k for k in row.answered if own.get(k, "good") != "good"]
    return len(row.answered) - len(work), work


def _first_sentence(text: str) -> str:
    """Return the first sentence of a text (the one line a phone shows)."""
    return re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]


def _bullets(heading: str, points: list[str]) -> str:
    return "\n".join([heading, *(f"• {p}" for p in points)])


def _name(who: Named) -> str:
    return who.display_name or f"#{who.user_id}"


def _stuck(row: MemberProgress, total: int) -> bool:
    """Say whether a member has been away a week without finishing."""
    return len(row.answered) < total and datetime.now(UTC) - row.last_active > STUCK_AFTER


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:40] or "plan"


__all__ = ["STUCK_AFTER", "Named", "StrategyViews", "export_filename"]
