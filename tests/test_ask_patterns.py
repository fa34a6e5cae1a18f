"""What `!ask` does with the questions students ask most (issue 13, points 3, 5, 7 and 8).

Each table holds Norwegian and English examples of one pattern: two questions in one, a course
name asked about something the course lacks, a story around the question, words every course
uses, and the sentence that answers coming first.
"""

from __future__ import annotations

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach

SPLITS = [
    ("Hva er en sertifisert bruker, og hvordan blir man det?", 2),
    ("Hva er åpenhet? Og hvorfor er det viktig?", 2),
    ("What is transparency, and how much does Twitter cost?", 2),
    ("hva er troverdighet og kan man måle det og hvem sa det", 3),
    ("Hvem er målgruppen; hva bør vi poste?", 2),
    # One question: a joined pair of words, a short opener, a verb phrase after 'og'.
    ("Hva er forskjellen på Twitter og Facebook?", 1),
    ("Hvordan og hvorfor bør man blogge?", 1),
    ("Hva er viktig for kunder som er unge og har lite penger?", 1),
    ("What is the difference between Twitter and Facebook?", 1),
    ("Hva? Hvorfor?", 1),
]


@pytest.mark.parametrize(("question", "count"), SPLITS)
def test_a_question_splits_where_a_second_question_starts(
    knowledge: Knowledge, question: str, count: int
) -> None:
    parts = knowledge.lexicon.parts(question)
    assert len(parts) == count, parts
    assert not any(p.lower().startswith(("og ", "and ")) for p in parts)


TWO_PARTS = [
    # (question, each part answered?, a phrase of the answer, a phrase of the declined part)
    (
        "Hva er en sertifisert bruker, og hvordan blir man det?",
        [True, False],
        "sertifisert bruker er",
        "«hvordan blir man det?»",
    ),
    (
        "What is a verified user, and how do I apply to become one?",
        [True, False],
        "sertifisert bruker er",
        "«how do I apply to become one?»",
    ),
    (
        "Hvem er Elegantè til for, og hva er renta på lån hos dem?",
        [True, False],
        "unge mennesker",
        "«hva er renta på lån hos dem?»",
    ),
    (
        "What is transparency, and how much does Twitter cost?",
        [True, False],
        "innsyn",
        "«how much does Twitter cost?»",
    ),
    (
        "Hvor mange brukere har Twitter? Og hvem eier Twitter?",
        [True, False],
        "200 millioner",
        "«hvem eier Twitter?»",
    ),
    (
        "Hvor mange brukere har Twitter, og hvor mange tegn kan en melding ha?",
        [True, True],
        "140",
        None,
    ),
    (
        "How many users does Twitter have, and how many characters can a tweet have?",
        [True, True],
        "200 millioner",
        None,
    ),
]


@pytest.mark.parametrize(("question", "answered", "quoted", "declined"), TWO_PARTS)
def test_each_part_is_answered_or_declined_on_its_own(
    coach: Coach, question: str, answered: list[bool], quoted: str, declined: str | None
) -> None:
    result = coach.asking.answer_offline(question)
    assert [p.answered for p in result.parts] == answered, result.answer
    assert result.answered
    assert quoted in result.answer
    data = result.to_json()
    assert [p["answered"] for p in data["parts"]] == answered  # type: ignore[index, union-attr]
    lines = result.answer.splitlines()
    if declined is None:
        assert not any("sier ikke noe om" in x or "says nothing about" in x for x in lines)
    else:
        line = next(x for x in lines if declined in x)
        assert "Kurset sier ikke noe om" in line or "The course says nothing about" in line
        # The declined part's line comes after the answered part's quotes.
        assert lines.index(line) > next(i for i, x in enumerate(lines) if quoted in x)


def test_a_one_part_question_has_no_parts(coach: Coach) -> None:
    assert coach.asking.answer_offline("Hva er åpenhet?").to_json()["parts"] == []


NAMED_ABSENT = [
    ("Hva synes Clara Shih om TikTok?", "Clara Shih", "Kurset nevner"),
    ("What does Clara Shih think about TikTok?", "Clara Shih", "The course mentions"),
    ("Hva sier Clara Shih om LinkedIn?", "Clara Shih", "Kurset nevner"),
    ("Hvor gammel er Karoline?", "Karoline", "Kurset nevner"),
    ("Hva koster det å annonsere på Twitter?", "Twitter", "Kurset nevner"),
    ("How much does it cost to advertise on Twitter?", "Twitter", "The course mentions"),
]


@pytest.mark.parametrize(("question", "name", "opening"), NAMED_ABSENT)
def test_a_course_name_is_not_enough_the_asked_thing_must_be_there(
    coach: Coach, question: str, name: str, opening: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert not result.answered, result.answer
    assert result.answer.startswith(f"{opening} {name} i «") or result.answer.startswith(
        f"{opening} {name} in «"
    )
    assert "«" in result.answer  # the post where the course mentions it is named


# (question, the post answering first, a phrase of the quote) for each pattern that answers.
ANSWERED = {
    # A course name with what the course says of it.
    "named": [
        ("Hvilke forventningsfaktorer trekker Clara Shih frem?", "forventingsfaktorer", "Troverd"),
        ("Who is Elegantè for?", "elegante", "unge mennesker"),
        ("Hvor mange brukere har Twitter?", "twitter", "200 millioner"),
        ("Hva studerer Karoline?", "ny-i-bloggverden", "bedriftsutvikling"),
    ],
    # The story around a question is context, not its topic.
    "story": [
        (
            "Vi har nettopp laget en Facebook-side. Hvordan får vi de første følgerne?",
            "kundegruppen",
            "venner og bekjente",
        ),
        (
            "We just made a Facebook page. How do we get our first followers?",
            "kundegruppen",
            "venner og bekjente",
        ),
        (
            "Vi driver et lite bakeri i Bodø og har akkurat laget en Instagram-konto. "
            "Hvordan får vi de første følgerne?",
            "kundegruppen",
            "venner og bekjente",
        ),
    ],
    # Words every course uses ('innlegget', 'studenter', 'poste') do not pick the post.
    "everywhere": [
        ("Hva står det i innlegget om de første følgerne?", "kundegruppen", "følge"),
        ("Hvordan får studenter følgere?", "kundegruppen", "følge"),
        ("What does the post say about getting the first followers?", "kundegruppen", "følge"),
        ("Hva skriver kurset om å poste på Twitter?", "twitter", "Twitter"),
    ],
}


@pytest.mark.parametrize(
    ("question", "post", "quoted"),
    [case for cases in ANSWERED.values() for case in cases],
)
def test_the_course_answers_from_the_right_post(
    coach: Coach, question: str, post: str, quoted: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered, result.answer
    assert post in result.sources[0].path
    assert quoted in result.answer


YOURS = [
    ("Vår lille kafé vil bli synlig. Hvordan får vi følgere?", "deres lille kafé"),
    ("Hvordan kan jeg være troverdig for min lille butikk?", "din lille butikk"),
    (
        "Our small craft brewery wants to get on social media. Should we plan it first?",
        "your small craft brewery",
    ),
]


@pytest.mark.parametrize(("question", "named"), YOURS)
def test_the_reply_speaks_of_the_students_business_as_theirs(
    coach: Coach, question: str, named: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered, result.answer
    assert named in result.answer.splitlines()[0]


def test_everywhere_words_weigh_little_in_the_search(knowledge: Knowledge, coach: Coach) -> None:
    engine = coach.asking.engine
    query = knowledge.index.analyse("Hva står det i innlegget om følgerskare?")
    before = dict(query.weights)
    engine._weigh_everywhere(query)
    post_terms = next(m for m in query.matches if m.word == "innlegget").terms
    assert all(query.weights[t] < before[t] for t in post_terms)
    assert query.weights["folgerskar"] == before["folgerskar"]


FIRST = [
    ("Hva er en sertifisert bruker?", "sertifisert bruker er"),
    ("What is a verified user?", "sertifisert bruker er"),
    ("Hva er Elegantè?", "Elegantè er en bank"),
    ("What is Twitter?", "Twitter er"),
    ("Hvordan skaffer man de aller første brukerne?", "venner og bekjente"),
]


@pytest.mark.parametrize(("question", "first"), FIRST)
def test_the_sentence_that_answers_comes_first(coach: Coach, question: str, first: str) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered, result.answer
    quotes = [line for line in result.answer.splitlines() if line.startswith("«")]
    assert first in quotes[0], result.answer
    assert len(quotes) <= 3


def test_a_near_miss_of_a_synonym_entry_keeps_its_first_letter(knowledge: Knowledge) -> None:
    table = knowledge.lexicon.synonyms
    assert table.near("koster") == ()  # a word of its own, not a slip for 'poster'
    words = sorted(w for w in table.spelled if len(w) >= 7 and w.isalpha())
    slips = [(w, w[:3] + w[4] + w[3] + w[5:]) for w in words if w[3] != w[4]]
    word, slip = next((w, s) for w, s in slips if s not in table.spelled)
    assert table.near(slip) == table.entries[table.spelled[word]]  # two letters swapped inside
    assert table.near("x" + slip[1:]) != table.entries[table.spelled[word]]  # its first letter


PAST_THE_END = [
    # (question, answered?, a phrase of the reply)
    ("Hva er den fjerde forventingsfaktoren Clara Shih nevner?", False, "stopper («Les videre»)"),
    ("What is the fourth expectation factor Clara Shih names?", False, 'stops ("Les videre")'),
    ("Hva er det tredje punktet for å få følgere?", False, "stopper («Les videre»)"),
    ("Hva var konklusjonen på analysen av itfag-bloggen?", False, "stopper («Les videre»)"),
    ("What was the conclusion of the analysis of the itfag blog?", False, 'stops ("Les videre")'),
    ("Hva stod videre i innlegget om Twitter?", False, "stopper («Les videre»)"),
    # Asked of what the list holds: answered, that item first, with the line where it stops.
    ("Hva er den tredje forventingsfaktoren?", True, "«Åpenhet – det er svært viktig"),
    ("What is the third expectation factor?", True, "«Åpenhet – det er svært viktig"),
]


@pytest.mark.parametrize(("question", "answered", "phrase"), PAST_THE_END)
def test_a_question_past_where_a_post_stops_is_declined_there(
    coach: Coach, question: str, answered: bool, phrase: str
) -> None:
    result = coach.asking.answer_offline(question)
    assert result.answered is answered, result.answer
    assert result.cut_off
    assert phrase in result.answer
    if answered:
        quotes = [line for line in result.answer.splitlines() if line.startswith("«")]
        assert quotes[0].startswith(phrase)


def test_an_ordinal_with_no_list_behind_it_is_declined(coach: Coach) -> None:
    result = coach.asking.answer_offline(
        "What is the fifth step when a company builds its social media strategy?"
    )
    assert not result.answered, result.answer
