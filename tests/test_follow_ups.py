"""Follow-ups lean on the previous question only when they have no topic of their own (issue 13.6).

In a conversation, "og hva med den andre?" or "why?" continues the last question; a short
question with its own topic ("hva er åpenhet") is answered on that topic, never on the last one.
"""

from __future__ import annotations

import pytest

from bot.core.ask import looks_like_follow_up
from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach, Context

ELLIPTIC = [
    ("og hva med den andre?", "nb"),
    ("hvorfor det?", "nb"),
    ("og de?", "nb"),
    ("hva da?", "nb"),
    ("why?", "en"),
    ("what about them?", "en"),
    ("and the other one?", "en"),
]
OWN_TOPIC = [
    ("hva er åpenhet", "nb"),
    ("og troverdighet?", "nb"),
    ("hva med Twitter?", "nb"),
    ("direktemeldinger da?", "nb"),
    ("what is transparency", "en"),
    ("and credibility?", "en"),
    ("hva med sykkelbutikker?", "nb"),  # a topic the course lacks is still a topic
]


@pytest.mark.parametrize(("question", "lang"), ELLIPTIC)
def test_an_elliptic_question_is_a_follow_up(coach: Coach, question: str, lang: str) -> None:
    has_topic = coach.asking.engine.has_topic(question, "en" if lang == "en" else "nb")
    assert not has_topic
    assert looks_like_follow_up(question, has_topic)


@pytest.mark.parametrize(("question", "lang"), OWN_TOPIC)
def test_a_question_with_its_own_topic_is_never_a_follow_up(
    coach: Coach, question: str, lang: str
) -> None:
    has_topic = coach.asking.engine.has_topic(question, "en" if lang == "en" else "nb")
    assert has_topic
    assert not looks_like_follow_up(question, has_topic)


async def test_a_three_word_new_question_is_answered_on_its_own_topic(knowledge: Knowledge) -> None:
    coach = Coach(knowledge)
    ctx = Context(user_id=1, conversation="console")
    first = await coach.handle("!ask kan jeg sende direktemeldinger til kundene?", ctx)
    assert any("twitter" in s.path for s in first.sources)
    second = await coach.handle("!ask hva er åpenhet", ctx)
    assert second.sources and "forventingsfaktorer" in second.sources[0].path
    assert "Åpenhet" in second.text and "direktemelding" not in second.text.lower()


async def test_the_same_holds_in_english(knowledge: Knowledge) -> None:
    coach = Coach(knowledge)
    ctx = Context(user_id=1, conversation="c-en")
    await coach.handle("!ask Can I send direct messages to customers on Twitter?", ctx)
    second = await coach.handle("!ask what is openness", ctx)
    assert second.sources and "forventingsfaktorer" in second.sources[0].path


async def test_an_elliptic_follow_up_still_continues_the_conversation(
    knowledge: Knowledge,
) -> None:
    coach = Coach(knowledge)
    ctx = Context(user_id=1, conversation="c3")
    await coach.handle("!ask Hvilke typer brukere finnes på Twitter?", ctx)
    reply = await coach.handle("!ask og den andre typen?", ctx)
    assert "sertifiserte" in reply.text
