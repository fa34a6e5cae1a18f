"""The knowledge cache is read when current, and keyed by the code that builds it (issue 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.knowledge import bundle
from bot.core.knowledge.bundle import code_files, load_all
from tests.conftest import KNOWLEDGE


def _refuse_to_build(knowledge_dir: Path) -> bundle.Knowledge:
    raise AssertionError("the knowledge was built again instead of read from the cache")


def test_a_current_cache_is_read_and_the_data_files_are_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_all(KNOWLEDGE, cache)
    monkeypatch.setattr(bundle, "_load_all", _refuse_to_build)
    again = load_all(KNOWLEDGE, cache)  # would raise if the cache were bypassed
    assert [p.text for p in again.base.passages] == [p.text for p in first.base.passages]


def test_a_change_to_a_module_that_builds_the_index_rebuilds_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = tmp_path / "core"
    shutil.copytree(bundle.CORE, core, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(bundle, "CORE", core)
    cache = tmp_path / "cache"
    load_all(KNOWLEDGE, cache)
    before = {p.name for p in cache.glob("knowledge-*.pickle")}
    search = core / "search.py"
    search.write_text(search.read_text(encoding="utf-8") + "\n# a changed threshold\n", "utf-8")
    built: list[Path] = []
    real = bundle._load_all

    def counting(knowledge_dir: Path, extra_dir: Path | None = None) -> bundle.Knowledge:
        built.append(knowledge_dir)
        return real(knowledge_dir, extra_dir)

    monkeypatch.setattr(bundle, "_load_all", counting)
    load_all(KNOWLEDGE, cache)
    assert built == [KNOWLEDGE]  # rebuilt, not served from the old file
    after = {p.name for p in cache.glob("knowledge-*.pickle")}
    assert after and after != before


def test_the_key_covers_every_core_module_and_the_texts() -> None:
    names = {p.relative_to(bundle.CORE).as_posix() for p in code_files()}
    for module in ("search.py", "text.py", "lexicon.py", "knowledge/posts.py", "locales/nb.toml"):
        assert module in names
