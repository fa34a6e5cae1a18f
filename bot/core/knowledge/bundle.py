"""Everything loaded from the data files, built once and kept in a disk cache.

`load_all` validates every file (a bad one raises DataFileError naming it), bounds their sizes,
builds the search index, and keeps the result in `cache_dir` keyed by the knowledge files and the
core's own code, so a large knowledge base starts fast and a code change never serves a stale
index.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge.posts import KnowledgeBase, extra_files, load_knowledge
from bot.core.lexicon import Lexicon, load_lexicon
from bot.core.review import Rules, load_rules
from bot.core.review.length import Platforms, load_platforms
from bot.core.search import SearchIndex, build_index
from bot.core.strategy import Steps, load_steps
from bot.core.strings import Strings, load_strings
from bot.errors import DataFileError

log = logging.getLogger(__name__)
CORE = Path(__file__).resolve().parent.parent


@dataclass
class Knowledge:
    """Everything loaded from the data files: posts, search index, word lists, texts."""

    base: KnowledgeBase
    lexicon: Lexicon
    index: SearchIndex
    strings: Strings
    platforms: Platforms
    review_rules: Rules
    steps: Steps


# Bounds on the knowledge folder: a file over the first, or a folder over the second, is refused.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024


def load_all(
    knowledge_dir: Path,
    cache_dir: Path | None = None,
    *,
    extra_dir: Path | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Knowledge:
    """Load and validate every data file; raise DataFileError naming the first bad one.

    With `cache_dir`, the parsed passages and the built index are kept on disk, keyed by the
    content of every knowledge file (and the code's version): a large knowledge base starts
    from the cache, and is rebuilt only when a file changes.
    """
    check_sizes(knowledge_dir, max_file_bytes, max_total_bytes)
    if cache_dir is None:
        return _load_all(knowledge_dir, extra_dir)
    key = _content_key(knowledge_dir, extra_dir)
    path = cache_dir / f"knowledge-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Knowledge):
                return cached
        except Exception as exc:  # a broken cache is rebuilt, never fatal
            log.warning("ignoring the knowledge cache %s: %s", path, exc)
    knowledge = _load_all(knowledge_dir, extra_dir)
    _write_cache(cache_dir, path, pickle.dumps(knowledge, protocol=pickle.HIGHEST_PROTOCOL))
    return knowledge


# The cache is a convenience: it is written only while this much disk stays free after it, so
# it can never take the last room the database needs.
CACHE_DISK_RESERVE = 100 * 1024 * 1024


def _write_cache(cache_dir: Path, path: Path, data: bytes) -> None:
    """Write the cache file atomically, or log one line and go on from memory."""
    partial: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(cache_dir).free
        if free < len(data) + CACHE_DISK_RESERVE:
            log.warning(
                "not writing the knowledge cache: %d MB free in %s, running from memory",
                free // 1_000_000,
                cache_dir,
            )
            return
        for old in cache_dir.glob("knowledge-*.pickle"):
            old.unlink(missing_ok=True)
        # A name of its own per process: several coaches may start at once on one folder.
        handle, name = tempfile.mkstemp(dir=cache_dir, prefix=".knowledge-", suffix=".tmp")
        partial = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        partial.replace(path)
        partial = None
    except OSError as exc:
        log.warning("could not write the knowledge cache %s (running from memory): %s", path, exc)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def check_sizes(knowledge_dir: Path, max_file_bytes: int, max_total_bytes: int) -> None:
    """Raise DataFileError for a file over `max_file_bytes` or a folder over `max_total_bytes`."""
    total = 0
    for file in sorted(p for p in knowledge_dir.rglob("*") if p.is_file()):
        size = file.stat().st_size
        if size > max_file_bytes:
            raise DataFileError(
                file,
                None,
                f"the file has {megabytes(size)}, over the limit of {megabytes(max_file_bytes)} "
                "per knowledge file (COACH_KNOWLEDGE_MAX_BYTES)",
            )
        total += size
        if total > max_total_bytes:
            raise DataFileError(
                knowledge_dir,
                None,
                f"the knowledge folder holds over {megabytes(max_total_bytes)} "
                f"(COACH_KNOWLEDGE_MAX_TOTAL_BYTES); {file.name} is past the limit",
            )


def megabytes(size: int) -> str:
    """Return a size as people read it: MB from one megabyte up, bytes below."""
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def code_files() -> list[Path]:
    """Return the files whose content shapes what is cached: the core's code and its texts.

    Every module under `bot/core` counts, not a hand-kept list: a changed threshold in search,
    a new field in a step or a new text rebuilds the cache without anyone remembering to.
    """
    return sorted(p for p in CORE.rglob("*") if p.suffix in (".py", ".toml") and p.is_file())


def _content_key(knowledge_dir: Path, extra_dir: Path | None = None) -> str:
    """Return a hash of every knowledge file (names and bytes), the added documents and the code."""
    digest = hashlib.sha256()
    for file in sorted(p for p in knowledge_dir.rglob("*") if p.is_file()):
        digest.update(file.relative_to(knowledge_dir).as_posix().encode())
        digest.update(file.read_bytes())
    for file in extra_files(extra_dir):
        digest.update(b"extra:" + file.name.encode())
        digest.update(file.read_bytes())
    for file in code_files():
        digest.update(file.relative_to(CORE).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:24]


def _load_all(knowledge_dir: Path, extra_dir: Path | None = None) -> Knowledge:
    base = load_knowledge(knowledge_dir, extra_dir)
    lexicon = load_lexicon(knowledge_dir)
    steps = load_steps(knowledge_dir, base)
    return Knowledge(
        base=base,
        lexicon=lexicon,
        index=build_index(base, lexicon),
        strings=load_strings(),
        platforms=load_platforms(knowledge_dir),
        review_rules=load_rules(knowledge_dir),
        steps=steps,
    )


__all__ = [
    "CACHE_DISK_RESERVE",
    "Knowledge",
    "check_sizes",
    "code_files",
    "load_all",
    "megabytes",
]
