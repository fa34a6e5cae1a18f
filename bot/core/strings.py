"""User-visible texts, one TOML file per language, with `$name` placeholders.

Both files must hold the same keys with the same placeholders; a mismatch stops start-up naming
the file and the key's line.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from bot.core.datafiles import find_key_line, load_toml, read_text
from bot.core.language import LANGUAGES, Language
from bot.errors import DataFileError

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def placeholders(text: str) -> set[str]:
    """Return the `$name` placeholders used in a template."""
    names: set[str] = set()
    for _, named, braced, _ in string.Template.pattern.findall(text):
        if named or braced:
            names.add(named or braced)
    return names


@dataclass(frozen=True)
class Strings:
    """The texts of every language; `t(language, key, **values)` fills one in."""

    texts: dict[Language, dict[str, str]]

    def t(self, language: Language, key: str, **values: object) -> str:
        """Return text `key` in `language` with its placeholders filled."""
        template = self.texts[language].get(key)
        if template is None:
            raise KeyError(f"no text '{key}' for language '{language}'")
        return string.Template(template).safe_substitute({k: str(v) for k, v in values.items()})

    def has(self, key: str) -> bool:
        """Say whether a text named `key` exists."""
        return key in self.texts["nb"]


def _flatten(data: dict[str, object], path: Path, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path, f"{name}."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise DataFileError(path, None, f"'{name}' must be text, not {type(value).__name__}")
    return out


def load_strings(folder: Path = LOCALES_DIR) -> Strings:
    """Load and cross-check `nb.toml` and `en.toml`."""
    texts: dict[Language, dict[str, str]] = {}
    for language in LANGUAGES:
        path = folder / f"{language}.toml"
        texts[language] = _flatten(load_toml(path), path)
    base_path = folder / "nb.toml"
    for language in LANGUAGES[1:]:
        path = folder / f"{language}.toml"
        source = read_text(path)
        missing = texts["nb"].keys() - texts[language].keys()
        if missing:
            key = sorted(missing)[0]
            raise DataFileError(path, None, f"text '{key}' is missing (it is in {base_path.name})")
        extra = texts[language].keys() - texts["nb"].keys()
        if extra:
            key = sorted(extra)[0]
            line = find_key_line(source, key.rsplit(".", 1)[-1])
            raise DataFileError(path, line, f"text '{key}' is not in {base_path.name}")
        for key, text in texts[language].items():
            if placeholders(text) != placeholders(texts["nb"][key]):
                line = find_key_line(source, key.rsplit(".", 1)[-1])
                raise DataFileError(
                    path, line, f"text '{key}' must use the same $placeholders as in nb.toml"
                )
    return Strings(texts)


def missing_notice(strings: Strings, lang: Language, reason: str) -> str:
    """Return the one line saying a model's part of a review or feedback is missing, and why."""
    key = f"llm.rules_only.{reason}"
    return strings.t(lang, key if strings.has(key) else "llm.rules_only.invalid_output")


__all__ = ["LOCALES_DIR", "Strings", "load_strings", "missing_notice", "placeholders"]
