"""The knowledge files: word for word the course text, validated, split into located passages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.knowledge.bundle import Knowledge, load_all
from bot.errors import DataFileError
from tests.conftest import KNOWLEDGE, SHARED_COURSE

COURSE_COPY = KNOWLEDGE / "course" / "000_ff2d7d7651cb2103.txt"


def bodies() -> str:
    return "".join(post.body for post in load_knowledge(KNOWLEDGE).posts)


def test_the_seven_bodies_reproduce_the_course_text_exactly() -> None:
    kb = load_knowledge(KNOWLEDGE)
    assert len(kb.posts) == 7
    assert bodies() == COURSE_COPY.read_text(encoding="utf-8")


def test_the_bodies_match_the_shared_course_text_where_it_is_present() -> None:
    if not SHARED_COURSE.exists():
        pytest.skip(f"{SHARED_COURSE} is absent here; the in-repo copy is checked above")
    assert bodies() == SHARED_COURSE.read_text(encoding="utf-8")


def test_titles_are_plain_and_open_each_body() -> None:
    for post in load_knowledge(KNOWLEDGE).posts:
        assert "\u00a0" not in post.title
        first_line = post.body.split("\n", 1)[0]
        assert " ".join(first_line.replace("\u00a0", " ").split()) == post.title


def test_every_post_has_topics_in_both_languages() -> None:
    for post in load_knowledge(KNOWLEDGE).posts:
        assert post.meta.topics
        assert len(post.meta.topics_en) == len(post.meta.topics), post.path


def test_passages_keep_their_post_position_and_text(knowledge: Knowledge) -> None:
    kb = knowledge.base
    for post in kb.posts:
        for position, passage in enumerate(post.passages):
            assert passage.slug == post.slug
            assert passage.position == position
            assert passage.path == post.path
            assert post.body[passage.start : passage.start + len(passage.text)] == passage.text
            lines = (KNOWLEDGE.parent / post.path).read_text(encoding="utf-8").split("\n")
            assert lines[passage.line - 1].strip() == passage.text
    assert [p.id for p in kb.passages] == list(range(len(kb.passages)))


def test_sub_headings_are_context_not_passages(knowledge: Knowledge) -> None:
    twitter = knowledge.base.post("twitter")
    assert all(p.text != "Brukere" for p in twitter.passages)
    assert any(p.heading == "Brukere" for p in twitter.passages)
    assert any(p.heading == "Tweets og direktemeldinger" for p in twitter.passages)


def test_paths_are_relative_to_the_repo_root(knowledge: Knowledge) -> None:
    for post in knowledge.base.posts:
        assert post.path.startswith("knowledge/posts/")
        assert (KNOWLEDGE.parent / post.path).is_file()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def test_adding_a_markdown_file_adds_knowledge(copy: Path) -> None:
    (copy / "posts" / "8-hashtags.md").write_text(
        "---\ntitle: Emneknagger\nslug: emneknagger\ntopics: [emneknagger]\n---\n"
        "Emneknagger samler samtaler om et tema. Bruk en eller to per melding.\n",
        encoding="utf-8",
    )
    loaded = load_all(copy)
    assert len(loaded.base.posts) == 8
    hits = loaded.index.search("Hvor mange emneknagger bør jeg bruke?")
    assert hits[0].passage.slug == "emneknagger"


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("no front matter\n", 1, "front matter"),
        ("---\ntitle: X\nslug: x\n", 1, "not closed"),
        ("---\ntitle: [unclosed\nslug: x\ntopics: [a]\n---\nText.\n", 3, "invalid YAML"),
        ("---\ntitle: X\nslug: Bad Slug\ntopics: [a]\n---\nText.\n", 3, "slug"),
        ("---\ntitle: X\nslug: x\ntopics: []\n---\nText.\n", 4, "topics"),
        ("---\ntitle: X\nslug: x\ntopics: [a]\ncolour: red\n---\nText.\n", 5, "colour"),
        ("---\ntitle: X\nslug: x\ntopics: [a]\n---\n\n\n", 6, "no text"),
    ],
)
def test_a_bad_post_file_names_the_file_and_line(
    copy: Path, content: str, line: int, fragment: str
) -> None:
    bad = copy / "posts" / "9-bad.md"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_knowledge(copy)
    assert caught.value.path == bad
    assert caught.value.line == line
    assert fragment in str(caught.value)
    assert f"9-bad.md:{line}:" in str(caught.value)


def test_a_duplicate_slug_is_refused(copy: Path) -> None:
    (copy / "posts" / "9-dup.md").write_text(
        "---\ntitle: Kopi\nslug: twitter\ntopics: [a]\n---\nTekst her.\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="already used"):
        load_knowledge(copy)


def test_a_file_that_is_not_utf8_is_refused(copy: Path) -> None:
    (copy / "posts" / "9-latin1.md").write_bytes("---\ntitle: Bl\xe5\n".encode("latin-1"))
    with pytest.raises(DataFileError, match="UTF-8"):
        load_knowledge(copy)


def test_a_bad_lexicon_stops_loading_with_its_line(copy: Path) -> None:
    text = (copy / "lexicon.yaml").read_text(encoding="utf-8")
    (copy / "lexicon.yaml").write_text(text.replace("stopwords:", "stopwordz:"), "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_all(copy)
    assert caught.value.path.name == "lexicon.yaml"
    assert caught.value.line is not None


def test_every_bundled_data_file_loads() -> None:
    loaded = load_all(KNOWLEDGE)
    lexicon = loaded.lexicon
    assert len(lexicon.glossary.entries) > 1000
    assert len(lexicon.synonyms.entries) > 1000
    assert len(lexicon.common) > 5000
    assert lexicon.stop_nb and lexicon.stop_en
    assert {"count", "measure", "frequency", "time"} <= lexicon.answer_types.keys()
    assert loaded.strings.has("ask.intro")


def test_word_list_targets_are_words_of_the_course(knowledge: Knowledge) -> None:
    """Every glossary and synonym target must reach the index, or it would silently do nothing."""
    lexicon = knowledge.lexicon
    for table in (lexicon.glossary, lexicon.synonyms):
        for key, targets in table.entries.items():
            reached = [t for t in targets if knowledge.index.match_word(t).terms]
            assert reached, (key, targets)


def test_off_topic_words_stay_out_of_the_word_lists(knowledge: Knowledge) -> None:
    lexicon = knowledge.lexicon
    for word in ["pris", "koster", "rente", "annonse", "algoritme", "price", "cost", "ads"]:
        assert not lexicon.is_common(word), word
        assert word not in lexicon.synonyms and word not in lexicon.glossary, word


def test_a_bad_glossary_entry_names_its_line(copy: Path) -> None:
    path = copy / "glossary.yaml"
    path.write_text(path.read_text("utf-8") + "broken entry: not-a-list\n", "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_all(copy)
    assert caught.value.path.name == "glossary.yaml"
    assert caught.value.line is not None


@pytest.mark.slow
def test_the_knowledge_cache_is_used_and_rebuilt_when_a_file_changes(
    copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = load_all(copy, cache)
    files = list(cache.glob("knowledge-*.pickle"))
    assert len(files) == 1
    again = load_all(copy, cache)
    assert [p.text for p in again.base.passages] == [p.text for p in first.base.passages]
    assert again.index.search("Hva er åpenhet?")[0].passage.slug == "forventingsfaktorer"
    (copy / "posts" / "8-ny.md").write_text(
        "---\ntitle: Ny\nslug: ny\ntopics: [ny]\n---\nEmneknagger samler samtaler.\n", "utf-8"
    )
    changed = load_all(copy, cache)
    assert len(changed.base.posts) == 8
    assert list(cache.glob("knowledge-*.pickle")) != files  # rebuilt under a new key


@pytest.mark.slow
def test_a_broken_cache_file_is_rebuilt(copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_all(copy, cache)
    for file in cache.glob("knowledge-*.pickle"):
        file.write_bytes(b"not a pickle")
    assert len(load_all(copy, cache).base.posts) == 7
