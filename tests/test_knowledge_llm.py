"""The grounded LLM path over a teacher's added documents: the model is given the passages the
retrievers found (an English question about a Norwegian document included), and the answer cites
the file and its page. The model is tests/openai_fake.py on loopback; the coach a child process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT
from tests.docfiles import make_file
from tests.openai_fake import FakeOpenAI
from tests.test_llm_e2e import (
    AskPrompt,
    as_json,
    ask_only,
    coach_env,
    fake,  # noqa: F401 - the fixture
    run_coach,
    run_json,
    the_ask_request,
)

CASE = "Case - Fjordbakst AS.docx"
DECK = "Forelesning 4 - TikTok og YouTube Shorts.pptx"


def add_tune_documents(tmp_path: Path, env: dict[str, str]) -> None:
    """Add two of the tune set's Norwegian documents, as a teacher would."""
    data = yaml.safe_load((ROOT / "tests/data/knowledge_docs_tune.yaml").read_text("utf-8"))
    paths = []
    for doc in data["documents"]:
        if doc["file"] in (CASE, DECK):
            pages = [(p["title"], p["text"], p.get("notes") or "") for p in doc["pages"]]
            made = make_file(tmp_path / doc["file"], pages, title=Path(doc["file"]).stem)
            paths.append(str(made))
    added = run_coach(env, "knowledge", "add", *paths)
    assert added.returncode == 0, added.stderr


def citing(phrase: str, sentence: str) -> Any:
    def answer(prompt: AskPrompt, request: dict[str, Any]) -> str:
        n = prompt.cite_for(phrase)
        if n is None:
            return as_json([])  # nothing to cite: the test's assertion on the prompt fails first
        return as_json([(sentence, n)])

    return ask_only(answer)


def test_a_norwegian_question_about_an_added_case_is_answered_by_the_model_from_that_file(
    fake: FakeOpenAI,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = coach_env(tmp_path, fake, COACH_EXTRA_KNOWLEDGE_DIR=str(tmp_path / "egne"))
    add_tune_documents(tmp_path, env)
    fake.script = citing("tre videoer i uka", "Fjordbakst la ut tre videoer i uka.")
    data, _ = run_json(
        env, "ask", "--json", "Hvor ofte la Fjordbakst ut videoer med den nye strategien?"
    )
    assert the_ask_request(fake).cite_for("tre videoer i uka") is not None
    assert data["engine"] == "llm", data.get("fallback_reason")
    assert data["sources"][0]["source"] == CASE


def test_an_english_question_about_a_norwegian_case_gives_the_model_its_passage(
    fake: FakeOpenAI,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The retrievers cross the languages for the model too. Its English paraphrase of the
    Norwegian passage is checked through the glossary, which does not hold this document's
    words: the check refuses it, and the offline reply answers from the same file instead."""
    env = coach_env(tmp_path, fake, COACH_EXTRA_KNOWLEDGE_DIR=str(tmp_path / "egne"))
    add_tune_documents(tmp_path, env)
    fake.script = citing(
        "tre videoer i uka", "Fjordbakst posted three videos a week, on Mondays and Fridays."
    )
    question = "How many times a week did Fjordbakst post under the new strategy?"
    data, _ = run_json(env, "ask", "--json", question)
    assert the_ask_request(fake).cite_for("tre videoer i uka") is not None
    assert data["language"] == "en" and data["answered"] is True
    assert (data["engine"], data["fallback_reason"]) == ("offline", "unsupported")
    assert data["sources"][0]["source"] == CASE
