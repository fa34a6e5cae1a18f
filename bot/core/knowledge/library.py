"""The teacher's own course material: files converted to Markdown posts in one folder.

`Library(folder, knowledge_dir, max_bytes)` adds files (all of them or none), lists and removes
what was added. Each added file becomes `<slug>.md` with front matter (title, slug, topics, the
source file's name, when it was added, its content hash, and where each page or slide starts),
written to a temporary file, validated as a post and then renamed into place, so a failed add
never leaves a partial file. Nothing here loads the search index: the caller reloads the coach.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

import yaml

from bot.core.knowledge.bundle import megabytes
from bot.core.knowledge.convert import ConversionError, Document, convert
from bot.core.knowledge.posts import Post, extra_files, load_knowledge, load_post
from bot.errors import DataFileError

# Bullet lines of a slide are joined into paragraphs of about this many words, each bullet a
# sentence, so a slide is one or two passages rather than a passage per three-word line.
_PARAGRAPH_WORDS = 80
_SHORT_LINE_WORDS = 14
_SLUG_CHARS = 60
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss"})
LOCATION_WORDS = {"page": "side", "slide": "slide"}


class LibraryError(ConversionError):
    """An add or removal that did not happen: `code` names why, `values` fill its message."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One added document, as `knowledge list` shows it."""

    slug: str
    title: str
    source: str
    passages: int
    added: str

    def to_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "source": self.source,
            "passages": self.passages,
            "added": self.added,
        }


def slugify(text: str) -> str:
    """Return a post slug for a title: lower case ASCII words joined by '-' ('dokument' if none)."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:_SLUG_CHARS].strip("-")
    return slug or "dokument"


def _sentence(line: str) -> str:
    """Give a bullet line a full stop, so a quote ends where the bullet does."""
    line = line.strip()
    return line if re.search(r"[.!?:;…]\W*$", line) else f"{line}."


def paragraphs(lines: tuple[str, ...]) -> list[str]:
    """Join a section's short lines (bullets) into paragraphs; keep long ones as they are."""
    out: list[str] = []
    group: list[str] = []
    for line in lines:
        text = " ".join(line.split())
        text = re.sub(r"^(?:[-•▪◦●*–]\s+)", "", text)
        if not text:
            continue
        if len(text.split()) >= _SHORT_LINE_WORDS and not group:
            out.append(text)
            continue
        group.append(_sentence(text))
        if sum(len(g.split()) for g in group) >= _PARAGRAPH_WORDS:
            out.append(" ".join(group))
            group = []
    if group:
        out.append(" ".join(group))
    return out


def render(document: Document, title: str) -> tuple[str, list[dict[str, object]]]:
    """Return a post body for a document, and the anchors of its pages or slides."""
    lines = [f"# {title}", ""]
    anchors: list[dict[str, object]] = []
    for index, section in enumerate(document.sections, start=1):
        number = section.number or index
        if document.kind is not None:
            word = LOCATION_WORDS[document.kind]
            anchors.append({"location": f"{word} {number}", "line": len(lines) + 1})
        heading = " ".join(section.heading.split())
        if heading:
            lines.append(f"## {heading}")
        for paragraph in paragraphs(section.paragraphs):
            lines += [paragraph, ""]
        if lines[-1] != "":
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n", anchors


class Library:
    """The folder of added documents, next to the bundled course in `knowledge_dir`."""

    def __init__(self, folder: Path, knowledge_dir: Path, max_bytes: int) -> None:
        self.folder = folder
        self.knowledge_dir = knowledge_dir
        self.max_bytes = max_bytes

    def _bundled(self) -> set[str]:
        return {post.slug for post in load_knowledge(self.knowledge_dir).posts}

    def _added(self) -> list[tuple[Path, Post]]:
        posts = []
        for file in extra_files(self.folder):
            with contextlib.suppress(DataFileError):
                posts.append((file, load_post(file, self.folder, 0)))
        return posts

    def entries(self) -> list[Entry]:
        """Return every added document, in slug order."""
        return sorted((_entry(file, post) for file, post in self._added()), key=lambda e: e.slug)

    def add(self, files: list[tuple[str, bytes]], title: str | None = None) -> list[Entry]:
        """Convert and store every file, or none: the first bad file raises LibraryError.

        The error's `file` value names the file; nothing is written unless all convert.
        """
        if not files:
            raise LibraryError("no_files")
        if title is not None and len(files) > 1:
            raise LibraryError("title_one_file")
        bundled = self._bundled()
        added = {post.slug: post for _, post in self._added()}
        hashes = {post.meta.sha256: post.slug for post in added.values() if post.meta.sha256}
        planned: list[tuple[str, str, bytes, Document, str]] = []
        for name, data in files:
            name = PurePath(name).name
            if len(data) > self.max_bytes:
                raise LibraryError("too_big", file=name, limit=megabytes(self.max_bytes))
            digest = hashlib.sha256(data).hexdigest()
            if digest in hashes:
                raise LibraryError("duplicate", file=name, slug=hashes[digest])
            try:
                document = convert(name, data)
            except ConversionError as exc:
                raise LibraryError(exc.code, file=name, **exc.values) from exc
            shown = " ".join((title or document.title or PurePath(name).stem).split())[:200]
            slug = slugify(shown)
            if slug in bundled:
                raise LibraryError("slug_bundled", file=name, slug=slug)
            sources = {s: post.meta.source for s, post in added.items()}
            sources.update({p[0]: p[1] for p in planned})
            if sources.get(slug) == name:  # the same file again, changed: remove it first
                raise LibraryError("slug_taken", file=name, slug=slug)
            slug = _free(slug, set(sources) | bundled)
            hashes[digest] = slug
            planned.append((slug, name, data, document, shown))
        self.folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        entries: list[Entry] = []
        try:
            for slug, name, data, document, shown in planned:
                path, post = self._write(slug, name, data, document, shown)
                written.append(path)
                entries.append(_entry(path, post))
        except BaseException:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        return entries

    def _write(
        self, slug: str, name: str, data: bytes, document: Document, title: str
    ) -> tuple[Path, Post]:
        body, anchors = render(document, title)
        meta = {
            "title": title,
            "slug": slug,
            "topics": [title],
            "source": name,
            "added": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "sha256": hashlib.sha256(data).hexdigest(),
            "anchors": anchors,
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        tmp = self.folder / f".tmp-{slug}-{os.getpid()}.part"
        final = self.folder / f"{slug}.md"
        try:
            tmp.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
            try:
                post = load_post(tmp, self.folder, 0)
            except DataFileError as exc:
                raise LibraryError("empty", file=name) from exc
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return final, post

    def remove(self, slug: str) -> Entry:
        """Delete an added document by its slug; raise LibraryError when there is none."""
        slug = slug.strip()
        for file, post in self._added():
            if post.slug == slug:
                file.unlink()
                return _entry(file, post)
        if slug in self._bundled():
            raise LibraryError("bundled", slug=slug)
        raise LibraryError("not_found", slug=slug)


def _free(slug: str, taken: set[str]) -> str:
    """Return `slug`, or `slug-2`, `slug-3`, ... when another file's document has it."""
    number = 1
    candidate = slug
    while candidate in taken:
        number += 1
        candidate = f"{slug[: _SLUG_CHARS - 4]}-{number}"
    return candidate


def _entry(file: Path, post: Post) -> Entry:
    source = post.meta.source or file.name
    return Entry(post.slug, post.title, source, len(post.passages), post.meta.added or "")


__all__ = [
    "Entry",
    "Library",
    "LibraryError",
    "paragraphs",
    "render",
    "slugify",
]
