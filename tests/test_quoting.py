"""What `!ask` quotes: never a lead-in, filler or a question to the reader (issue 13, point 2).

A lead-in ("... disse er:", "... de Clara Shih fremhever:") is replaced by the items it
introduces; sentences about the text rather than its topic (announcements, captions,
instructions for the page) and questions to the reader never take a quote slot.
"""

from __future__ import annotations

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach

FILLER = [
    ("Jeg skal nå gå inn på de viktigste kanalene.", True),
    ("Vi skal her se nærmere på Instagram.", True),
    ("I dette innlegget skal jeg skrive om TikTok.", True),
    ("In this post I will look at three channels.", True),
    ("Her er et skjermbilde av forsiden vår.", True),
    ("Under ser du et bilde av butikken.", True),
    ("Ta en titt på videoen under.", True),
    ("Klikk her for å lese mer.", True),
    ("Trykk på bildet for å se det større.", True),
    ("Vi skal bli store på sosiale medier innen 2027.", False),
    ("Jeg vil anbefale å svare raskt på kritikk.", False),
    ("Her er det viktig å være ærlig med kundene.", False),
    ("Bloggen handler om IKT, teknologi og læring.", False),
    ("We will answer every question within a day.", False),
]


@pytest.mark.parametrize(("sentence", "filler"), FILLER)
def test_sentences_about_the_text_are_told_from_sentences_about_the_topic(
    knowledge: Knowledge, sentence: str, filler: bool
) -> None:
    assert knowledge.lexicon.is_filler(sentence) is filler


@pytest.mark.parametrize(
    "question",
    [
        "Hvilke forventingsfaktorer fremhever Clara Shih?",
        "Hva er forventingsfaktorene i sosiale medier?",
        "Which expectation factors does Clara Shih highlight?",
    ],
)
def test_a_lead_in_gives_way_to_the_items_it_introduces(coach: Coach, question: str) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered
    assert "fremhever:" not in result.answer
    assert "Troverdighet –" in result.answer or "Gjennomsiktighet" in result.answer


def test_the_ingredients_lead_in_is_not_quoted_without_its_item(coach: Coach) -> None:
    result = coach.asking.answer_offline("Hva er hovedingrediensene for å få en stor følgerskare?")
    assert result.answered
    assert "disse er:" not in result.answer
    assert "Vær interessant" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "Hva handler itfag sin blogg om?",
        "Hvordan ser itfag sin blogg ut?",
        "What does the itfag blog look like?",
        "Hva er strategien til Elegantè?",
        "Hva syntes du om strategien til Elegantè?",
        "Hva er forventingsfaktorer?",
        "Hvorfor bør en bedrift tre ut i sosiale medier?",
        "What is the course Sosiale medier about?",
    ],
)
def test_filler_and_questions_to_the_reader_never_take_a_quote_slot(
    coach: Coach, question: str
) -> None:
    answer = coach.asking.answer_offline(question).answer
    for text in ("skal nå gå inn på", "skjermbilde", "Trykk på", "Hva syntes du", "ta en titt"):
        assert text not in answer, (question, answer)
    quoted = [line for line in answer.splitlines() if line.startswith("«")]
    assert all(not line.split("»")[0].rstrip().endswith("?") for line in quoted), answer


def test_a_bad_filler_pattern_stops_start_up_naming_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from bot.core.lexicon import load_lexicon
    from bot.errors import DataFileError
    from tests.conftest import KNOWLEDGE

    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    lexicon = folder / "lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8").replace(
        "\nfiller:\n", "\nfiller:\n  broken: ['(x']\n"
    )
    lexicon.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"lexicon\.yaml.*filler"):
        load_lexicon(folder)
