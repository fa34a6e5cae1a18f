"""`!strategy` and `/strategy`: private replies, exports as file attachments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.discord_app.common import member_context, send_reply, working

if TYPE_CHECKING:
    from bot.discord_app.bot import CoachBot


class StrategyCog(commands.Cog):
    """The step-by-step strategy coach."""

    def __init__(self, bot: CoachBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="strategy", aliases=["strategi"])
    async def strategy(self, ctx: commands.Context[CoachBot], *, command: str = "") -> None:
        """Work on your strategy: start, answer, next, back, goto, show, status, export ..."""
        async with working(ctx, ephemeral=True):
            reply = await self.bot.coach.run("strategy", command, member_context(ctx))
            await send_reply(ctx, reply)


async def setup(bot: CoachBot) -> None:
    await bot.add_cog(StrategyCog(bot))
