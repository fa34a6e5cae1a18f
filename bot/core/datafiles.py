"""Read the project's data files (YAML, TOML, Markdown with front matter) with located errors.

Every loader here raises DataFileError naming the file and, where it can be known, the line, so
a bad file stops start-up with one message a teacher can act on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import DataFileError

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader parses the big word lists about ten times faster than the Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compile_patterns(patterns: list[str], path: Path, where: str) -> re.Pattern[str] | None:
    """Compile regular expressions from a data file into one (any of them matches, any case).

    None when there are none; a bad one raises DataFileError naming the file and `where`.
    """
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise DataFileError(path, None, f"{where}: bad pattern: {exc}") from None


def read_text(path: Path) -> str:
    """Read a UTF-8 file, naming the file when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read: {exc.strerror}") from None


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML, reporting a syntax error at its line in the file."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = first_line + mark.line if mark is not None else first_line
        raise DataFileError(path, line, f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(path, first_line, f"invalid YAML: {exc}") from None


def load_yaml(path: Path) -> Any:
    """Load a YAML file."""
    return parse_yaml(read_text(path), path)


def load_yaml_model(model: type[M], path: Path) -> M:
    """Load a YAML file and validate it with `model`, naming the line of a bad field."""
    text = read_text(path)
    return validate(model, parse_yaml(text, path), path, text)


def load_toml(path: Path) -> dict[str, Any]:
    """Load a TOML file, reporting a syntax error at its line."""
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = None
        if "(at line " in message:
            line = int(message.split("(at line ", 1)[1].split(",", 1)[0])
        raise DataFileError(path, line, f"invalid TOML: {message}") from None


def find_key_line(text: str, key: str, first_line: int = 1, after: int = 0) -> int | None:
    """Return the line where `key:` (YAML) or `key =` (TOML) is written, after line `after`."""
    for number, line in enumerate(text.splitlines(), start=first_line):
        if number <= after:
            continue
        stripped = line.lstrip("- ").split("#", 1)[0]
        if stripped.startswith((f"{key}:", f"{key} =", f"{key}=", f'"{key}"')):
            return number
    return None


def find_path_line(text: str, loc: tuple[int | str, ...], first_line: int = 1) -> int | None:
    """Return the line of the deepest key of a validation error's location that can be found."""
    line: int | None = None
    for part in loc:
        if not isinstance(part, str):
            continue
        found = find_key_line(text, part, first_line, after=line or 0)
        if found is None:
            break
        line = found
    return line


def validate(model: type[M], data: Any, path: Path, text: str = "", first_line: int = 1) -> M:
    """Validate `data` with `model`, naming the file and the line of the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(part) for part in err["loc"]) or "(top level)"
        line = find_path_line(text, tuple(err["loc"]), first_line)
        raise DataFileError(path, line or first_line, f"{field}: {err['msg']}") from None


__all__ = [
    "find_key_line",
    "find_path_line",
    "load_toml",
    "load_yaml",
    "load_yaml_model",
    "parse_yaml",
    "read_text",
    "validate",
]
