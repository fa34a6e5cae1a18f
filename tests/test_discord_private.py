"""Private replies on Discord, and a reload that neither blocks nor forgets (issue 11, 6 and 7).

Driven through dpytest with the real discord.py; slash commands use the stand-in of
test_discord.py.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest

from bot import app as services_module
from bot.discord_app.bot import CoachBot
from tests.test_discord import SlashContext, bot, member, say, sent

__all__ = ["bot"]  # the fixture, shared with test_discord.py

ANSWER = "Sykkelbua er en sykkelbutikk i Tromsø for studenter og pendlere."


async def test_a_prefix_strategy_reply_goes_by_dm_and_the_channel_sees_no_content(
    bot: CoachBot,
) -> None:
    await dpytest.message("!strategy start Sykkelbua")
    await dpytest.message(f"!strategy answer {ANSWER}")
    messages = sent()
    public = [m for m in messages if not isinstance(m.channel, discord.DMChannel)]
    private = [m for m in messages if isinstance(m.channel, discord.DMChannel)]
    assert public and private
    assert all("Sykkelbua" not in m.content and "Tromsø" not in m.content for m in public)
    assert all("privat" in m.content for m in public)
    assert any("Lagret" in m.content for m in private)


async def test_an_export_goes_by_dm_with_its_file(bot: CoachBot) -> None:
    await dpytest.message("!strategy start Sykkelbua")
    await dpytest.message(f"!strategy answer {ANSWER}")
    sent()
    await dpytest.message("!strategy export")
    messages = sent()
    files = [m for m in messages if m.attachments]
    assert files and all(isinstance(m.channel, discord.DMChannel) for m in files)


async def test_closed_dms_are_named_in_public_without_the_content(
    bot: CoachBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(self: discord.abc.Messageable, *args: Any, **kwargs: Any) -> None:
        response = type("Response", (), {"status": 403, "reason": "Forbidden"})()
        raise discord.Forbidden(response, "Cannot send messages to this user")  # type: ignore[arg-type]

    monkeypatch.setattr(discord.Member, "send", refuse)
    await dpytest.message("!strategy start Sykkelbua")
    messages = sent()
    assert len(messages) == 1
    assert not isinstance(messages[0].channel, discord.DMChannel)
    assert "direktemeldinger" in messages[0].content and "Sykkelbua" not in messages[0].content


async def test_a_strategy_in_a_dm_is_answered_in_the_dm_itself(bot: CoachBot) -> None:
    kari = member("Kari")
    dm = await kari.create_dm()
    await dpytest.message("!strategy start Sykkelbua", channel=dm, member=kari)
    messages = sent()
    assert len(messages) == 1 and "Sykkelbua" in messages[0].content


async def test_public_notices_stay_replies_for_prefix_commands(bot: CoachBot) -> None:
    await say("!stats", member=member("Ola"))  # not a teacher: the refusal holds nothing private
    messages = sent()
    assert messages and not isinstance(messages[0].channel, discord.DMChannel)


# -- reload --------------------------------------------------------------------------------


async def test_slash_reload_and_stats_are_deferred_and_ephemeral(bot: CoachBot) -> None:
    owner = member("Kari")
    bot.owner_id = owner.id
    cog = bot.cogs["AdminCog"]
    for command in (cog.reload, cog.stats):
        ctx = SlashContext(bot, owner)
        await command.callback(cog, ctx)
        assert ctx.deferred == [True]
        assert ctx.sent and all(kwargs.get("ephemeral") for _, kwargs in ctx.sent)


async def test_reload_loads_off_the_event_loop_and_keeps_conversations(
    bot: CoachBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bot.services is not None
    before = bot.coach
    before.asking.memory.add("thread:1", "Hva er åpenhet?", "svar")
    loop_thread = threading.get_ident()
    loaded_in: list[int] = []
    real = services_module.load_knowledge

    def spy(settings: Any) -> Any:
        loaded_in.append(threading.get_ident())
        return real(settings)

    monkeypatch.setattr(services_module, "load_knowledge", spy)
    bot.owner_id = member("Kari").id
    await dpytest.message("!reload", member=member("Kari"))
    text = "".join(m.content for m in sent())
    assert "Lastet inn på nytt" in text
    assert loaded_in and loaded_in[0] != loop_thread
    after = bot.coach
    assert after is not before
    assert after.asking.memory is before.asking.memory and after.asking.memory.recent("thread:1")
    assert after.budget is before.budget and after.store is before.store


async def test_a_bad_file_on_reload_changes_nothing(
    bot: CoachBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.conftest import KNOWLEDGE

    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "strategy_steps.yaml").write_text("steps: [oops", encoding="utf-8")
    assert bot.services is not None
    monkeypatch.setattr(bot.services.settings, "knowledge_dir", folder)
    before = bot.coach
    bot.owner_id = member("Kari").id
    await dpytest.message("!reload", member=member("Kari"))
    text = "".join(m.content for m in sent())
    assert "ingenting er endret" in text and "strategy_steps.yaml" in text
    assert bot.coach is before
