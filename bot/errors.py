"""The project's exception tree.

Every error a user may see carries a message key (looked up in the string files) and the values
for its placeholders, so the adapters can show it in the member's language without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class CoachError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(CoachError):
    """A setting has a bad value; the message names the setting."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"Invalid setting {setting}: {problem}")
        self.setting = setting
        self.problem = problem


class DataFileError(CoachError):
    """A bundled data file is invalid; the message names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.line = line
        self.problem = problem


class UserError(CoachError):
    """Something the member did that we can explain; `key` names a text in the string files."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class ServiceError(CoachError):
    """An outside system (the LLM endpoint, the database) failed; `service` names it."""

    service = "service"


class LLMError(ServiceError):
    """The LLM endpoint failed; `reason` is one of the pinned fallback reasons."""

    service = "llm"
    reason = "http_error"

    def __init__(self, endpoint: str, detail: str) -> None:
        super().__init__(f"LLM endpoint {endpoint}: {detail}")
        self.endpoint = endpoint
        self.detail = detail


class LLMTimeout(LLMError):
    reason = "timeout"


class LLMUnreachable(LLMError):
    reason = "unreachable"


class LLMHTTPError(LLMError):
    reason = "http_error"

    def __init__(self, endpoint: str, detail: str, status: int | None = None) -> None:
        super().__init__(endpoint, detail)
        self.status = status


class LLMInvalidOutput(LLMError):
    reason = "invalid_output"


class StoreError(ServiceError):
    """The database failed; `kind` tells the member-facing text which problem it was."""

    service = "database"

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"database {kind}: {detail}")
        self.kind = kind
        self.detail = detail


__all__ = [
    "CoachError",
    "ConfigError",
    "DataFileError",
    "LLMError",
    "LLMHTTPError",
    "LLMInvalidOutput",
    "LLMTimeout",
    "LLMUnreachable",
    "ServiceError",
    "StoreError",
    "UserError",
]
