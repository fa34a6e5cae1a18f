"""Where a post stops ("Les videre"), the reply says so and the JSON carries `cut_off` (13.4)."""

from __future__ import annotations

import pytest

from bot.core.router import Coach


@pytest.mark.parametrize(
    ("question", "post"),
    [
        ("Hva er den fjerde forventingsfaktoren til Clara Shih?", "Forventingsfaktorer"),
        ("Hva er de andre hovedingrediensene for en følgerskare?", "Hvordan nå kundegruppen"),
        ("Hva stod videre om direktemeldinger?", "Observasjoner på Twitter"),
        ("What is the fourth expectation factor Clara Shih names?", "Forventingsfaktorer"),
    ],
)
def test_an_answer_that_runs_into_a_cut_says_the_post_stops_there(
    coach: Coach, question: str, post: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert result.cut_off is True
    assert result.to_json()["cut_off"] is True
    last = result.answer.splitlines()[-1]
    assert post in last and "Les videre" in last


@pytest.mark.parametrize(
    "question", ["Hvor mange bruker Twitter?", "What is credibility?", "Hva er en bedriftsblogg?"]
)
def test_an_answer_from_a_whole_part_of_a_post_is_not_marked(coach: Coach, question: str) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered and result.cut_off is False
    assert "Les videre" not in result.answer


def test_every_answer_carries_the_field(coach: Coach) -> None:
    for question in ("Hva er åpenhet?", "Hvordan lager man pizza?"):
        assert isinstance(coach.asking.answer_offline(question).to_json()["cut_off"], bool)
