"""The strategy checks read Norwegian forms and know a customer group by its shape (issue 15, 9)."""

from __future__ import annotations

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.strategy.feedback import feedback
from bot.core.strategy.forms import compile_terms


@pytest.mark.parametrize(
    ("listed", "text"),
    [
        ("svare", "Vi svarer innen en time."),
        ("svare", "Alt ble svart samme dag."),
        ("svare", "Hun svarte alle."),
        ("dele", "Kundene delte bildet."),
        ("share", "We shared it."),
        ("måle", "Det blir målt hver uke."),
        ("følger", "De første følgerne blir venner."),
        ("kunde", "Kundenes spørsmål"),
        ("familie", "Barnefamiliene i nabolaget"),
        ("eier", "Hundeeiere med travle dager"),
        ("markedsfør*", "Markedsføringsansvarlig poster"),
        ("i dag", "Per i dag har vi ingenting."),
        ("answer", "She answered every comment."),
        ("folgere", "Vi vil ha 500 følgere."),
    ],
)
def test_a_listed_word_is_found_in_its_forms(listed: str, text: str) -> None:
    terms = compile_terms([listed])
    assert terms is not None and terms.search(text) is not None


@pytest.mark.parametrize(
    ("listed", "text"),
    [
        ("svare", "Vi har ansvar for kontoen."),  # 'an' is too short to be a compound's first part
        ("dele", "Vi har det fint."),
        ("i dag", "Vi poster i helgen og dagen etter."),  # a phrase needs its words side by side
        ("fast", "Vi fas ut den gamle siden."),  # no past-tense guess on a listed word
    ],
)
def test_a_listed_word_is_not_found_in_other_words(listed: str, text: str) -> None:
    terms = compile_terms([listed])
    assert terms is not None and terms.search(text) is None


def test_the_span_is_the_first_word_found() -> None:
    terms = compile_terms(["svare", "kritikk"])
    assert terms is not None
    text = "Ved kritikk svarer vi raskt."
    span = terms.search(text)
    assert span is not None and text[span[0] : span[1]] == "kritikk"


AUDIENCE = [
    # (answer, lang, the checks it must pass) -- a group of people, then what sets it apart
    ("Hundeeiere i Tromsø med travle hverdager og lite tid.", "nb", {"who", "age_or_need"}),
    ("Turgåere som vil ha gode råd om utstyr før de drar.", "nb", {"who", "age_or_need"}),
    ("Småbarnsfamilier i nærområdet som handler lokalt.", "nb", {"who", "age_or_need"}),
    ("De som trener fast og sliter med å finne tid til det.", "nb", {"who", "age_or_need"}),
    ("Klatreentusiaster mellom 25 og 40 som vil bli bedre.", "nb", {"who", "age_or_need"}),
    ("Tenåringer på Grünerløkka som elsker tatoveringer.", "nb", {"who", "age_or_need"}),
    ("Håndverkere og bønder i Valdres som trenger reservedeler.", "nb", {"who", "age_or_need"}),
    ("Cruiseturister på vei gjennom byen om sommeren.", "nb", {"who", "age_or_need"}),
    ("Busy parents nearby who want healthy food quickly.", "en", {"who", "age_or_need"}),
    ("Weekend hikers aged 25 to 45 from Leeds and York.", "en", {"who", "age_or_need"}),
    ("Young professionals in Manchester who care about coffee.", "en", {"who", "age_or_need"}),
    ("Anyone who rides a bike to work in the city centre.", "en", {"who", "age_or_need"}),
]


@pytest.mark.parametrize(("text", "lang", "passes"), AUDIENCE)
def test_a_customer_group_is_known_by_its_shape(
    knowledge: Knowledge, text: str, lang: str, passes: set[str]
) -> None:
    result = feedback(knowledge.steps, "audience", text, lang, None)  # type: ignore[arg-type]
    assert passes.isdisjoint(result.missing), result
    assert result.state == "good"


@pytest.mark.parametrize(
    ("text", "lang", "missing"),
    [
        ("Vi vil selge mer kaffe og kaker til alle.", "nb", "who"),  # no group of people named
        ("Hundeeiere som har en hund.", "nb", "age_or_need"),  # a group, nothing that sets it apart
        ("We want to sell more coffee and cake to all.", "en", "who"),
    ],
)
def test_an_audience_without_a_group_or_a_trait_is_asked_for_it(
    knowledge: Knowledge, text: str, lang: str, missing: str
) -> None:
    result = feedback(knowledge.steps, "audience", text, lang, None)  # type: ignore[arg-type]
    assert result.state == "needs_work"
    assert missing in result.missing


INFLECTED = [
    # (step, answer, lang) -- good only when the inflected forms are read
    ("roles", "Kari publiserer, og Ola har svart på kritikken innen to timer hver gang.", "nb"),
    ("roles", "Daglig leder poster; kundeservicen besvarer klagene samme dag.", "nb"),
    ("norms", "Vi er ærlige om prisene, svarer åpent på kritikk og viser troverdige tall.", "nb"),
    ("following", "Vennene våre deler innleggene, og de som følger dem oppdager oss.", "nb"),
    ("measuring", "Vi måler klikkene og henvendelsene ukentlig og endrer det som svikter.", "nb"),
    ("content", "Oppskriftene kommer to ganger i uka, og videoene på fredager.", "nb"),
    ("channels", "Instagram fordi kundene våre er der, og Facebook til arrangementer.", "nb"),
    ("company", "Bakeriet leverer surdeigsbrød til kafeer og har i dag ingen kontoer.", "nb"),
    ("roles", "Our owner posts; staff answered complaints within two hours.", "en"),
    ("measuring", "We will track clicks and bookings every week and change what fails.", "en"),
]


@pytest.mark.parametrize(("step", "text", "lang"), INFLECTED)
def test_checks_read_inflected_forms(knowledge: Knowledge, step: str, text: str, lang: str) -> None:
    result = feedback(knowledge.steps, step, text, lang, None)  # type: ignore[arg-type]
    assert result.state == "good", result


TOPIC = [
    # (step, answer, lang, state) -- a figure, a weekday or 'fordi' alone does not make an answer
    # about the step; the step's own words, or checks that show it, do
    ("goals", "Vi har fire klippebord, og på lørdager har vi åpent til 15.", "nb", "off_topic"),
    ("goals", "The exam for this course is on the 12th and I am stressed.", "en", "off_topic"),
    ("goals", "Innen 31. desember 2027 skal kontoen på Instagram ha 3000 følgere.", "nb", "good"),
    ("goals", "By 1 March 2028: 70% of rentals booked online in advance.", "en", "good"),
    ("content", "Var på tur i helga, helt rått vær og nordlys på kvelden.", "nb", "off_topic"),
    (
        "channels",
        "Det regnet så mye i helga at bussene ikke gikk fordi veien var stengt.",
        "nb",
        "off_topic",
    ),
    ("following", "Hopefully people will just find us.", "en", "needs_work"),
    ("company", "En språkskole som lærer bort norsk. Vi har litt Facebook.", "nb", "needs_work"),
    (
        "company",
        "En språkskole som lærer bort norsk til innvandrere. Vi har litt Facebook.",
        "nb",
        "good",
    ),
    # The summary also takes a concrete change to the plan; a vague one is asked what.
    (
        "summary",
        "Fint. Legg til at vi skal poste ledige tider i stories hver mandag.",
        "nb",
        "good",
    ),
    (
        "summary",
        "Plan looks good. One change: add a weekly rain report every Friday.",
        "en",
        "good",
    ),
    ("summary", "Looks fine, maybe tweak a few bits.", "en", "needs_work"),
    ("summary", "Ser greit ut, kanskje vi endrer litt her og der.", "nb", "needs_work"),
]


@pytest.mark.parametrize(("step", "text", "lang", "state"), TOPIC)
def test_what_makes_an_answer_about_its_step(
    knowledge: Knowledge, step: str, text: str, lang: str, state: str
) -> None:
    result = feedback(knowledge.steps, step, text, lang, None)  # type: ignore[arg-type]
    assert result.state == state, result


def test_a_vague_change_is_asked_which_change(knowledge: Knowledge) -> None:
    result = feedback(knowledge.steps, "summary", "Looks fine, maybe tweak a few bits.", "en", None)
    assert "change" in result.missing
    assert any("what changes" in hint for hint in result.hints)
