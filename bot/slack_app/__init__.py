"""The Slack adapter (slack-bolt over Socket Mode); imported only when the Slack tokens are set."""

from bot.slack_app.app import SlackCoach

__all__ = ["SlackCoach"]
