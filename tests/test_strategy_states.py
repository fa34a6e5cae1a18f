"""Each answered step has a state (issue 15, points 8 and 11), in both languages."""

from __future__ import annotations

import re

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach, Context
from bot.core.strategy.feedback import feedback
from bot.store import open_store


@pytest.fixture
async def walk(knowledge: Knowledge, tmp_path):  # type: ignore[no-untyped-def]
    """A coach over a fresh SQLite file, closed after the test."""
    store = await open_store(tmp_path / "s.db")
    yield Coach(knowledge, store=store)


STATES = [
    # (step, answer, state)
    ("goals", "vi skal bli store på sosiale medier", "needs_work"),
    ("goals", "we want to become big on social media", "needs_work"),
    ("goals", "Vi vil ha 500 følgere på Instagram innen juni 2027.", "good"),
    ("goals", "We want 500 followers on Instagram by June 2027.", "good"),
    ("goals", "Pizza med ananas er det beste som finnes i hele verden.", "off_topic"),
    ("goals", "My favourite football team won the cup final last night.", "off_topic"),
    ("goals", "asdfghjkl", "unclear"),
    ("goals", "jjjjjjj kkkkkk", "unclear"),
    ("goals", "mål", "unclear"),
    ("goals", "vet ikke", "unclear"),
    ("goals", "idk", "unclear"),
    ("company", "Vi fikser sykler.", "needs_work"),
    ("company", "We fix bikes.", "needs_work"),
]


@pytest.mark.parametrize(("step", "text", "state"), STATES)
def test_an_answer_gets_its_state(knowledge: Knowledge, step: str, text: str, state: str) -> None:
    lang = "en" if re.search(r"\b(we|my|the|idk)\b", text) else "nb"
    assert feedback(knowledge.steps, step, text, lang, None).state == state  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["fuck off", "Dette er dritt, dere er noen idioter"])
async def test_insults_are_abusive_and_kept_but_not_done(walk: Coach, text: str) -> None:
    coach = walk
    ctx = Context(user_id=5)
    await coach.run_strategy("start Bakeriet", ctx)
    result = await coach.run_strategy(f"answer {text}", ctx)
    assert result.assessment is not None and result.assessment.state == "abusive"
    assert result.states == {"company": "abusive"}
    assert result.strategy is not None and result.strategy.answers["company"].text == text


async def test_status_counts_only_good_steps_and_shows_the_others(walk: Coach) -> None:
    coach = walk
    ctx = Context(user_id=6)
    await coach.run_strategy("start Bakeriet", ctx)
    await coach.run_strategy("answer Vi baker brød.", ctx)  # short: needs work
    await coach.run_strategy("next", ctx)
    good = "Vi vil ha 500 følgere på Instagram innen juni 2027."
    answered = await coach.run_strategy(f"answer {good}", ctx)
    assert answered.assessment is not None and answered.assessment.state == "good"
    assert answered.assessment.missing == ()
    status = await coach.run_strategy("status", ctx)
    assert status.states == {"company": "needs_work", "goals": "good"}
    text = status.reply.text
    assert "1/10" in text and "trenger arbeid" in text


async def test_the_class_view_counts_good_steps_and_names_the_others(walk: Coach) -> None:
    coach = walk
    import csv
    import io

    student = Context(user_id=8, display_name="Kari")
    await coach.run_strategy("start Bakeriet", student)
    await coach.run_strategy("answer Vi baker brød.", student)
    teacher = Context(user_id=9, is_teacher=True)
    view = await coach.run_strategy("class", teacher)
    assert "0/10" in view.reply.text and "trenger arbeid: company" in view.reply.text
    exported = await coach.run_strategy("class export", teacher)
    rows = list(csv.DictReader(io.StringIO(exported.reply.attachments[0].content)))
    assert rows[0]["good"] == "0" and rows[0]["needs_work"] == "company"


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Vi vil bli større innen 2027.", ("figure",)),  # a year alone is no figure
        ("We want to grow by 2027.", ("figure",)),
        ("Vi vil ha 500 følgere innen juni 2024.", ("time_frame",)),  # a deadline passed
        ("We want 500 followers by June 2024.", ("time_frame",)),
    ],
)
def test_a_year_is_no_figure_and_a_past_deadline_is_pointed_out(
    knowledge: Knowledge, text: str, missing: tuple[str, ...]
) -> None:
    lang = "en" if text.startswith("We") else "nb"
    result = feedback(knowledge.steps, "goals", text, lang, None)  # type: ignore[arg-type]
    assert result.state == "needs_work" and result.missing == missing
    if missing == ("time_frame",):
        assert "2024" in result.hints[0]


async def test_a_step_fits_a_phone_and_show_gives_the_full_text(walk: Coach) -> None:
    coach = walk
    ctx = Context(user_id=10)
    await coach.run_strategy("start Bakeriet", ctx)
    for key in ("goals", "norms", "channels"):
        short = (await coach.run_strategy(f"goto {key}", ctx)).reply.text
        full = (await coach.run_strategy(f"show {key}", ctx)).reply.text
        assert len([line for line in short.splitlines() if line.strip()]) <= 14, short
        assert len(full) > len(short)
        example = "Eksempel" if "Eksempel" in full else "eksempel"
        assert example in full and example not in short


async def test_the_export_labels_the_banks_quotes_as_the_courses_example(walk: Coach) -> None:
    coach = walk
    ctx = Context(user_id=11)
    await coach.run_strategy("start Bakeriet", ctx)
    await coach.run_strategy(
        "answer Bakeriet er et bakeri i Bodø som selger brød, passivt i dag.", ctx
    )
    plan = (await coach.run_strategy("export", ctx)).reply.attachments[0].content
    assert "Bakeriet er et bakeri i Bodø som selger brød, passivt i dag." in plan
    bank_lines = [line for line in plan.splitlines() if "Elegantè" in line and line.startswith(">")]
    assert bank_lines and all("Kursets eksempel" in line for line in bank_lines)


@pytest.mark.parametrize(
    ("lang", "answers"),
    [
        ("nb", ["Været var fint i helga, vi gikk en lang tur i skogen.", "asdfghjkl", "Vi ba"]),
        ("en", ["The weather was lovely, we went on a long walk in the woods.", "qwrtzp", "We b"]),
    ],
)
async def test_no_feedback_sentence_repeats_across_steps(
    walk: Coach, lang: str, answers: list[str]
) -> None:
    """The same off-topic, unclear or short answer on three steps: no reply sentence repeats."""
    coach = Coach(walk.knowledge, language=lang, store=walk.store)
    ctx = Context(user_id=11)
    await coach.run_strategy("start Bakeriet", ctx)
    seen: dict[str, int] = {}
    for step in (2, 4, 6):
        await coach.run_strategy(f"goto {step}", ctx)
        for text in answers:
            result = await coach.run_strategy(f"answer {text}", ctx)
            question = coach.knowledge.steps.steps[step - 1].question(lang)  # type: ignore[arg-type]
            for sentence in re.split(r"(?<=[.!?])\s+|\n", "\n".join(result.reply.parts)):
                if len(sentence.split()) >= 4 and sentence not in question:
                    assert seen.setdefault(sentence, step) == step, sentence
    assert len(seen) >= 6
