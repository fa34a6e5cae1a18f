"""A question about the student's own business is answered with the course's advice (issue 13.1).

The business is context, not the topic: the coach answers the rest of the question from the
course and says the advice applies to that business too. Applying it in new words is the model's
job (`advice`), never written offline.
"""

from __future__ import annotations

import pytest

from bot.core.router import Coach

CASES = [
    (
        "Vi driver en sykkelbutikk i Tromsø – hvordan får vi de første følgerne?",
        "en sykkelbutikk",
        "kundegruppen",
    ),
    (
        "Jeg jobber i en liten frisørsalong, hvordan får vi de første følgerne?",
        "en liten frisørsalong",
        "kundegruppen",
    ),
    (
        "Vi har en nettbutikk for strikkegarn. Hvordan kan vi være troverdige?",
        "en nettbutikk for strikkegarn",
        "forventingsfaktorer",
    ),
    (
        "Vi eier et bakeri på Lillehammer, hvordan kan vi være åpne mot kundene?",
        "et bakeri",
        "forventingsfaktorer",
    ),
    ("We are a local gym - how do we get our first followers?", "a local gym", "kundegruppen"),
    (
        "I run a small bike shop in Tromsø. How can we be credible on social media?",
        "a small bike shop",
        "forventingsfaktorer",
    ),
]


@pytest.mark.parametrize(("question", "business", "post"), CASES)
def test_an_own_business_question_is_answered_from_the_right_post(
    coach: Coach, question: str, business: str, post: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered, result.answer
    assert post in result.sources[0].path
    first_line = result.answer.splitlines()[0]
    assert business in first_line  # the reply names their business ...
    assert "kurset" in first_line or "course" in first_line  # ... and says whose advice it is


@pytest.mark.parametrize(
    "question",
    [
        "Jeg har et spørsmål om Twitter",
        "Hvordan når en bedrift kundegruppen?",
        "I have a question about Twitter",
        "Hva er åpenhet?",
    ],
)
def test_a_question_that_names_no_business_of_its_own_is_no_case(
    coach: Coach, question: str
) -> None:
    assert coach.knowledge.lexicon.own_case(question) is None


def test_the_business_alone_with_nothing_asked_is_not_answered_as_a_case(coach: Coach) -> None:
    assert coach.knowledge.lexicon.own_case("Vi driver en sykkelbutikk")[1] == ""
    result = coach.asking.answer_offline("Vi driver en sykkelbutikk")
    assert not result.answered or "sykkelbutikk" not in result.answer.splitlines()[0]


def test_an_own_case_pattern_without_its_group_stops_start_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from bot.core.lexicon import load_lexicon
    from bot.errors import DataFileError
    from tests.conftest import KNOWLEDGE

    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    lexicon = folder / "lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8").replace("\nown_case:\n", "\nown_case:\n  - 'vi'\n")
    lexicon.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"lexicon\.yaml.*business"):
        load_lexicon(folder)
