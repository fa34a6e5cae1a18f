"""The Discord adapter: `create_bot(settings, services=None)` returns the configured bot."""

from bot.discord_app.bot import (
    CoachBot,
    create_bot,
    install_signal_handlers,
    run_bot,
    run_discord,
)

__all__ = ["CoachBot", "create_bot", "install_signal_handlers", "run_bot", "run_discord"]
