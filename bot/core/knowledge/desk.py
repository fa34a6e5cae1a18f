"""`knowledge add|list|remove` for every adapter: the library's work, the live reload, the reply.

The desk runs the library off the event loop, reloads the coach after each change (the caller's
`reload`, which keeps conversations), and writes the reply in the member's language. An add or
removal that did not happen says why and that nothing changed (`Outcome.ok` is False).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.knowledge.library import Entry, Library, LibraryError
from bot.core.language import Language
from bot.core.strings import Strings
from bot.errors import DataFileError

# `!knowledge <action>` in English and Norwegian, for every adapter.
ACTIONS = {
    "add": "add",
    "legg-til": "add",
    "leggtil": "add",
    "list": "list",
    "liste": "list",
    "vis": "list",
    "remove": "remove",
    "fjern": "remove",
    "slett": "remove",
}


def action_of(word: str) -> str | None:
    """Return the knowledge action a word names ('add', 'list', 'remove'), if any."""
    return ACTIONS.get(word.strip().lower())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a knowledge command did: whether it succeeded, its reply, the entries it touched."""

    ok: bool
    text: str
    entries: tuple[Entry, ...] = ()


class KnowledgeDesk:
    """Adds, lists and removes a teacher's documents, reloading the coach after a change."""

    def __init__(
        self,
        library: Library,
        strings: Callable[[], Strings],
        reload: Callable[[], Awaitable[object]],
    ) -> None:
        self.library = library
        self._strings = strings
        self._reload = reload
        self._lock = asyncio.Lock()  # one change at a time: adds and removals never interleave

    def error_text(self, lang: Language, exc: LibraryError) -> str:
        """Return a failed command's reply: why, and that nothing changed."""
        strings = self._strings()
        values = {"file": "", "slug": "", "suffix": "", "limit": "", **exc.values}
        why = strings.t(lang, f"knowledge.{exc.code}", **values)
        return f"{why} {strings.t(lang, 'knowledge.nothing_changed')}"

    async def add(
        self, files: list[tuple[str, bytes]], lang: Language, title: str | None = None
    ) -> Outcome:
        """Add the files (all or none), reload, and say how many passages each brought."""
        async with self._lock:
            try:
                entries = await asyncio.to_thread(self.library.add, files, title)
            except LibraryError as exc:
                return Outcome(False, self.error_text(lang, exc))
            problem = await self._reloaded()
        strings = self._strings()
        lines = [
            strings.t(lang, "knowledge.added", title=e.title, source=e.source, passages=e.passages)
            for e in entries
        ]
        if problem:
            lines.append(strings.t(lang, "knowledge.reload_failed", problem=problem))
        return Outcome(not problem, "\n".join(lines), tuple(entries))

    async def listing(self, lang: Language) -> Outcome:
        """List the added documents (or say there are none)."""
        entries = await asyncio.to_thread(self.library.entries)
        strings = self._strings()
        if not entries:
            return Outcome(True, strings.t(lang, "knowledge.list_empty"))
        lines = [strings.t(lang, "knowledge.list_title", count=len(entries))]
        for e in entries:
            added = e.added[:10] or "?"
            lines.append(
                strings.t(
                    lang,
                    "knowledge.list_line",
                    slug=e.slug,
                    title=e.title,
                    source=e.source,
                    passages=e.passages,
                    added=added,
                )
            )
        return Outcome(True, "\n".join(lines), tuple(entries))

    async def remove(self, slug: str, lang: Language) -> Outcome:
        """Remove an added document by slug, and reload."""
        async with self._lock:
            try:
                entry = await asyncio.to_thread(self.library.remove, slug)
            except LibraryError as exc:
                return Outcome(False, self.error_text(lang, exc))
            problem = await self._reloaded()
        strings = self._strings()
        text = strings.t(lang, "knowledge.removed", title=entry.title, slug=entry.slug)
        if problem:
            text += "\n" + strings.t(lang, "knowledge.reload_failed", problem=problem)
        return Outcome(not problem, text, (entry,))

    async def _reloaded(self) -> str:
        """Reload the coach; return the problem if the reload failed ('' when it worked)."""
        try:
            await self._reload()
        except DataFileError as exc:
            return str(exc)
        return ""


__all__ = ["ACTIONS", "KnowledgeDesk", "Outcome", "action_of"]
