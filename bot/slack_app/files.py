"""Files a teacher shares with `!knowledge add`: fetched from Slack with the bot token."""

from __future__ import annotations

from typing import Any

import httpx

from bot.core.knowledge.bundle import megabytes
from bot.core.knowledge.desk import KnowledgeDesk
from bot.core.knowledge.library import LibraryError
from bot.core.language import Language

DOWNLOAD_SECONDS = 30.0


async def download(
    files: list[dict[str, Any]], token: str, limit: int, desk: KnowledgeDesk, lang: Language
) -> list[tuple[str, bytes]] | str:
    """Fetch the files a message shared (none over `limit`); return them, or why not.

    A file Slack says is too large is never downloaded; one that turns out larger is dropped.
    """
    out: list[tuple[str, bytes]] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=DOWNLOAD_SECONDS, follow_redirects=True) as http:
        for file in files:
            name = str(file.get("name") or "file")
            too_big = LibraryError("too_big", file=name, limit=megabytes(limit))
            if int(file.get("size") or 0) > limit:
                return desk.error_text(lang, too_big)
            url = file.get("url_private_download") or file.get("url_private")
            try:
                response = await http.get(str(url), headers=headers)
                response.raise_for_status()
            except (httpx.HTTPError, ValueError):
                return desk.error_text(lang, LibraryError("unreadable", file=name))
            if len(response.content) > limit:
                return desk.error_text(lang, too_big)
            out.append((name, response.content))
    return out


__all__ = ["download"]
