"""What both strategy data files share: a text in both languages, and the plain form of a text.

`Texts` lives here rather than in `steps.py` because the feedback rules use it too, and
`steps.py` loads those rules: one module below both keeps the imports pointing one way.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.core.language import Language
from bot.core.text import clean


class Texts(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(extra="forbid")

    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: Language) -> str:
        return self.en if lang == "en" else self.nb


def plain(text: str) -> str:
    """Return the text cleaned, with every run of whitespace made one space."""
    return " ".join(clean(text).split())


__all__ = ["Texts", "plain"]
