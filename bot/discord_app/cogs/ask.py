"""`!ask` and `/ask`, with 👍/👎 buttons whose votes are stored with the question and sources."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.core.language import Language
from bot.discord_app.common import member_context, send_reply, working
from bot.errors import StoreError

if TYPE_CHECKING:
    from bot.discord_app.bot import CoachBot


class VoteView(discord.ui.View):
    """👍/👎 under an answer; a vote is stored with the question and its sources."""

    def __init__(self, bot: CoachBot, question: str, sources: str, language: str) -> None:
        super().__init__(timeout=24 * 3600)
        self.bot = bot
        self.question = question
        self.sources = sources
        self.language = language

    async def vote(self, interaction: discord.Interaction, value: int) -> None:
        """Store the vote and thank the member privately."""
        store = self.bot.coach.usage
        guild_id = interaction.guild_id or 0
        message_id = interaction.message.id if interaction.message is not None else 0
        if store is not None:
            with contextlib.suppress(StoreError):  # a vote is not worth an error message
                await store.record_vote(
                    guild_id, interaction.user.id, message_id, self.question, self.sources, value
                )
        lang: Language = "en" if self.language == "en" else "nb"
        text = self.bot.coach.strings.t(lang, "discord.vote_thanks")
        await interaction.response.send_message(text, ephemeral=True)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def up(
        self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]
    ) -> None:
        await self.vote(interaction, 1)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def down(
        self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]
    ) -> None:
        await self.vote(interaction, -1)


class AskCog(commands.Cog):
    """Answers from the course."""

    def __init__(self, bot: CoachBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="ask", aliases=["spør"])
    async def ask(self, ctx: commands.Context[CoachBot], *, question: str = "") -> None:
        """Answer a question from the course material, with sources."""
        async with working(ctx):
            reply = await self.bot.coach.run("ask", question, member_context(ctx))
            view = None
            if reply.kind in ("answer", "refusal"):
                sources = "; ".join(s.path for s in reply.sources)
                view = VoteView(self.bot, question[:300], sources, reply.language)
            sent = await send_reply(ctx, reply, view)
        self.bot.remember(sent, member_context(ctx).conversation)


async def setup(bot: CoachBot) -> None:
    await bot.add_cog(AskCog(bot))
