"""Settings, read once from the environment and `.env`, then passed down.

Every setting has an environment name (the first alias of its field); `SETTING_NAMES` is derived
from the fields, so an invalid value stops start-up with one line naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_dir(name: str) -> Path:
    """Return the project's own data folder `name`, or `./name` when installed elsewhere."""
    bundled = PROJECT_ROOT / name
    return bundled if bundled.is_dir() else Path.cwd() / name


class Settings(BaseSettings):
    """All settings of the coach; secrets are SecretStr and never shown."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token")
    )
    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("COACH_LLM_BASE_URL", "OPENAI_BASE_URL", "llm_base_url"),
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COACH_LLM_API_KEY", "OPENAI_API_KEY", "llm_api_key"),
    )
    llm_model: str = Field(
        default="gpt-4o-mini", validation_alias=AliasChoices("COACH_LLM_MODEL", "llm_model")
    )
    llm_timeout: float = Field(
        default=20.0,
        gt=0,
        le=600,
        validation_alias=AliasChoices("COACH_LLM_TIMEOUT", "llm_timeout"),
    )
    llm_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        validation_alias=AliasChoices("COACH_LLM_CONCURRENCY", "llm_concurrency"),
    )
    llm_cache_seconds: float = Field(
        default=300.0,
        ge=0,
        validation_alias=AliasChoices("COACH_LLM_CACHE_SECONDS", "llm_cache_seconds"),
    )
    llm_context_chars: int = Field(
        default=24_000,
        ge=1_000,
        le=2_000_000,
        validation_alias=AliasChoices("COACH_LLM_CONTEXT_CHARS", "llm_context_chars"),
    )
    llm_stream: bool = Field(
        default=False, validation_alias=AliasChoices("COACH_LLM_STREAM", "llm_stream")
    )
    db_path: Path = Field(
        default=Path("data/coach.db"), validation_alias=AliasChoices("COACH_DB_PATH", "db_path")
    )
    knowledge_dir: Path = Field(
        default_factory=lambda: _default_dir("knowledge"),
        validation_alias=AliasChoices("COACH_KNOWLEDGE_DIR", "knowledge_dir"),
    )
    # The teacher's added documents (`knowledge add`); unset: `knowledge/` beside the database
    # (data/knowledge, or /data/knowledge in the Docker volume).
    extra_knowledge_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("COACH_EXTRA_KNOWLEDGE_DIR", "extra_knowledge_dir"),
    )
    knowledge_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        validation_alias=AliasChoices("COACH_KNOWLEDGE_MAX_BYTES", "knowledge_max_bytes"),
    )
    knowledge_max_total_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        validation_alias=AliasChoices(
            "COACH_KNOWLEDGE_MAX_TOTAL_BYTES", "knowledge_max_total_bytes"
        ),
    )
    prompts_dir: Path = Field(
        default_factory=lambda: _default_dir("prompts"),
        validation_alias=AliasChoices("COACH_PROMPTS_DIR", "prompts_dir"),
    )
    language: Literal["auto", "nb", "en"] = Field(
        default="auto", validation_alias=AliasChoices("COACH_LANGUAGE", "language")
    )
    guild_id: int | None = Field(
        default=None, validation_alias=AliasChoices("COACH_GUILD_ID", "guild_id")
    )
    channels: str = Field(default="", validation_alias=AliasChoices("COACH_CHANNELS", "channels"))
    cooldown_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        validation_alias=AliasChoices("COACH_COOLDOWN_SECONDS", "cooldown_seconds"),
    )
    llm_daily_budget: int = Field(
        default=500,
        ge=0,
        validation_alias=AliasChoices("COACH_LLM_DAILY_BUDGET", "llm_daily_budget"),
    )
    teacher_role: str = Field(
        default="Lærer", validation_alias=AliasChoices("COACH_TEACHER_ROLE", "teacher_role")
    )
    # Slack over Socket Mode: the bot token (xoxb-) calls the Web API, the app-level token
    # (xapp-) opens the websocket. SLACK_API_URL points both elsewhere (GovSlack, a proxy, tests).
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"),
    )
    slack_teachers: str = Field(
        default="", validation_alias=AliasChoices("COACH_SLACK_TEACHERS", "slack_teachers")
    )
    slack_channels: str = Field(
        default="", validation_alias=AliasChoices("COACH_SLACK_CHANNELS", "slack_channels")
    )

    @field_validator("llm_base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("llm_api_key", "discord_token", "slack_bot_token", "slack_app_token")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # A stray line break (pasted from a file) would end up inside an HTTP header and then in
        # an error message; refuse it here, without repeating the value.
        if value is not None and any(
            ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value.get_secret_value()
        ):
            raise ValueError(
                "contains a control character such as a line break; set it on one line"
            )
        return value

    @field_validator("channels")
    @classmethod
    def _check_channels(cls, value: str) -> str:
        for part in value.replace(";", ",").split(","):
            if part.strip() and not part.strip().isdigit():
                raise ValueError("must be channel ids separated by commas, e.g. 123,456")
        return value

    @property
    def channel_ids(self) -> frozenset[int]:
        """Return the channel ids the bot listens in (empty: everywhere)."""
        parts = self.channels.replace(";", ",").split(",")
        return frozenset(int(p) for p in parts if p.strip())

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _check_slack_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        prefix = "xoxb-" if info.field_name == "slack_bot_token" else "xapp-"
        if not value.get_secret_value().strip().startswith(prefix):
            raise ValueError(f"must start with {prefix} (Slack app settings -> OAuth / Basic)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("slack_api_url")
    @classmethod
    def _check_slack_url(cls, value: str) -> str:
        value = value.strip() or "https://slack.com/api/"
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") + "/"

    @field_validator("slack_teachers", "slack_channels")
    @classmethod
    def _check_slack_ids(cls, value: str) -> str:
        for part in value.replace(";", ",").split(","):
            if part.strip() and not part.strip().isalnum():
                raise ValueError("must be Slack ids separated by commas, e.g. U0123ABCD,U0456EFGH")
        return value

    @staticmethod
    def _ids(value: str) -> frozenset[str]:
        return frozenset(p.strip().upper() for p in value.replace(";", ",").split(",") if p.strip())

    @property
    def slack_teacher_ids(self) -> frozenset[str]:
        """Return the Slack user ids that are teachers besides the workspace's admins."""
        return self._ids(self.slack_teachers)

    @property
    def slack_channel_ids(self) -> frozenset[str]:
        """Return the Slack channel ids the coach listens in (empty: everywhere it is)."""
        return self._ids(self.slack_channels)

    @property
    def slack_enabled(self) -> bool:
        """Say whether both Slack tokens are set (Socket Mode needs the two)."""
        return self.slack_bot_token is not None and self.slack_app_token is not None

    @field_validator("llm_model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("knowledge_dir", "prompts_dir")
    @classmethod
    def _check_knowledge_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"folder {value} does not exist")
        return value

    @property
    def llm_enabled(self) -> bool:
        """Say whether an LLM endpoint is configured (only a base URL turns it on)."""
        return self.llm_base_url is not None

    def secrets(self) -> list[str]:
        """Return the secret values set (for the log filter that masks them)."""
        values = [self.discord_token, self.llm_api_key, self.slack_bot_token, self.slack_app_token]
        return [v.get_secret_value() for v in values if v is not None]

    @property
    def extra_knowledge_path(self) -> Path:
        """Return the folder of the teacher's added documents."""
        return self.extra_knowledge_dir or self.db_path.parent / "knowledge"

    def ensure_db_folder(self) -> Path:
        """Create the database's folder if missing and return the database path."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        return self.db_path


def _env_name(name: str) -> str:
    """Return the environment name of a field: the first of its aliases."""
    alias = Settings.model_fields[name].validation_alias
    choices = getattr(alias, "choices", None)
    first = choices[0] if choices else alias
    return first if isinstance(first, str) else name.upper()


# The environment name shown for each field when its value is invalid, derived from the fields.
SETTING_NAMES: dict[str, str] = {name: _env_name(name) for name in Settings.model_fields}


def load_settings(**overrides: object) -> Settings:
    """Build Settings; a validation error becomes a ConfigError naming the bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = str(first["loc"][0]) if first["loc"] else "?"
        name = SETTING_NAMES.get(loc, loc.upper())
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(name, message) from None


__all__ = ["PROJECT_ROOT", "SETTING_NAMES", "Settings", "load_settings"]
