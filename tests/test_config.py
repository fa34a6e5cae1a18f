"""Settings: defaults, environment and .env, aliases, bad values, and secrets kept secret."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.errors import ConfigError
from tests import procs
from tests.conftest import PYTHON, ROOT, run_env


def test_defaults_need_nothing_configured(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.llm_enabled is False
    assert settings.language == "auto"
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert settings.db_path == Path("data/coach.db")


def test_database_folder_is_created(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_DB_PATH", str(clean_env / "deep" / "er" / "coach.db"))
    path = load_settings().ensure_db_folder()
    assert path.parent.is_dir()


def test_environment_values_are_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", "http://127.0.0.1:8080/v1/")
    monkeypatch.setenv("COACH_LLM_MODEL", "smollm2")
    monkeypatch.setenv("COACH_LANGUAGE", "en")
    settings = load_settings()
    assert settings.llm_base_url == "http://127.0.0.1:8080/v1"
    assert settings.llm_enabled
    assert settings.llm_model == "smollm2"
    assert settings.language == "en"


def test_openai_names_are_accepted(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.example.test/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    settings = load_settings()
    assert settings.llm_base_url == "https://api.example.test/v1"
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-openai-secret"


def test_coach_names_win_over_openai_names(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai.example.test/v1")
    monkeypatch.setenv("COACH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    assert load_settings().llm_base_url == "http://127.0.0.1:9/v1"


def test_dotenv_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("COACH_LANGUAGE=nb\nDISCORD_TOKEN=abc.def.ghi\n")
    settings = load_settings()
    assert settings.language == "nb"
    assert settings.discord_token is not None


def test_empty_values_count_as_unset(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "")
    monkeypatch.setenv("COACH_LLM_BASE_URL", "")
    settings = load_settings()
    assert settings.discord_token is None
    assert not settings.llm_enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COACH_LANGUAGE", "de"),
        ("COACH_LLM_BASE_URL", "localhost:8080"),
        ("COACH_KNOWLEDGE_DIR", "/no/such/folder"),
        ("COACH_LLM_MODEL", "   "),
    ],
)
def test_a_bad_value_names_the_setting(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.setting == name
    assert name in str(caught.value)


def test_a_bad_value_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = run_env(tmp_path, COACH_LANGUAGE="klingon")
    out = procs.run(
        [PYTHON, "-m", "bot", "chat"],
        cwd=tmp_path,
        env=env,
        input="",
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "COACH_LANGUAGE" in lines[0]
    assert "Traceback" not in out.stderr


def test_secrets_are_not_in_repr_str_or_logs(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.discord-secret-token")
    monkeypatch.setenv("COACH_LLM_API_KEY", "sk-llm-secret-key")
    settings = load_settings()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    for text in (repr(settings), str(settings), caplog.text, str(settings.model_dump())):
        assert "discord-secret-token" not in text
        assert "sk-llm-secret-key" not in text


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names = getattr(alias, "choices", [alias])
        assert any(f"{name}=" in example for name in names if isinstance(name, str)), names
