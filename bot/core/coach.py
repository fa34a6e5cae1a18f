"""The coach: one object holding the core services, and the command table the console uses.

The Discord adapter calls the same services through its cogs; the console sends whole lines to
`Coach.handle`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.ask import MAX_QUESTION_CHARS, AskResult, OfflineAsker
from bot.core.commands import MAX_INPUT_CHARS, parse_command
from bot.core.grounded import (
    LANGUAGE_NAMES,
    DailyBudget,
    GroundedAsker,
    Memory,
    looks_like_follow_up,
)
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.language import Language, detect_language
from bot.core.length import Platforms, load_platforms
from bot.core.lexicon import Lexicon, load_lexicon
from bot.core.ports import ChatModel, StrategyStore, UsageLog
from bot.core.prompts import Prompts, as_data
from bot.core.replies import ask_reply, review_reply
from bot.core.reply import Reply
from bot.core.review import Reviewer, ReviewResult, Rules, add_model_review, load_rules
from bot.core.search import SearchIndex, build_index
from bot.core.strategy import Member, Step, Steps, StrategyCoach, StrategyResult, load_steps
from bot.core.strings import Strings, load_strings
from bot.core.text import clean, scrub, words
from bot.errors import DataFileError, LLMError, StoreError

log = logging.getLogger(__name__)
CACHE_VERSION = "1"  # raise when the shape of Knowledge changes


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, and where: the member, their server, and their conversation."""

    user_id: int = 0
    guild_id: int = 0
    conversation: str = "console"
    is_teacher: bool = False
    display_name: str = ""
    budget_key: int | None = None  # the server whose daily LLM budget this reply draws on


@dataclass
class Knowledge:
    """Everything loaded from the data files: posts, search index, word lists, texts."""

    base: KnowledgeBase
    lexicon: Lexicon
    index: SearchIndex
    strings: Strings
    platforms: Platforms
    review_rules: Rules
    steps: Steps


# Bounds on the knowledge folder: a file over the first, or a folder over the second, is refused.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024


def load_all(
    knowledge_dir: Path,
    cache_dir: Path | None = None,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Knowledge:
    """Load and validate every data file; raise DataFileError naming the first bad one.

    With `cache_dir`, the parsed passages and the built index are kept on disk, keyed by the
    content of every knowledge file (and the code's version): a large knowledge base starts
    from the cache, and is rebuilt only when a file changes.
    """
    check_sizes(knowledge_dir, max_file_bytes, max_total_bytes)
    if cache_dir is None:
        return _load_all(knowledge_dir)
    key = _content_key(knowledge_dir)
    path = cache_dir / f"knowledge-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Knowledge):
                return cached
        except Exception as exc:  # a broken cache is rebuilt, never fatal
            log.warning("ignoring the knowledge cache %s: %s", path, exc)
    knowledge = _load_all(knowledge_dir)
    _write_cache(cache_dir, path, pickle.dumps(knowledge, protocol=pickle.HIGHEST_PROTOCOL))
    return knowledge


# The cache is a convenience: it is written only while this much disk stays free after it, so
# it can never take the last room the database needs.
CACHE_DISK_RESERVE = 100 * 1024 * 1024


def _write_cache(cache_dir: Path, path: Path, data: bytes) -> None:
    """Write the cache file atomically, or log one line and go on from memory."""
    partial: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(cache_dir).free
        if free < len(data) + CACHE_DISK_RESERVE:
            log.warning(
                "not writing the knowledge cache: %d MB free in %s, running from memory",
                free // 1_000_000,
                cache_dir,
            )
            return
        for old in cache_dir.glob("knowledge-*.pickle"):
            old.unlink(missing_ok=True)
        # A name of its own per process: several coaches may start at once on one folder.
        handle, name = tempfile.mkstemp(dir=cache_dir, prefix=".knowledge-", suffix=".tmp")
        partial = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        partial.replace(path)
        partial = None
    except OSError as exc:
        log.warning("could not write the knowledge cache %s (running from memory): %s", path, exc)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def check_sizes(knowledge_dir: Path, max_file_bytes: int, max_total_bytes: int) -> None:
    """Raise DataFileError for a file over `max_file_bytes` or a folder over `max_total_bytes`."""
    total = 0
    for file in sorted(p for p in knowledge_dir.rglob("*") if p.is_file()):
        size = file.stat().st_size
        if size > max_file_bytes:
            raise DataFileError(
                file,
                None,
                f"the file has {_megabytes(size)}, over the limit of {_megabytes(max_file_bytes)} "
                "per knowledge file (COACH_KNOWLEDGE_MAX_BYTES)",
            )
        total += size
        if total > max_total_bytes:
            raise DataFileError(
                knowledge_dir,
                None,
                f"the knowledge folder holds over {_megabytes(max_total_bytes)} "
                f"(COACH_KNOWLEDGE_MAX_TOTAL_BYTES); {file.name} is past the limit",
            )


def _megabytes(size: int) -> str:
    """Return a size as people read it: MB from one megabyte up, bytes below."""
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _content_key(knowledge_dir: Path) -> str:
    """Return a hash of every file under the knowledge folder (names and bytes) and the code."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for file in sorted(p for p in knowledge_dir.rglob("*") if p.is_file()):
        digest.update(file.relative_to(knowledge_dir).as_posix().encode())
        digest.update(file.read_bytes())
    locales = Path(__file__).resolve().parent / "locales"
    for file in sorted(locales.glob("*.toml")):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:24]


def _load_all(knowledge_dir: Path) -> Knowledge:
    base = load_knowledge(knowledge_dir)
    lexicon = load_lexicon(knowledge_dir)
    steps = load_steps(knowledge_dir, base)
    return Knowledge(
        base=base,
        lexicon=lexicon,
        index=build_index(base, lexicon),
        strings=load_strings(),
        platforms=load_platforms(knowledge_dir),
        review_rules=load_rules(knowledge_dir),
        steps=steps,
    )


Handler = Callable[[str, Context], Awaitable[Reply]]


class Coach:
    """The core's front door: `handle` takes a typed line and returns a Reply."""

    def __init__(
        self,
        knowledge: Knowledge,
        language: str = "auto",
        store: StrategyStore | None = None,
        chat: ChatModel | None = None,
        prompts: Prompts | None = None,
        cache_seconds: float = 300.0,
        llm_timeout: float = 20.0,
        daily_budget: int = 0,
        store_problem: str = "unavailable",
        usage: UsageLog | None = None,
    ) -> None:
        self.budget = DailyBudget(daily_budget)
        self.llm_timeout = llm_timeout
        self.cache_seconds = cache_seconds
        self.store_problem = store_problem
        self.knowledge = knowledge
        self.language_setting = language
        self.store = store
        # The SQLite store is both ports; a test may pass either alone.
        if usage is None and isinstance(store, UsageLog):
            usage = store
        self.usage = usage
        self.chat = chat if prompts is not None else None
        self.prompts = prompts
        self.asker = OfflineAsker(knowledge.index, knowledge.strings, language)
        self.memory = Memory()
        self.grounded: GroundedAsker | None = None
        if self.chat is not None and prompts is not None:
            self.grounded = GroundedAsker(
                self.asker,
                self.chat,
                prompts,
                knowledge.strings,
                cache_seconds,
                timeout=llm_timeout,
            )
        self.strategy_coach = StrategyCoach(
            knowledge.steps,
            store,
            knowledge.strings,
            knowledge.base,
            knowledge.review_rules.patterns["hostile"],
            advisor=self._advise if self.chat is not None else None,
            store_problem=store_problem,
        )
        self.reviewer = Reviewer(knowledge.review_rules, knowledge.platforms, knowledge.strings)
        self._commands: dict[str, Handler] = {
            "help": self.help,
            "hjelp": self.help,
            "ask": self.ask_command,
            "spør": self.ask_command,
            "review": self.review_command,
            "vurder": self.review_command,
            "strategy": self.strategy_command,
            "strategi": self.strategy_command,
        }

    @property
    def strings(self) -> Strings:
        return self.knowledge.strings

    def reloaded(self, knowledge: Knowledge, prompts: Prompts | None) -> Coach:
        """Return a coach over new data that keeps this one's store, model, memory and budget."""
        new = Coach(
            knowledge,
            self.language_setting,
            self.store,
            self.chat,
            prompts,
            self.cache_seconds,
            self.llm_timeout,
            store_problem=self.store_problem,
            usage=self.usage,
        )
        new.budget = self.budget
        new.memory = self.memory
        if new.grounded is not None and self.grounded is not None:
            new.grounded.memory = self.grounded.memory
            new.grounded.cache = self.grounded.cache
        return new

    def language_of(self, text: str) -> Language:
        """Return the reply language for `text` (the setting wins over detection)."""
        if self.language_setting in ("nb", "en"):
            return "en" if self.language_setting == "en" else "nb"
        return detect_language(text, self.knowledge.lexicon, self.knowledge.index)

    async def handle(self, text: str, ctx: Context) -> Reply:
        """Answer one line typed by a member."""
        text = scrub(text)
        notice = None
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS]
            notice = "too_long"
        command = parse_command(text)
        if command is None:
            lang = self.language_of(text)
            if not text.strip():
                return self.info(lang, "general.empty")
            return self.info(lang, "general.not_a_command", text=text.strip()[:80])
        handler = self._commands.get(command.name)
        if handler is None:
            lang = self.language_of(command.args)
            return self.info(lang, "general.unknown_command", name=command.name[:40] or "")
        reply = await handler(command.args, ctx)
        if notice:
            reply.notice = self.strings.t(reply.language, "general.too_long", limit=MAX_INPUT_CHARS)
        return reply

    def info(self, lang: Language, key: str, **values: object) -> Reply:
        """Return a short informational reply from the string files."""
        return Reply(parts=[self.strings.t(lang, key, **values)], language=lang, kind="info")

    async def help(self, args: str, ctx: Context) -> Reply:
        """Show the commands."""
        lang = self.language_of(args) if args else self._default_language()
        return Reply(
            parts=[self.strings.t(lang, "help.title"), self.strings.t(lang, "help.body").strip()],
            language=lang,
        )

    def _default_language(self) -> Language:
        return "en" if self.language_setting == "en" else "nb"

    async def ask_command(self, args: str, ctx: Context) -> Reply:
        """Answer a question from the course, as a turn of the member's conversation."""
        if not args.strip():
            return self.info(self._default_language(), "ask.empty")
        result = await self.answer(args, ctx.conversation, budget_key=ctx.budget_key)
        await self._record(ctx, "ask", result.question[:300], result.answered, result.engine)
        return ask_reply(result, self.strings)

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

    def ask(self, question: str, language: Language | None = None) -> AskResult:
        """Answer a question offline with no conversation memory."""
        return self.asker.ask(question, language)

    async def answer(
        self,
        question: str,
        conversation: str | None = None,
        language: Language | None = None,
        budget_key: int | None = None,
    ) -> AskResult:
        """Answer with the LLM when configured (falling back offline), else offline.

        With a conversation key, a follow-up leans on the previous question: the LLM rewrites it
        into a question that stands alone; offline, the previous question's terms join the search.
        One-shot and batch calls pass no key and have no memory.
        """
        question = scrub(question)
        lang = language or self.asker.language_of(clean(question)[:MAX_QUESTION_CHARS])
        if self.grounded is not None:
            if budget_key is None or self.budget.take(budget_key):
                return await self.grounded.ask(question, lang, conversation)
            offline = self.asker.ask(question, lang)
            notice = self.strings.t(lang, "llm.fallback.budget")
            return offline.model_copy(update={"fallback_reason": "budget", "notice": notice})
        context = ""
        turns = self.memory.recent(conversation) if conversation else []
        if turns and looks_like_follow_up(question):
            context = turns[-1].question
        result = self.asker.ask(question, lang, context=context)
        if conversation:
            self.memory.add(conversation, clean(question)[:MAX_QUESTION_CHARS], result.answer)
        return result

    async def review_command(self, args: str, ctx: Context) -> Reply:
        """Review a draft: `[--platform NAME] <draft>`."""
        platform, draft = parse_review_args(args)
        lang = self.language_of(draft) if draft.strip() else self._default_language()
        names = ", ".join(self.knowledge.platforms.by_code)
        if platform is not None and self.knowledge.platforms.resolve(platform) is None:
            return self.info(lang, "review.unknown_platform", name=platform[:40], platforms=names)
        if not draft.strip():
            return self.info(lang, "review.usage", platforms=names)
        result = await self.full_review(draft, platform, lang, ctx.budget_key)
        await self._record(ctx, "review", None, None, result.engine)
        return self.review_reply(result)

    async def full_review(
        self,
        draft: str,
        platform: str | None = None,
        language: Language | None = None,
        budget_key: int | None = None,
    ) -> ReviewResult:
        """Review by the rules, then let the model add remarks and a rewrite when configured."""
        result = self.review(scrub(draft), platform, language)
        if self.chat is None or self.prompts is None or "empty" in result.flags:
            return result
        if budget_key is not None and not self.budget.take(budget_key):
            return result.model_copy(update={"fallback_reason": "budget"})
        spec = self.knowledge.platforms.get(result.platform)
        findings = "\n".join(f"- {s.flag}: {', '.join(s.words[:5])}" for s in result.suggestions)
        messages = self.prompts.render(
            "review",
            language_name=LANGUAGE_NAMES[result.language],
            platform=spec.name,
            limit=spec.limit,
            draft=as_data(result.text),
            findings=findings or "- none",
        )
        try:
            async with asyncio.timeout(self.llm_timeout):  # a retry shares the reply's budget
                return await add_model_review(result, self.chat, messages, self.reviewer)
        except TimeoutError:
            return result.model_copy(update={"fallback_reason": "timeout"})

    async def _advise(self, step: Step, answer: str, lang: Language) -> list[str]:
        """Ask the model for hints by the step's rubric; [] when it fails (the rules stand)."""
        if self.chat is None or self.prompts is None:
            return []
        messages = self.prompts.render(
            "strategy_feedback",
            language_name=LANGUAGE_NAMES[lang],
            step_title=step.title(lang),
            question=step.question(lang),
            rubric="\n".join(f"- {c}" for c in step.covers(lang)),
            answer=as_data(answer),
        )
        try:
            async with asyncio.timeout(self.llm_timeout):
                text = await self.chat.complete(messages, temperature=0.3, max_tokens=200)
        except (LLMError, TimeoutError):
            return []
        lines = [line.strip(" -•*\t") for line in text.strip().splitlines() if line.strip()]
        return [line for line in lines if len(line) > 3][:3]

    def review(
        self, draft: str, platform: str | None = None, language: Language | None = None
    ) -> ReviewResult:
        """Review a draft on a platform; raise ValueError for an unknown platform."""
        lang = language or self.language_of(draft)
        return self.reviewer.review(draft, platform, lang)

    def review_reply(self, result: ReviewResult) -> Reply:
        """Return a review as a Reply."""
        name = self.knowledge.platforms.get(result.platform).name
        return review_reply(result, self.strings, name)

    async def strategy_command(self, args: str, ctx: Context) -> Reply:
        """Run a `!strategy` subcommand for the member in `ctx`."""
        return (await self.strategy(args, ctx)).reply

    async def strategy(self, args: str, ctx: Context) -> StrategyResult:
        """Run a `!strategy` subcommand and return the reply with the state after it."""
        args = scrub(args)
        member = Member(ctx.guild_id, ctx.user_id, scrub(ctx.display_name), ctx.is_teacher)
        await self._record(ctx, "strategy")  # before: `forget` must leave no row behind
        return await self.strategy_coach.run(args, member, await self._member_language(args, ctx))

    async def _member_language(self, args: str, ctx: Context) -> Language:
        """Use the setting, or the language of what the member wrote, or what they wrote last."""
        if self.language_setting in ("nb", "en"):
            return "en" if self.language_setting == "en" else "nb"
        _, _, text = args.strip().partition(" ")
        if len(words(text)) >= 3:
            return self.language_of(text)
        if self.store is not None:
            try:
                known = await self.store.member_language(ctx.guild_id, ctx.user_id)
            except StoreError:
                known = None
            if known in ("nb", "en"):
                return "en" if known == "en" else "nb"
        return self._default_language()


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


__all__ = ["Coach", "Context", "Knowledge", "load_all", "parse_review_args"]
