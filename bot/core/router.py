"""The core's front door: route a typed command to its feature, with one language policy.

Every adapter (console, CLI, Discord) holds one `Coach` and calls `handle` with a whole line, or
`run` with a command's name and arguments; the features live in their own packages
(`bot.core.ask`, `bot.core.review`, `bot.core.strategy`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.advice import StepAdvisor
from bot.core.ask import Asking, ask_reply
from bot.core.ask.dense import DenseIndex
from bot.core.budget import DailyBudget
from bot.core.commands import MAX_INPUT_CHARS, parse_command
from bot.core.knowledge.bundle import Knowledge
from bot.core.language import Language, LanguagePolicy
from bot.core.ports import ChatModel, MemberId, StrategyStore, UsageLog, VectorStore
from bot.core.prompts import Prompts
from bot.core.reply import Reply
from bot.core.review.service import Reviewing
from bot.core.strategy import Member, StrategyCoach, StrategyResult
from bot.core.strings import Strings
from bot.core.text import scrub
from bot.errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, and where: the member, their server, and their conversation."""

    user_id: MemberId = 0
    guild_id: MemberId = 0
    conversation: str = "console"
    is_teacher: bool = False
    display_name: str = ""
    budget_key: MemberId | None = None  # the server whose daily LLM budget this reply draws on


@dataclass(frozen=True, slots=True)
class Options:
    """How the features are set up: the model's cache, time and daily budget, the store's state."""

    cache_seconds: float = 300.0
    llm_timeout: float = 20.0
    context_chars: int = 24_000  # how much course text the model may read at once
    daily_budget: int = 0
    store_problem: str = "unavailable"


Handler = Callable[[str, Context], Awaitable[Reply]]


class Coach:
    """Route commands to the features; hold what they share (knowledge, language, budget)."""

    def __init__(
        self,
        knowledge: Knowledge,
        language: str = "auto",
        store: StrategyStore | None = None,
        chat: ChatModel | None = None,
        prompts: Prompts | None = None,
        options: Options | None = None,
        usage: UsageLog | None = None,
        budget: DailyBudget | None = None,
        vectors: VectorStore | None = None,
    ) -> None:
        self.options = options or Options()
        self.vectors = vectors  # the added documents' vectors, kept between runs
        self.knowledge = knowledge
        self.store = store
        # The SQLite store is both ports; a test may pass either alone.
        if usage is None and isinstance(store, UsageLog):
            usage = store
        self.usage = usage
        self.chat = chat if prompts is not None else None
        self.prompts = prompts
        self.language = LanguagePolicy(language, knowledge.lexicon, knowledge.index)
        # One budget shared by every feature (and kept across a reload).
        self.budget = budget if budget is not None else DailyBudget(self.options.daily_budget)
        timeout = self.options.llm_timeout
        strings = knowledge.strings
        self.asking = Asking(
            knowledge.index,
            strings,
            self.language,
            self.budget,
            self.chat,
            prompts,
            self.options.cache_seconds,
            timeout,
            self.options.context_chars,
            DenseIndex(knowledge.base, vectors),
        )
        self.reviewing = Reviewing(
            knowledge.review_rules,
            knowledge.platforms,
            strings,
            self.language,
            self.budget,
            self.chat,
            prompts,
            timeout,
        )
        advisor = None
        if self.chat is not None and prompts is not None:
            advisor = StepAdvisor(self.chat, prompts, timeout)
        self.strategies = StrategyCoach(
            knowledge.steps,
            store,
            strings,
            knowledge.base,
            knowledge.review_rules.patterns["hostile"],
            advisor=advisor,
            store_problem=self.options.store_problem,
        )
        self._commands = self._command_table()

    def _command_table(self) -> dict[str, Handler]:
        """Return each command name (English and Norwegian) with its handler."""
        return {
            "help": self._help,
            "hjelp": self._help,
            "ask": self._ask,
            "spør": self._ask,
            "review": self._review,
            "vurder": self._review,
            "strategy": self._strategy,
            "strategi": self._strategy,
        }

    @property
    def strings(self) -> Strings:
        """Return the user-visible texts."""
        return self.knowledge.strings

    def reloaded(self, knowledge: Knowledge, prompts: Prompts | None) -> Coach:
        """Return a coach over new data that keeps this one's store, model, memory and budget."""
        new = Coach(
            knowledge,
            self.language.setting,
            self.store,
            self.chat,
            prompts,
            self.options,
            self.usage,
            self.budget,
            self.vectors,
        )
        new.asking.carry_over(self.asking)
        return new

    # -- routing ---------------------------------------------------------------------------

    async def handle(self, text: str, ctx: Context) -> Reply:
        """Answer one line typed by a member."""
        text = scrub(text)
        notice = None
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS]
            notice = "too_long"
        command = parse_command(text)
        if command is None:
            lang = self.language.of(text)
            if not text.strip():
                return self.info(lang, "general.empty")
            return self.info(lang, "general.not_a_command", text=text.strip()[:80])
        reply = await self.run(command.name, command.args, ctx)
        if notice:
            reply.notice = self.strings.t(reply.language, "general.too_long", limit=MAX_INPUT_CHARS)
        return reply

    async def run(self, name: str, args: str, ctx: Context) -> Reply:
        """Run the command `name` (without '!') with its arguments; unknown names get a hint."""
        handler = self._commands.get(name.lower())
        if handler is None:
            lang = self.language.of(args)
            return self.info(lang, "general.unknown_command", name=name[:40])
        return await handler(scrub(args), ctx)

    def info(self, lang: Language, key: str, **values: object) -> Reply:
        """Return a short informational reply from the string files."""
        return Reply(parts=[self.strings.t(lang, key, **values)], language=lang, kind="info")

    # -- the commands ----------------------------------------------------------------------

    async def _help(self, args: str, ctx: Context) -> Reply:
        lang = self.language.of(args) if args else self.language.default
        return Reply(
            parts=[self.strings.t(lang, "help.title"), self.strings.t(lang, "help.body").strip()],
            language=lang,
        )

    async def _ask(self, args: str, ctx: Context) -> Reply:
        if not args.strip():
            return self.info(self.language.default, "ask.empty")
        result = await self.asking.answer(args, ctx.conversation, budget_key=ctx.budget_key)
        await self._record(ctx, "ask", result.question[:300], result.answered, result.engine)
        return ask_reply(result, self.strings)

    async def _review(self, args: str, ctx: Context) -> Reply:
        platform, draft = parse_review_args(args)
        lang = self.language.of(draft) if draft.strip() else self.language.default
        if platform is not None:
            problem = self.reviewing.unknown_platform(platform, lang)
            if problem is not None:
                return Reply(parts=[problem], language=lang, kind="info")
        if not draft.strip():
            names = ", ".join(self.knowledge.platforms.by_code)
            return self.info(lang, "review.usage", platforms=names)
        result = await self.reviewing.review(draft, platform, lang, ctx.budget_key)
        await self._record(ctx, "review", None, None, result.engine)
        return self.reviewing.reply(result)

    async def _strategy(self, args: str, ctx: Context) -> Reply:
        return (await self.run_strategy(args, ctx)).reply

    async def run_strategy(self, args: str, ctx: Context) -> StrategyResult:
        """Run a `!strategy` subcommand and return the reply with the state after it."""
        args = scrub(args)
        member = Member(ctx.guild_id, ctx.user_id, scrub(ctx.display_name), ctx.is_teacher)
        await self._record(ctx, "strategy")  # before: `forget` must leave no row behind
        _, _, text = args.strip().partition(" ")
        lang = self.language.for_member(text, await self._known_language(ctx))
        return await self.strategies.run(args, member, lang)

    async def _known_language(self, ctx: Context) -> str | None:
        if self.language.fixed or self.store is None:
            return None
        try:
            return await self.store.member_language(ctx.guild_id, ctx.user_id)
        except StoreError:
            return None

    async def _record(
        self,
        ctx: Context,
        command: str,
        question: str | None = None,
        answered: bool | None = None,
        engine: str | None = None,
    ) -> None:
        """Count a command for !stats; a database problem never costs the member their reply."""
        if self.usage is None:
            return
        try:
            await self.usage.record_event(
                ctx.guild_id, ctx.user_id, command, question, answered, engine
            )
        except StoreError as exc:
            log.warning("could not record usage: %s", exc)


def parse_review_args(args: str) -> tuple[str | None, str]:
    """Split `--platform NAME rest`, `--platform=NAME rest` or `-p NAME rest` into (NAME, rest)."""
    text = args.strip()
    for flag in ("--platform=", "--plattform="):
        if text.lower().startswith(flag):
            name, _, rest = text[len(flag) :].partition(" ")
            return name, rest.strip()
    head, _, rest = text.partition(" ")
    if head.lower() in ("--platform", "--plattform", "-p"):
        name, _, draft = rest.strip().partition(" ")
        return (name or None), draft.strip()
    return None, args


__all__ = ["Coach", "Context", "Options", "parse_review_args"]
