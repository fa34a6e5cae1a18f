"""The Discord adapter, driven through dpytest with the real discord.py.

dpytest has no interactions, so slash commands, deferral, ephemeral replies and buttons are
tested by calling their callbacks with interaction stand-ins built here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest

from bot.config import load_settings
from bot.discord_app import create_bot, install_signal_handlers
from bot.discord_app.bot import MESSAGE_CONTENT_HINT, CoachBot
from bot.discord_app.cogs.ask import VoteView
from bot.discord_app.render import LIMIT
from tests import procs
from tests.conftest import count_member_rows

SECRET = "MTIzNDU2Nzg5.discord-test-token.abcdef"


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COACH_DB_PATH", str(tmp_path / "coach.db"))
    monkeypatch.setenv("COACH_COOLDOWN_SECONDS", "0")
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    made = create_bot(load_settings())  # the README's recipe
    await made._async_setup_hook()
    await made.setup_hook()
    dpytest.configure(made, members=2)
    yield made
    await dpytest.empty_queue()
    with contextlib.suppress(AttributeError):  # dpytest's fake gateway cannot be closed
        await made.close()
    if made.services is not None:
        await made.services.close()


async def say(text: str, **kwargs: Any) -> discord.Message | None:
    """Send a message as a member; dpytest re-raises a command's error after our handler ran."""
    try:
        return await dpytest.message(text, **kwargs)
    except discord.ext.commands.CommandError:
        return None


def sent() -> list[discord.Message]:
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.get_message())
    return messages


def assert_safe(messages: list[discord.Message]) -> None:
    assert messages, "the bot did not answer"
    for message in messages:
        assert message.content.strip() or message.attachments
        assert len(message.content) < LIMIT
        assert "Traceback" not in message.content
        assert SECRET not in message.content


def member(name: str) -> discord.Member:
    """Return the first ("Kari") or the second ("Ola") test member."""
    return dpytest.get_config().members[0 if name == "Kari" else 1]


async def test_the_factory_builds_every_cog_and_never_pings(bot: CoachBot) -> None:
    assert {"AskCog", "ReviewCog", "StrategyCog", "AdminCog"} <= set(bot.cogs)
    assert bot.services is not None and bot.services.store is not None
    fresh = create_bot(bot.settings, services=bot.services)
    mentions = fresh.allowed_mentions  # dpytest replaces the state; check a fresh bot
    assert mentions is not None
    assert not (mentions.everyone or mentions.users or mentions.roles)


async def test_ask_answers_with_sources_as_a_reply(bot: CoachBot) -> None:
    await dpytest.message("!ask Hva er gjennomsiktighet?")
    messages = sent()
    assert_safe(messages)
    text = "\n".join(m.content for m in messages)
    assert "Forventingsfaktorer i sosiale medier" in text and "[1]" in text


async def test_empty_and_unknown_commands_get_friendly_replies(bot: CoachBot) -> None:
    await dpytest.message("!ask")
    assert "Hva lurer du på?" in sent()[0].content
    await say("!dance")
    assert "!dance" in sent()[0].content


@pytest.mark.parametrize(
    "text",
    [
        "!ask @everyone hva er åpenhet? @here",
        "!review @everyone Norges beste kaffe!!! <@&123> <@456>",
        "!strategy start @everyone AS",
    ],
)
async def test_mentions_in_questions_and_drafts_never_ping(
    bot: CoachBot, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    calls: list[dict[str, Any]] = []
    original = discord.abc.Messageable.send

    async def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", spy)
    await dpytest.message(text)
    assert_safe(sent())
    assert calls
    for kwargs in calls:
        mentions = kwargs.get("allowed_mentions")
        assert mentions is not None and not (mentions.everyone or mentions.users or mentions.roles)


async def test_a_long_reply_is_split_under_two_thousand_characters(bot: CoachBot) -> None:
    draft = " ".join(f"Setning nummer {i} om Elegantè og sosiale medier." for i in range(60))
    await dpytest.message(f"!review {draft}")
    messages = sent()
    assert_safe(messages)
    assert len(messages) >= 2


async def test_strategy_export_arrives_as_a_file(bot: CoachBot) -> None:
    await dpytest.message("!strategy start Elegantè")
    await dpytest.message("!strategy answer Elegantè er en bank for unge som tilbyr lån.")
    sent()
    await dpytest.message("!strategy export")
    messages = sent()
    assert_safe(messages)
    files = [a for m in messages for a in m.attachments]
    assert files and files[0].filename.endswith(".md")


async def test_teacher_commands_refuse_members_and_serve_teachers(bot: CoachBot) -> None:
    await say("!strategy class", member=member("Kari"))
    assert "lærere" in sent()[0].content
    await say("!stats", member=member("Kari"))
    assert "lærere" in sent()[0].content
    await say("!reload", member=member("Kari"))
    assert "lærere" in sent()[0].content
    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Lærer", guild)
    await dpytest.add_role(member("Ola"), role)
    await dpytest.message("!strategy class", member=member("Ola"))
    assert "Ingen i klassen" in sent()[0].content or "Klassen" in sent()[0].content
    await dpytest.message("!stats", member=member("Ola"))
    assert "Bruk på denne serveren" in sent()[0].content


async def test_cooldown_tells_the_member_when_to_try_again(bot: CoachBot) -> None:
    bot.settings.cooldown_seconds = 30
    bot._cooldowns = {  # the mapping is built from the setting at start-up
        name: discord.ext.commands.CooldownMapping.from_cooldown(
            1, 30, discord.ext.commands.BucketType.member
        )
        for name in bot._cooldowns
    }
    await dpytest.message("!ask Hva er åpenhet?")
    sent()
    await say("!ask Hva er åpenhet?")
    messages = sent()
    assert any("sekunder" in m.content for m in messages)


async def test_an_unexpected_failure_gets_an_apology_with_an_id(
    bot: CoachBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.coach, "run", broken)
    with caplog.at_level(logging.ERROR):
        await say("!ask Hva er åpenhet?")
    messages = sent()
    assert_safe(messages)
    assert "feil-id" in messages[0].content
    error_id = messages[0].content.split("feil-id ")[1][:8]
    assert error_id in caplog.text and "boom" in caplog.text


async def test_direct_messages_work_for_review_and_strategy(bot: CoachBot) -> None:
    kari = member("Kari")
    dm = await kari.create_dm()
    await dpytest.message("!review Hei! Hva synes du?", channel=dm, member=kari)
    assert "Lengde på X" in sent()[0].content
    await dpytest.message("!strategy", channel=dm, member=kari)
    assert "!strategy start" in sent()[0].content


async def test_other_bots_are_ignored(bot: CoachBot) -> None:
    assert bot.user is not None
    before = dpytest.sent_queue.qsize()
    message = await dpytest.message("!ask Hva er åpenhet?")
    assert dpytest.sent_queue.qsize() > before  # a member is answered
    sent()
    message.author = type("BotUser", (), {"bot": True, "id": 1})()  # the same text from a bot
    await bot.process_commands(message)
    assert dpytest.sent_queue.empty()


async def test_a_missing_message_content_intent_logs_how_to_enable_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("COACH_DB_PATH", str(tmp_path / "c.db"))
    intents = discord.Intents.default()
    intents.message_content = False
    made = create_bot(load_settings(), intents=intents)
    with caplog.at_level(logging.WARNING):
        await made._async_setup_hook()
        await made.setup_hook()
    assert sum(MESSAGE_CONTENT_HINT in r.message for r in caplog.records) == 1
    assert made.tree.get_command("ask") is not None  # slash commands are still there
    await made.close()


# -- slash commands and buttons, with interaction stand-ins ---------------------------------


class FakeResponse:
    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []

    async def send_message(self, text: str, **kwargs: Any) -> None:
        self.messages.append((text, kwargs))


class SlashContext:
    """What a hybrid command's callback needs when it is invoked as /command."""

    def __init__(self, bot: CoachBot, author: discord.Member) -> None:
        self.bot = bot
        self.author = author
        self.guild = author.guild
        self.channel = author.guild.text_channels[0]
        self.message = None
        self.interaction = object()
        self.deferred: list[bool] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def typing(self, *, ephemeral: bool = False) -> Any:
        outer = self

        class Defer:
            async def __aenter__(self) -> None:
                outer.deferred.append(ephemeral)  # an interaction is deferred here

            async def __aexit__(self, *exc: object) -> None:
                return None

        return Defer()

    async def send(self, text: str, **kwargs: Any) -> Any:
        self.sent.append((text, kwargs))
        return type("Sent", (), {"id": len(self.sent)})()


async def test_slash_strategy_is_deferred_and_ephemeral(bot: CoachBot) -> None:
    ctx = SlashContext(bot, member("Kari"))
    await bot.cogs["StrategyCog"].strategy.callback(bot.cogs["StrategyCog"], ctx, command="")
    assert ctx.deferred == [True]
    assert ctx.sent and all(kwargs.get("ephemeral") for _, kwargs in ctx.sent)


async def test_slash_ask_answers_publicly_with_vote_buttons(bot: CoachBot) -> None:
    ctx = SlashContext(bot, member("Kari"))
    await bot.cogs["AskCog"].ask.callback(bot.cogs["AskCog"], ctx, question="Hva er åpenhet?")
    _, kwargs = ctx.sent[-1]
    assert "Forventingsfaktorer" in "".join(t for t, _ in ctx.sent)
    assert not kwargs.get("ephemeral")
    assert isinstance(kwargs.get("view"), VoteView)


async def test_a_vote_is_stored_and_thanked_privately(bot: CoachBot) -> None:
    view = VoteView(bot, "Hva er åpenhet?", "knowledge/posts/5-forventingsfaktorer.md", "nb")
    response = FakeResponse()
    guild = dpytest.get_config().guilds[0]
    interaction = type(
        "Interaction",
        (),
        {
            "guild_id": guild.id,
            "user": member("Kari"),
            "message": type("M", (), {"id": 4242})(),
            "response": response,
        },
    )()
    await view.vote(interaction, -1)  # type: ignore[arg-type]
    assert response.messages and response.messages[0][1]["ephemeral"] is True
    stats = await bot.coach.store.stats(guild.id)  # type: ignore[union-attr]
    assert stats.weakest and stats.weakest[0][0] == "Hva er åpenhet?"


async def test_forget_removes_the_members_votes_too(bot: CoachBot) -> None:
    kari = member("Kari")
    guild = dpytest.get_config().guilds[0]
    store = bot.coach.store
    assert store is not None
    await store.record_vote(guild.id, kari.id, 1, "q", "s", 1)
    await dpytest.message("!strategy forget confirm", member=kari)
    sent()
    assert bot.services is not None and bot.services.store is not None
    assert count_member_rows(bot.services.store.path, guild.id, kari.id) == 0


async def test_sigterm_closes_discord_the_http_client_and_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_DB_PATH", str(tmp_path / "c.db"))
    monkeypatch.setenv("COACH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    made = create_bot(load_settings())
    await made._async_setup_hook()
    await made.setup_hook()
    services = made.services
    assert services is not None and services.store is not None and services.http is not None
    http = services.http
    loop = asyncio.get_running_loop()
    # Leave pytest's own SIGINT as it was (Ctrl-C must still stop the run; in the background it
    # is ignored), whatever happens in the test: remove_signal_handler alone would install
    # Python's default handler.
    sigint = signal.getsignal(signal.SIGINT)
    install_signal_handlers(made)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = loop.time() + procs.HANG_GUARD  # a hang guard: closing may be slow when loaded
        while not (made.is_closed() and services.store is None) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert made.is_closed()
        assert services.store is None and services.http is None and http.is_closed
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        loop.remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, sigint)


async def test_a_class_sending_300_mixed_commands_through_discord_is_all_answered(
    bot: CoachBot,
) -> None:
    config = dpytest.get_config()
    guild = config.guilds[0]
    members = [
        dpytest.backend.make_member(dpytest.backend.make_user(f"elev{i}", 1000 + i), guild)
        for i in range(50)
    ]
    commands = [
        "!ask Hva er åpenhet?",
        "!review Vi åpner i morgen! Hva vil du smake? @everyone",
        "!strategy start Firma",
        "!strategy answer Vi vil ha 100 nye følgere innen juni.",
        "!strategy status",
        "!ask How long can a tweet be?",
    ]
    answered = 0
    for command in commands:
        for student in members:
            await say(command, member=student)
            messages = sent()
            assert_safe(messages)
            answered += 1
    assert answered == 300
