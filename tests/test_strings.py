"""The string files: both languages, the same keys, the same placeholders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.strings import LOCALES_DIR, load_strings, placeholders
from bot.errors import DataFileError


def test_both_languages_load_with_the_same_keys() -> None:
    strings = load_strings()
    assert strings.texts["nb"].keys() == strings.texts["en"].keys()
    assert strings.t("en", "ask.related", topics="a, b") == (
        "Closest topics the course does cover: a, b."
    )


def test_placeholders_are_found() -> None:
    assert placeholders("Hei $name, du har ${count} svar") == {"name", "count"}


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    return tmp_path / "locales"


def test_a_missing_key_is_named(locales: Path) -> None:
    en = (locales / "en.toml").read_text(encoding="utf-8")
    (locales / "en.toml").write_text(en.replace('sources = "Sources"\n', ""), "utf-8")
    with pytest.raises(DataFileError, match=r"ask\.sources"):
        load_strings(locales)


def test_a_placeholder_mismatch_names_the_line(locales: Path) -> None:
    en = (locales / "en.toml").read_text(encoding="utf-8")
    related = 'related = "Closest topics the course does cover: $topics."'
    assert related in en
    (locales / "en.toml").write_text(
        en.replace(related, related.replace("$topics", "$topic")), "utf-8"
    )
    with pytest.raises(DataFileError) as caught:
        load_strings(locales)
    assert caught.value.line is not None
    assert "related" in str(caught.value)


def test_a_syntax_error_names_the_line(locales: Path) -> None:
    (locales / "nb.toml").write_text('[a]\nb = "ok"\nc = unquoted\n', "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_strings(locales)
    assert caught.value.line == 3
