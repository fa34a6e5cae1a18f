"""The Slack adapter (slack-bolt over Socket Mode); imported only when the Slack tokens are set."""

from bot.slack_app.app import SlackCoach
from bot.slack_app.run import run_slack, serve

__all__ = ["SlackCoach", "run_slack", "serve"]
