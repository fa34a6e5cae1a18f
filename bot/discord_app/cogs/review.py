"""`!review` and `/review`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.discord_app.common import member_context, send_reply, working

if TYPE_CHECKING:
    from bot.discord_app.bot import CoachBot


class ReviewCog(commands.Cog):
    """Reviews drafts for length and tone."""

    def __init__(self, bot: CoachBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="review", aliases=["vurder"])
    async def review(self, ctx: commands.Context[CoachBot], *, draft: str = "") -> None:
        """Review a draft: [--platform NAME] <draft>."""
        async with working(ctx):
            reply = await self.bot.coach.run("review", draft, member_context(ctx))
            await send_reply(ctx, reply)


async def setup(bot: CoachBot) -> None:
    await bot.add_cog(ReviewCog(bot))
