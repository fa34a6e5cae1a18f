"""Typo distance and matching: swapped, dropped and doubled letters, and spellings without æøå."""

from __future__ import annotations

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.search import FUZZY_1, FUZZY_2
from bot.core.text import deletes, edit_distance, fold, max_typos


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        # A swap of neighbours is one edit, not two.
        ("strategi", "startegi", 1, 1),
        ("bedrifter", "bedrfiter", 2, 1),
        ("kunde", "kudne", 1, 1),
        ("folger", "flogre", 2, 2),
        ("ab", "ba", 1, 1),
        # A dropped letter.
        ("direktemeldinger", "direktemldinger", 2, 1),
        ("troverdighet", "troverdihet", 2, 1),
        ("twitter", "twiter", 1, 1),
        ("gjennomsiktighet", "gjennomsktighet", 2, 1),
        # A doubled letter.
        ("blogg", "bloggg", 1, 1),
        ("kundegruppen", "kunddegruppen", 2, 1),
        ("kommentar", "kommmentar", 2, 1),
        ("twitter", "twittter", 1, 1),
        # Two typos in one long word.
        ("tjenester", "tjensestr", 2, 2),
        ("gjennomsiktighet", "gjenomsiktihet", 2, 2),
        # No letter is edited twice (optimal string alignment): 'ca' -> 'abc' is three edits.
        ("ca", "abc", 3, 3),
        # Beyond the limit the distance is capped at limit + 1.
        ("strategi", "kundegruppe", 2, 3),
        ("twitter", "twitre", 0, 1),
        ("ca", "abc", 2, 3),
        ("a", "abcd", 1, 2),
        # Equal words, and the empty word.
        ("følger", "følger", 0, 0),
        ("", "blogg", 5, 5),
        # Letters outside ASCII are letters like any other.
        ("følgerskare", "folgerskare", 1, 1),
        ("åpenhet", "apenhet", 1, 1),
        ("tjenester", "tjenæster", 1, 1),
    ],
)
def test_edit_distance_counts_typos(a: str, b: str, limit: int, expected: int) -> None:
    assert edit_distance(a, b, limit) == expected
    assert edit_distance(b, a, limit) == expected


@pytest.mark.parametrize(
    ("written", "course"),
    [
        ("folgerskare", "følgerskare"),
        ("foelgerskare", "følgerskare"),
        ("aapenhet", "åpenhet"),
        ("apenhet", "åpenhet"),
        ("bedriftsidentitet", "bedriftsidentitet"),
        ("Elegante", "Elegantè"),
        ("redaktoer", "redaktør"),
        ("vaere", "være"),
    ],
)
def test_spellings_without_norwegian_letters_are_no_typo_once_folded(
    written: str, course: str
) -> None:
    assert edit_distance(fold(written), fold(course), 1) == 0


@pytest.mark.parametrize(
    ("word", "how", "term", "weight"),
    [
        # Swapped letters.
        ("startegi", "typo", "strategi", FUZZY_1),
        ("bedrfiter", "typo", "bedrift", FUZZY_1),
        ("sertifisret", "typo", "sertifiser", FUZZY_1),
        # Dropped letters.
        ("direktemldinger", "typo", "direktemelding", FUZZY_1),
        ("twiter", "typo", "twitt", FUZZY_1),
        ("troverdihet", "typo", "troverd", FUZZY_1),
        ("gjennomsiktihet", "typo", "gjennomsikt", FUZZY_1),
        ("kundegrupen", "typo", "kundegrupp", FUZZY_1),
        # Doubled letters.
        ("bloggg", "typo", "blogg", FUZZY_1),
        ("twittter", "typo", "twitt", FUZZY_1),
        ("kunddegruppen", "typo", "kundegrupp", FUZZY_1),
        # Two typos in a long word weigh less.
        ("verifisert", "typo", "sertifiser", FUZZY_2),
        # Without æøå, and a typo on top of it.
        ("folgerskare", "exact", "folgerskar", 1.0),
        ("foelgerskare", "exact", "folgerskar", 1.0),
        ("aapenhet", "exact", "apen", 1.0),
        ("redaktoer", "folded", "redaktor", 0.95),
        ("folgre", "typo", "folg", FUZZY_1),
        ("følgre", "typo", "folg", FUZZY_1),
    ],
)
def test_misspelled_course_words_match_their_term(
    knowledge: Knowledge, word: str, how: str, term: str, weight: float
) -> None:
    match = knowledge.index.match_word(word)
    assert match.how == how
    assert match.terms[term] == pytest.approx(weight)


@pytest.mark.parametrize(
    "word",
    [
        "flogere",  # a swap and a dropped letter: two typos in a seven-letter word
        "verifsert",  # three edits from 'sertifisert'
        "markedsforing",  # not a course word at all
    ],
)
def test_too_many_typos_match_nothing(knowledge: Knowledge, word: str) -> None:
    assert not knowledge.index.match_word(word).matched


@pytest.mark.parametrize(
    ("word", "expected"),
    [("abc", 0), ("blog", 1), ("strategi", 1), ("bedrifter", 2), ("direktemelding", 2)],
)
def test_long_words_allow_more_typos(word: str, expected: int) -> None:
    assert max_typos(word) == expected


def test_a_dropped_letter_and_a_swap_meet_in_the_deletion_neighbourhood() -> None:
    assert deletes("blogg", 1) == {"blogg", "logg", "bogg", "blgg", "blog"}
    assert deletes("startegi", 1) & deletes("strategi", 1) == {"stategi", "strtegi"}
    assert deletes("twiter", 1) & deletes("twitter", 1)
