"""Search basics: Norwegian stems, stop words, folding, and the best post first."""

from __future__ import annotations

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.search import term_of
from bot.core.text import fold


def test_stems_join_word_forms() -> None:
    assert term_of("kundegruppen") == term_of("kundegruppe")
    assert term_of("direktemeldinger") == term_of("direktemelding")


def test_folding_meets_spellings_without_norwegian_letters() -> None:
    assert fold("Følgerskare") == fold("folgerskare") == fold("foelgerskare")
    assert fold("åpenhet") == fold("aapenhet") == fold("apenhet")
    assert fold("Elegantè") == fold("Elegante")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Hva er gjennomsiktighet?", "forventingsfaktorer"),
        ("Hva er en direktemelding?", "twitter"),
        ("Hvem er redaktør for bloggen til itfag?", "itfag-blogg"),
        ("Hvilke tjenester tilbyr Elegantè?", "elegante"),
        ("Hvorfor trenger en bedrift en strategi?", "strategi"),
    ],
)
def test_the_best_passage_comes_from_the_right_post(
    knowledge: Knowledge, question: str, slug: str
) -> None:
    hits = knowledge.index.search(question)
    assert hits, question
    assert hits[0].passage.slug == slug


def test_stop_words_alone_find_nothing(knowledge: Knowledge) -> None:
    assert knowledge.index.search("hva er det som er hvordan og") == []


def test_hits_are_sorted_and_bounded(knowledge: Knowledge) -> None:
    hits = knowledge.index.search("sosiale medier bedrift", k=3)
    assert 0 < len(hits) <= 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
