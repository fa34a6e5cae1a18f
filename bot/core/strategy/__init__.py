"""`!strategy`: a step-by-step coach for a company's social-media strategy.

Steps are data (`knowledge/strategy_steps.yaml`, validated at start-up: every course quote must
stand word for word in the post it names) and so are the feedback rules
(`knowledge/strategy_checks.yaml`). Feedback asks questions and gives hints; it never writes the
member's answer. Everything a member writes is kept, every revision, through the StrategyStore
port; the core never touches SQLite itself.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.knowledge import KnowledgeBase
from bot.core.language import Language
from bot.core.ports import (
    MemberProgress,
    NoActiveStrategy,
    StoreConflict,
    Strategy,
    StrategyExists,
    StrategyStore,
)
from bot.core.reply import Attachment, Reply
from bot.core.strategy.feedback import Feedback, feedback
from bot.core.strategy.steps import STEP_KEYS, Step, Steps, load_steps
from bot.core.strategy.texts import plain
from bot.core.strings import Strings
from bot.core.text import fold
from bot.errors import StoreError, UserError

STUCK_AFTER = timedelta(days=7)
MAX_ANSWER_CHARS = 4000


# -- the coach -----------------------------------------------------------------------------

SUBCOMMANDS = {
    "": "overview",
    "start": "start",
    "begynn": "start",
    "answer": "answer",
    "svar": "answer",
    "next": "next",
    "neste": "next",
    "back": "back",
    "tilbake": "back",
    "forrige": "back",
    "goto": "goto",
    "gå": "goto",
    "show": "show",
    "vis": "show",
    "status": "status",
    "export": "export",
    "eksporter": "export",
    "reset": "reset",
    "nullstill": "reset",
    "forget": "forget",
    "glem": "forget",
    "class": "class",
    "klasse": "class",
    "help": "help",
    "hjelp": "help",
}
CONFIRM_WORDS = ("confirm", "bekreft")
# Asks a model for hints on an answer by the step's rubric; returns [] when it cannot.
Advisor = Callable[["Step", str, Language], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class Member:
    """Who is using the coach, where, and whether they teach the class there."""

    guild_id: int
    user_id: int
    display_name: str
    is_teacher: bool


# What the member is told when the store refuses a write their state does not allow.
CONFLICT_KEYS: dict[type[StoreConflict], str] = {
    NoActiveStrategy: "strategy.not_started",
    StrategyExists: "strategy.already_active",
}

# The pinned `error` codes of a strategy command whose database work did not happen.
STORE_ERRORS = ("unavailable", "read_only", "full", "locked", "corrupt")


def store_error_code(kind: str) -> str:
    """Return the pinned error code for a StoreError kind (anything unnamed is `unavailable`)."""
    return kind if kind in STORE_ERRORS else "unavailable"


@dataclass
class StrategyResult:
    """A reply and the state after it, for the CLI's JSON."""

    reply: Reply
    strategy: Strategy | None
    # Why the database did not do what was asked: one of STORE_ERRORS, or None when it did.
    error: str | None = None


class StrategyCoach:
    """The `!strategy` commands over the steps, the feedback rules and a store."""

    def __init__(
        self,
        steps: Steps,
        store: StrategyStore | None,
        strings: Strings,
        knowledge: KnowledgeBase,
        hostile: re.Pattern[str] | None = None,
        advisor: Advisor | None = None,
        store_problem: str = "unavailable",
    ) -> None:
        self.store_problem = store_error_code(store_problem)
        self.advisor = advisor
        self.steps = steps
        self.store = store
        self.strings = strings
        self.knowledge = knowledge
        self.hostile = hostile

    def _t(self, lang: Language, key: str, **values: object) -> str:
        return self.strings.t(lang, f"strategy.{key}", **values)

    def _reply(self, lang: Language, *parts: str, **extra: object) -> Reply:
        attachments = extra.get("attachments")
        return Reply(
            parts=[p for p in parts if p],
            language=lang,
            kind="strategy",
            private=True,
            attachments=attachments if isinstance(attachments, list) else [],
        )

    async def run(self, args: str, member: Member, lang: Language) -> StrategyResult:
        """Run one `!strategy` subcommand; errors become friendly replies, never tracebacks."""
        head, _, rest = args.strip().partition(" ")
        action = SUBCOMMANDS.get(head.lower())
        if action is None:
            return StrategyResult(self._reply(lang, self._t(lang, "unknown", name=head[:40])), None)
        if self.store is None:
            reply = self._reply(lang, self._store_text(lang, self.store_problem))
            return StrategyResult(reply, None, self.store_problem)
        try:
            handler = getattr(self, f"_{action}")
            reply = await handler(rest.strip(), member, lang)
            state = await self.store.get_strategy(member.guild_id, member.user_id)
        except UserError as exc:
            reply = self._reply(lang, self.strings.t(lang, exc.key, **exc.params))
            state = None
        except StoreConflict as exc:
            reply = self._reply(lang, self.strings.t(lang, CONFLICT_KEYS[type(exc)]))
            state = None
        except StoreError as exc:
            code = store_error_code(exc.kind)
            return StrategyResult(self._reply(lang, self._store_text(lang, exc.kind)), None, code)
        return StrategyResult(reply, state)

    def _store_text(self, lang: Language, kind: str) -> str:
        key = f"strategy.store.{kind}"
        return self.strings.t(lang, key if self.strings.has(key) else "strategy.store.failed")

    async def _require(self, member: Member) -> Strategy:
        assert self.store is not None
        strategy = await self.store.get_strategy(member.guild_id, member.user_id)
        if strategy is None:
            raise UserError("strategy.not_started")
        return strategy

    # -- subcommands -----------------------------------------------------------------------

    async def _help(self, rest: str, member: Member, lang: Language) -> Reply:
        return self._reply(lang, self._t(lang, "help"))

    async def _overview(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        strategy = await self.store.get_strategy(member.guild_id, member.user_id)
        if strategy is None:
            return self._reply(lang, self._t(lang, "welcome"))
        return self._reply(
            lang,
            self._t(lang, "resume", company=strategy.company),
            *self._step_view(strategy, strategy.current_step, lang),
        )

    async def _start(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        company = plain(rest)[:120]
        if not company:
            return self._reply(lang, self._t(lang, "start_usage"))
        existing = await self.store.get_strategy(member.guild_id, member.user_id)
        if existing is not None:
            return self._reply(lang, self._t(lang, "already_started", company=existing.company))
        strategy = await self.store.start_strategy(
            member.guild_id, member.user_id, company, member.display_name, lang
        )
        return self._reply(
            lang, self._t(lang, "started", company=company), *self._step_view(strategy, 0, lang)
        )

    async def _answer(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        strategy = await self._require(member)
        text = rest.strip()
        if not text:
            return self._reply(lang, self._t(lang, "answer_usage"))
        text = text[:MAX_ANSWER_CHARS]
        step = self.steps.steps[strategy.current_step]
        saved = await self.store.save_answer(member.guild_id, member.user_id, step.key, text, lang)
        n = strategy.current_step + 1
        parts = [self._t(lang, "saved", n=n, title=step.title(lang), revision=saved.revision)]
        result = feedback(self.steps, step.key, text, lang, self.hostile)
        if result.kind in ("vague", "off_topic", "abusive"):
            parts.append(self._t(lang, f"feedback.{result.kind}", question=step.question(lang)))
        elif result.kind == "good":
            parts.append(self._t(lang, "feedback.good"))
        else:
            parts.append(
                "\n".join([self._t(lang, "feedback.hints"), *(f"• {h}" for h in result.hints)])
            )
        if self.advisor is not None and result.kind in ("good", "hints"):
            extra = await self.advisor(step, text, lang)
            if extra:
                heading = self.strings.t(lang, "llm.ai_hints")
                parts.append("\n".join([heading, *(f"• {h}" for h in extra)]))
        parts.append(self._t(lang, "after_answer"))
        return self._reply(lang, *parts)

    async def _move(self, member: Member, lang: Language, target: int) -> Reply:
        assert self.store is not None
        strategy = await self._require(member)
        await self.store.set_step(member.guild_id, member.user_id, target)
        strategy.current_step = target
        return self._reply(lang, *self._step_view(strategy, target, lang))

    async def _next(self, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(member)
        if strategy.current_step >= len(self.steps.steps) - 1:
            return self._reply(lang, self._t(lang, "at_last"))
        return await self._move(member, lang, strategy.current_step + 1)

    async def _back(self, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(member)
        if strategy.current_step == 0:
            return self._reply(lang, self._t(lang, "at_first"))
        return await self._move(member, lang, strategy.current_step - 1)

    async def _goto(self, rest: str, member: Member, lang: Language) -> Reply:
        await self._require(member)
        index = self.steps.index(rest)
        if index is None:
            return self._reply(lang, self._t(lang, "goto_usage", keys=", ".join(STEP_KEYS)))
        return await self._move(member, lang, index)

    async def _show(self, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(member)
        index = strategy.current_step if not rest else self.steps.index(rest)
        if index is None:
            return self._reply(lang, self._t(lang, "goto_usage", keys=", ".join(STEP_KEYS)))
        return self._reply(lang, *self._step_view(strategy, index, lang))

    async def _status(self, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(member)
        return self._reply(lang, self.status_text(strategy, lang))

    def status_text(self, strategy: Strategy, lang: Language) -> str:
        """Return the progress bar and each step's state."""
        total = len(self.steps.steps)
        done = [s.key for s in self.steps.steps if s.key in strategy.answers]
        bar = "▰" * len(done) + "▱" * (total - len(done))
        lines = [
            self._t(lang, "status_title", company=strategy.company),
            f"{bar} {len(done)}/{total}",
        ]
        for i, step in enumerate(self.steps.steps):
            answer = strategy.answers.get(step.key)
            if i == strategy.current_step:
                mark, state = "▶", self._t(lang, "state.current")
            elif answer is not None:
                mark, state = "✅", self._t(lang, "state.answered")
            else:
                mark, state = "○", self._t(lang, "state.open")
            if answer is not None:
                state += " " + self._t(lang, "state.revision", revision=answer.revision)
            lines.append(f"{mark} {i + 1}. {step.title(lang)} ({step.key}) – {state}")
        return "\n".join(lines)

    async def _export(self, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(member)
        markdown = self.export_markdown(strategy, member, lang)
        name = f"strategi-{_slug(strategy.company)}.md"
        return self._reply(
            lang,
            self._t(lang, "exported", company=strategy.company),
            attachments=[Attachment(filename=name, content=markdown)],
        )

    async def _reset(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        strategy = await self._require(member)
        if rest.lower() not in CONFIRM_WORDS:
            return self._reply(lang, self._t(lang, "reset_confirm", company=strategy.company))
        await self.store.reset_strategy(member.guild_id, member.user_id)
        return self._reply(lang, self._t(lang, "reset_done", company=strategy.company))

    async def _forget(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        if rest.lower() not in CONFIRM_WORDS:
            return self._reply(lang, self._t(lang, "forget_confirm"))
        rows = await self.store.forget_member(member.guild_id, member.user_id)
        return self._reply(lang, self._t(lang, "forget_done", rows=rows))

    async def _class(self, rest: str, member: Member, lang: Language) -> Reply:
        assert self.store is not None
        if not member.is_teacher:
            return self._reply(lang, self._t(lang, "teachers_only"))
        rows = await self.store.class_overview(member.guild_id)
        if rest.lower() in ("export", "eksporter", "csv"):
            return self._reply(
                lang,
                self._t(lang, "class_exported", count=len(rows)),
                attachments=[
                    Attachment(filename="klasse.csv", content=self.class_csv(rows), mime="text/csv")
                ],
            )
        return self._reply(lang, self.class_text(rows, lang))

    # -- views -----------------------------------------------------------------------------

    def _step_view(self, strategy: Strategy, index: int, lang: Language) -> list[str]:
        step = self.steps.steps[index]
        total = len(self.steps.steps)
        head = self._t(lang, "step_title", n=index + 1, total=total, title=step.title(lang))
        parts = [f"{head}\n{step.question(lang)}", f"{self._t(lang, 'why')} {step.why(lang)}"]
        course = [
            self._t(lang, "quote", quote=q.quote, title=self.knowledge.post(q.post).title)
            for q in step.course
        ]
        if step.course_silent is not None:
            course.append(step.course_silent(lang))
        parts.append("\n".join(course))
        parts.append("\n".join([self._t(lang, "covers"), *(f"• {c}" for c in step.covers(lang))]))
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

    def assembled_plan(self, strategy: Strategy, lang: Language) -> str:
        """Return the plan on one page, assembled from the member's answers so far."""
        lines = [self._t(lang, "assembled", company=strategy.company)]
        for step in self.steps.steps[:-1]:
            answer = strategy.answers.get(step.key)
            text = answer.text if answer else self._t(lang, "not_answered")
            lines.append(f"• {step.title(lang)}: {text}")
        return "\n".join(lines)

    def export_markdown(self, strategy: Strategy, member: Member, lang: Language) -> str:
        """Return the whole plan as Markdown: the answers word for word, with course sources."""
        date = datetime.now(UTC).date().isoformat()
        out = [
            f"# {self._t(lang, 'export.title', company=strategy.company)}",
            "",
            f"*{self._t(lang, 'export.byline', name=_name_of(member), date=date)}*",
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
                out += [f"> {self._t(lang, 'export.course')} «{quote.quote}» – *{post.title}*", ""]
        if cited:
            out += [f"## {self._t(lang, 'export.sources')}", ""]
            out += [f"- {title} (`{path}`)" for path, title in cited.items()]
            out.append("")
        return "\n".join(out)

    def class_text(self, rows: list[MemberProgress], lang: Language) -> str:
        """Return the teacher's overview: members per step, last activity, who is stuck."""
        if not rows:
            return self._t(lang, "class_empty")
        lines = [self._t(lang, "class_title", count=len(rows))]
        for i, step in enumerate(self.steps.steps):
            at = [r for r in rows if r.current_step == i]
            if at:
                names = ", ".join(_name(r) for r in at)
                lines.append(f"{i + 1}. {step.title(lang)}: {len(at)} – {names}")
        lines.append(self._t(lang, "class_activity"))
        for r in sorted(rows, key=lambda r: r.last_active, reverse=True):
            done = len(r.answered)
            lines.append(
                f"• {_name(r)} ({r.company}): {done}/{len(self.steps.steps)}, "
                f"{r.last_active.strftime('%Y-%m-%d %H:%M')} UTC"
            )
        stuck = [r for r in rows if _stuck(r, len(self.steps.steps))]
        if stuck:
            names = ", ".join(_name(r) for r in stuck)
            lines.append(self._t(lang, "class_stuck", days=STUCK_AFTER.days, names=names))
        return "\n".join(lines)

    def class_csv(self, rows: list[MemberProgress]) -> str:
        """Return the class overview as CSV, one row per member."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "user_id",
                "name",
                "company",
                "step",
                "step_key",
                "answered",
                "revisions",
                "last_active",
                "stuck",
            ]
        )
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
                    "yes" if _stuck(r, len(self.steps.steps)) else "no",
                ]
            )
        return buffer.getvalue()


def _name_of(member: Member) -> str:
    return member.display_name or f"#{member.user_id}"


def _name(row: MemberProgress) -> str:
    return row.display_name or f"#{row.user_id}"


def _stuck(row: MemberProgress, total: int) -> bool:
    """Say whether a member has been away a week without finishing."""
    return len(row.answered) < total and datetime.now(UTC) - row.last_active > STUCK_AFTER


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:40] or "plan"


__all__ = [
    "CONFIRM_WORDS",
    "STEP_KEYS",
    "Feedback",
    "Member",
    "Step",
    "Steps",
    "StrategyCoach",
    "StrategyResult",
    "feedback",
    "load_steps",
]
