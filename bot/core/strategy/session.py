"""The `!strategy` session: one member's subcommand in, a reply and their state out.

Everything a member writes is kept, every revision, through the StrategyStore port; the core
never touches SQLite itself. A store that is missing, or fails, becomes a reply that says so and
a pinned error code, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.knowledge import KnowledgeBase
from bot.core.language import Language
from bot.core.ports import (
    MemberId,
    NoActiveStrategy,
    StoreConflict,
    Strategy,
    StrategyExists,
    StrategyStore,
)
from bot.core.reply import Attachment, Reply
from bot.core.strategy.feedback import Feedback, State, feedback
from bot.core.strategy.steps import STEP_KEYS, Step, Steps
from bot.core.strategy.texts import plain
from bot.core.strategy.views import StrategyViews, export_filename
from bot.core.strings import Strings
from bot.errors import StoreError, UserError

MAX_ANSWER_CHARS = 4000
# Every name a member may type, in both languages, and the action it runs.
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
# Asks a model for hints on an answer by the step's rubric: the hints, or why there are none.
Advisor = Callable[[Step, str, Language], Awaitable["Advice"]]


@dataclass
class Advice:
    """A model's hints on an answer, or why there are none (a fallback reason)."""

    hints: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """Who is using the coach, where, and whether they teach the class there."""

    guild_id: MemberId
    user_id: MemberId
    display_name: str
    is_teacher: bool


# Runs one subcommand: the store run() has checked, the text after the name, who asks, in what.
Handler = Callable[[StrategyStore, str, Member, Language], Awaitable[Reply]]

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
    # The state of each answered step (by its latest answer), and the answer just given.
    states: dict[str, State] = field(default_factory=dict)
    assessment: Feedback | None = None


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
        self.views = StrategyViews(steps, strings, knowledge)
        # One handler per action in SUBCOMMANDS; run() looks the action up here, nowhere else.
        self.handlers: dict[str, Handler] = {
            "overview": self._overview,
            "start": self._start,
            "answer": self._answer,
            "next": self._next,
            "back": self._back,
            "goto": self._goto,
            "show": self._show,
            "status": self._status,
            "export": self._export,
            "reset": self._reset,
            "forget": self._forget,
            "class": self._class,
            "help": self._help,
        }

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
        store = self.store
        if store is None:
            reply = self._reply(lang, self._store_text(lang, self.store_problem))
            return StrategyResult(reply, None, self.store_problem)
        handler = self.handlers[action]
        try:
            reply = await handler(store, rest.strip(), member, lang)
            state = await store.get_strategy(member.guild_id, member.user_id)
        except UserError as exc:
            reply = self._reply(lang, self.strings.t(lang, exc.key, **exc.params))
            state = None
        except StoreConflict as exc:
            reply = self._reply(lang, self.strings.t(lang, CONFLICT_KEYS[type(exc)]))
            state = None
        except StoreError as exc:
            code = store_error_code(exc.kind)
            return StrategyResult(self._reply(lang, self._store_text(lang, exc.kind)), None, code)
        if state is None:
            return StrategyResult(reply, None)
        states = self.states(state)
        assessment = None
        key = self.steps.steps[state.current_step].key
        if action == "answer" and key in state.answers:  # `answer` never moves on
            assessment = feedback(self.steps, key, state.answers[key].text, lang, self.hostile)
        return StrategyResult(reply, state, None, states, assessment)

    def states(self, strategy: Strategy) -> dict[str, State]:
        """Return the state of each answered step, judged on its latest answer."""
        return {
            step.key: feedback(
                self.steps, step.key, strategy.answers[step.key].text, "nb", self.hostile
            ).state
            for step in self.steps.steps
            if step.key in strategy.answers
        }

    def _store_text(self, lang: Language, kind: str) -> str:
        key = f"strategy.store.{kind}"
        return self.strings.t(lang, key if self.strings.has(key) else "strategy.store.failed")

    async def _require(self, store: StrategyStore, member: Member) -> Strategy:
        strategy = await store.get_strategy(member.guild_id, member.user_id)
        if strategy is None:
            raise UserError("strategy.not_started")
        return strategy

    # -- subcommands -----------------------------------------------------------------------

    async def _help(self, store: StrategyStore, rest: str, member: Member, lang: Language) -> Reply:
        return self._reply(lang, self._t(lang, "help"))

    async def _overview(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        strategy = await store.get_strategy(member.guild_id, member.user_id)
        if strategy is None:
            return self._reply(lang, self._t(lang, "welcome"))
        return self._reply(
            lang,
            self._t(lang, "resume", company=strategy.company),
            *self.views.step_view(strategy, strategy.current_step, lang),
        )

    async def _start(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        company = plain(rest)[:120]
        if not company:
            return self._reply(lang, self._t(lang, "start_usage"))
        existing = await store.get_strategy(member.guild_id, member.user_id)
        if existing is not None:
            return self._reply(lang, self._t(lang, "already_started", company=existing.company))
        strategy = await store.start_strategy(
            member.guild_id, member.user_id, company, member.display_name, lang
        )
        return self._reply(
            lang,
            self._t(lang, "started", company=company),
            *self.views.step_view(strategy, 0, lang),
        )

    async def _answer(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        strategy = await self._require(store, member)
        text = rest.strip()
        if not text:
            return self._reply(lang, self._t(lang, "answer_usage"))
        text = text[:MAX_ANSWER_CHARS]
        step = self.steps.steps[strategy.current_step]
        saved = await store.save_answer(member.guild_id, member.user_id, step.key, text, lang)
        n = strategy.current_step + 1
        parts = [self._t(lang, "saved", n=n, title=step.title(lang), revision=saved.revision)]
        result = feedback(self.steps, step.key, text, lang, self.hostile)
        parts.append(self.views.feedback_text(step, result, lang, text))
        notice = None
        if self.advisor is not None and result.kind in ("good", "hints"):
            advice = await self.advisor(step, text, lang)
            if advice.hints:
                parts.append(self.views.advice_text(advice.hints, lang))
            elif advice.reason is not None:
                notice = self.views.model_missing(advice.reason, lang)
        following = self.steps.steps[n] if n < len(self.steps.steps) else None
        if following is None:
            parts.append(self._t(lang, "after_last", title=step.title(lang)))
        else:
            parts.append(
                self._t(lang, "after_answer", title=step.title(lang), next=following.title(lang))
            )
        reply = self._reply(lang, *parts)
        reply.notice = notice
        return reply

    async def _move(
        self, store: StrategyStore, member: Member, lang: Language, target: int
    ) -> Reply:
        strategy = await self._require(store, member)
        await store.set_step(member.guild_id, member.user_id, target)
        strategy.current_step = target
        return self._reply(lang, *self.views.step_view(strategy, target, lang))

    async def _next(self, store: StrategyStore, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(store, member)
        if strategy.current_step >= len(self.steps.steps) - 1:
            return self._reply(lang, self._t(lang, "at_last"))
        return await self._move(store, member, lang, strategy.current_step + 1)

    async def _back(self, store: StrategyStore, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(store, member)
        if strategy.current_step == 0:
            return self._reply(lang, self._t(lang, "at_first"))
        return await self._move(store, member, lang, strategy.current_step - 1)

    async def _goto(self, store: StrategyStore, rest: str, member: Member, lang: Language) -> Reply:
        await self._require(store, member)
        index = self.steps.index(rest)
        if index is None:
            return self._reply(lang, self._t(lang, "goto_usage", keys=", ".join(STEP_KEYS)))
        return await self._move(store, member, lang, index)

    async def _show(self, store: StrategyStore, rest: str, member: Member, lang: Language) -> Reply:
        strategy = await self._require(store, member)
        index = strategy.current_step if not rest else self.steps.index(rest)
        if index is None:
            return self._reply(lang, self._t(lang, "goto_usage", keys=", ".join(STEP_KEYS)))
        return self._reply(lang, *self.views.step_view(strategy, index, lang, full=True))

    async def _status(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        strategy = await self._require(store, member)
        return self._reply(lang, self.views.status_text(strategy, lang, self.states(strategy)))

    async def _export(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        strategy = await self._require(store, member)
        markdown = self.views.export_markdown(strategy, member, lang)
        name = export_filename(strategy.company)
        return self._reply(
            lang,
            self._t(lang, "exported", company=strategy.company),
            attachments=[Attachment(filename=name, content=markdown)],
        )

    async def _reset(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        strategy = await self._require(store, member)
        if rest.lower() not in CONFIRM_WORDS:
            return self._reply(lang, self._t(lang, "reset_confirm", company=strategy.company))
        await store.reset_strategy(member.guild_id, member.user_id)
        return self._reply(lang, self._t(lang, "reset_done", company=strategy.company))

    async def _forget(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        if rest.lower() not in CONFIRM_WORDS:
            return self._reply(lang, self._t(lang, "forget_confirm"))
        rows = await store.forget_member(member.guild_id, member.user_id)
        return self._reply(lang, self._t(lang, "forget_done", rows=rows))

    async def _class(
        self, store: StrategyStore, rest: str, member: Member, lang: Language
    ) -> Reply:
        if not member.is_teacher:
            return self._reply(lang, self._t(lang, "teachers_only"))
        rows = await store.class_overview(member.guild_id)
        states: dict[MemberId, dict[str, State]] = {}
        for row in rows:  # each member's steps judged on their latest answers
            strategy = await store.get_strategy(member.guild_id, row.user_id)
            states[row.user_id] = self.states(strategy) if strategy is not None else {}
        if rest.lower() in ("export", "eksporter", "csv"):
            csv = self.views.class_csv(rows, states)
            return self._reply(
                lang,
                self._t(lang, "class_exported", count=len(rows)),
                attachments=[Attachment(filename="klasse.csv", content=csv, mime="text/csv")],
            )
        return self._reply(lang, self.views.class_text(rows, lang, states))


__all__ = [
    "CONFIRM_WORDS",
    "CONFLICT_KEYS",
    "STORE_ERRORS",
    "SUBCOMMANDS",
    "Advisor",
    "Handler",
    "Member",
    "StrategyCoach",
    "StrategyResult",
    "store_error_code",
]
