"""Course knowledge: Markdown posts with front matter, split into passages that keep their place.

A post file is `knowledge/posts/*.md`: a YAML front matter block (title, slug, topics) and the
post's text word for word. Adding a file adds knowledge; a bad file stops start-up naming the file
and line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.core.datafiles import parse_yaml, read_text, validate
from bot.core.text import clean
from bot.errors import DataFileError

log = logging.getLogger(__name__)
POSTS_DIR = "posts"
_SLUG = r"^[a-z0-9][a-z0-9-]*$"
_HEADING_MAX = 90


class PostMeta(BaseModel):
    """The front matter of a post file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    slug: str = Field(pattern=_SLUG)
    topics: list[str] = Field(min_length=1)
    topics_en: list[str] = Field(default_factory=list)
    # A teacher's added document (`knowledge add`): its file's name, when, its content hash, and
    # where each page or slide starts (`line` counts from the body's first line, 1).
    source: str | None = None
    added: str | None = None
    sha256: str | None = None
    anchors: list[Anchor] = Field(default_factory=list)


class Anchor(BaseModel):
    """Where a page or slide of an added document starts in the post's body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    location: str = Field(min_length=1, max_length=40)  # "side 4", "slide 3"
    line: int = Field(ge=1)


PostMeta.model_rebuild()


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph of a post, with its post, position and place in the file."""

    id: int
    slug: str
    title: str
    path: str
    position: int
    heading: str
    text: str
    start: int
    line: int
    location: str | None = None  # the page or slide of an added document ("side 4")


@dataclass(frozen=True, slots=True)
class Post:
    """A course post: its front matter, its body word for word, and its passages."""

    meta: PostMeta
    path: str
    body: str
    passages: tuple[Passage, ...] = field(default=())

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    def topics(self, language: str) -> list[str]:
        """Return the post's topics in `language`, falling back to Norwegian."""
        if language == "en" and self.meta.topics_en:
            return self.meta.topics_en
        return self.meta.topics


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """All posts and their passages, in file order; passage ids index `passages`."""

    posts: tuple[Post, ...]
    passages: tuple[Passage, ...]

    def post(self, slug: str) -> Post:
        """Return the post with `slug`."""
        for post in self.posts:
            if post.slug == slug:
                return post
        raise KeyError(slug)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Split a post file into (front matter, body, first line of the front matter's content)."""
    if not text.startswith("---\n"):
        raise DataFileError(path, 1, "a post file must start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise DataFileError(path, 1, "the front matter is not closed by a '---' line")
    return text[4 : end + 1], text[end + 5 :], 2


def _plain(line: str) -> str:
    return " ".join(clean(line).lstrip("#").split())


def split_passages(
    body: str, meta: PostMeta, path: str, first_id: int, body_line: int
) -> list[Passage]:
    """Split a body into passages: one per paragraph line, sub-headings kept as context."""
    lines = body.split("\n")
    anchors = sorted(meta.anchors, key=lambda a: a.line)
    passages: list[Passage] = []
    heading = ""
    offset = 0
    for number, raw in enumerate(lines):
        start = offset
        offset += len(raw) + 1
        text = raw.strip()
        if not text:
            continue
        if not passages and not heading and _plain(text) == _plain(meta.title):
            continue  # the title line that opens the post
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        is_heading = text.startswith("#") or (
            len(text) <= _HEADING_MAX and following and not re.search(r"[.!?:]\s*$", text)
        )
        if is_heading:
            heading = _plain(text)
            continue
        lead = len(raw) - len(raw.lstrip())
        place = [a.location for a in anchors if a.line <= number + 1]
        passages.append(
            Passage(
                id=first_id + len(passages),
                slug=meta.slug,
                title=meta.title,
                path=path,
                position=len(passages),
                heading=heading,
                text=text,
                start=start + lead,
                line=body_line + number,
                location=place[-1] if place else None,
            )
        )
    return passages


def load_post(file: Path, root: Path, first_id: int) -> Post:
    """Load and validate one post file."""
    text = read_text(file)
    front, body, first_line = split_front_matter(text, file)
    data = parse_yaml(front, file, first_line)
    if not isinstance(data, dict):
        raise DataFileError(file, first_line, "the front matter must be a mapping of fields")
    meta = validate(PostMeta, data, file, front, first_line)
    if not body.strip():
        raise DataFileError(file, front.count("\n") + 3, "the post has no text")
    rel = _relative(file, root)
    body_line = front.count("\n") + 3
    passages = split_passages(body, meta, rel, first_id, body_line)
    if not passages:
        raise DataFileError(file, body_line, "the post has no paragraph of text")
    return Post(meta=meta, path=rel, body=body, passages=tuple(passages))


def _relative(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def load_knowledge(knowledge_dir: Path, extra_dir: Path | None = None) -> KnowledgeBase:
    """Load every post under `knowledge_dir/posts`, validating each; raise on the first bad one.

    Then the documents a teacher added (`extra_dir/*.md`): one that is broken, or whose slug a
    post already has, is left out with a warning, so the course itself always loads.
    """
    folder = knowledge_dir / POSTS_DIR
    files = sorted(folder.glob("*.md"))
    if not files:
        raise DataFileError(folder, None, "no post files (*.md) found")
    root = knowledge_dir.resolve().parent
    posts: list[Post] = []
    passages: list[Passage] = []
    seen: dict[str, Path] = {}
    for file in files:
        post = load_post(file, root, len(passages))
        if post.slug in seen:
            raise DataFileError(file, 3, f"slug '{post.slug}' is already used by {seen[post.slug]}")
        seen[post.slug] = file
        posts.append(post)
        passages.extend(post.passages)
    for file in extra_files(extra_dir):
        try:
            post = load_post(file, file.resolve().parent.parent, len(passages))
        except DataFileError as exc:
            log.warning("leaving out an added document: %s", exc)
            continue
        if post.slug in seen:
            log.warning("leaving out %s: slug '%s' is used by %s", file, post.slug, seen[post.slug])
            continue
        seen[post.slug] = file
        posts.append(post)
        passages.extend(post.passages)
    return KnowledgeBase(posts=tuple(posts), passages=tuple(passages))


def extra_files(extra_dir: Path | None) -> list[Path]:
    """Return the added documents' files, in name order (none when there is no folder)."""
    if extra_dir is None or not extra_dir.is_dir():
        return []
    return sorted(p for p in extra_dir.glob("*.md") if p.is_file())


__all__ = [
    "Anchor",
    "KnowledgeBase",
    "Passage",
    "Post",
    "PostMeta",
    "extra_files",
    "load_knowledge",
    "split_passages",
]
