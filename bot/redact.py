"""Keep secrets out of logs: credentials and query strings in URLs, and the configured secrets.

One filter on every log handler `__main__` (or the Discord runner) installs, so neither our
records nor a library's (httpx, discord.py) can print an API key, a token or `user:key@` from a
URL, even in a traceback at debug level.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#\"'<>]*)\?[^\s#\"'<>]+")
MASK = "***"


def redact_url(text: str) -> str:
    """Return `text` with every URL's userinfo and query string replaced by ***."""
    return _QUERY.sub(rf"\1?{MASK}", _USERINFO.sub(rf"\1{MASK}@", text))


class RedactingFilter(logging.Filter):
    """Rewrite each record's message (and traceback) with URLs and known secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would mask ordinary words; a real key or token is long.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return `text` with URLs' credentials and every known secret masked."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return redact_url(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install(secrets: Iterable[str] = ()) -> None:
    """Add one RedactingFilter to every handler of the root logger."""
    flt = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)


__all__ = ["MASK", "RedactingFilter", "install", "redact_url"]
