"""`!review` judges families of problems, not phrases (issue 15, points 1 to 6), in both languages.

The examples here are the project's own, written for these tests; the tuning set is
tests/data/review_tune.yaml and the frozen set is never read by a test.
"""

from __future__ import annotations

import pytest

from bot.core.router import Coach

FLAGGED = [
    # (draft, a flag it must have)
    (
        "Den beste pizzaen du finner i hele Bodø lager vi i Sjøgata 12. Hva vil du ha på?",
        "hype_unverifiable_claim",
    ),
    (
        "Byens mest populære frisør har ledig time. Book på frisor.no – hvilken dag passer?",
        "hype_unverifiable_claim",
    ),
    (
        "Ingen andre gir deg mer for pengene. Se tilbudet på sykkel.no. Hva ser du etter?",
        "hype_unverifiable_claim",
    ),
    (
        "Du vil aldri angre på at du valgte oss. Bestill på tak.no. Spørsmål om taket?",
        "hype_unverifiable_claim",
    ),
    (
        "8 av 10 kunder anbefaler oss. Les mer på rens.no. Hva er viktigst for deg?",
        "hype_unverifiable_claim",
    ),
    (
        "Our gym is better than any other in town. Join at gym.example. What are your goals?",
        "hype_unverifiable_claim",
    ),
    (
        "Twice as fast as the rest, guaranteed. Try it at app.example. What do you need?",
        "hype_unverifiable_claim",
    ),
    (
        "The tastiest burgers in Tromsø are here. Book at burger.example – what's your order?",
        "hype_unverifiable_claim",
    ),
    ("@kari Det står faktisk på nettsiden, for den som gidder å lese.", "negative_hostile"),
    ("@ola Sikkert vanskelig å få med seg, men åpningstidene står overalt.", "negative_hostile"),
    ("@sam Not our fault you missed it. The sale ended Sunday.", "negative_hostile"),
    ("@lisa Maybe try reading the instructions before you complain?", "negative_hostile"),
    ("Some people clearly expect five-star service at budget prices.", "negative_hostile"),
    ("Vi har åpnet ny kafé i Storgata med hjemmelagde boller.", "missing_call_to_action"),
    ("Julebordpakkene for 2026 er klare.", "missing_call_to_action"),
    ("Our podcast's first episode is out now.", "missing_call_to_action"),
    ("Happy to announce that our second café opens this spring.", "missing_call_to_action"),
]


@pytest.mark.parametrize(("draft", "flag"), FLAGGED)
def test_a_problem_is_found_by_its_family(coach: Coach, draft: str, flag: str) -> None:
    assert flag in coach.reviewing.by_rules(draft).flags


CLEAN = [
    # A claim with its source, a question to readers, an apology with a next step.
    "Kåret til årets kafé av Adresseavisen 2025. Kom innom i Munkegata 4 – hva vil du smake?",
    "According to our May survey (312 answers), 9 out of 10 customers would come back. Why?",
    "Hva er den beste boka du har lest i år? Svar i kommentarfeltet.",
    "What's the strangest thing your dog has ever eaten? Tell us below!",
    "@mari Beklager at pakken er forsinket. Send oss ordrenummeret på DM, så ser vi på det.",
    "@tom Sorry about the wait, that's on us. Send us a DM with your order number.",
    # Dialogue as an imperative, and question marks that are not ASCII.
    "Vi har fått inn nye vintersko i Storgata 21. Spør oss gjerne om størrelser når du er innom.",
    "Our new cold brew is on tap at both shops from today. Let us know what you think.",
    "Hvilken kake skal vi bake til fredag？ Vi har åpent fra kl. 8 i Bakergata 2.",
    "What should we name our new office dog؟ Visit us at Bryggen and vote.",
    "Er du klar for julemarkedet⁉ Vi står på Torget fra kl. 12 på lørdag.",
]


@pytest.mark.parametrize("draft", CLEAN)
def test_a_good_draft_raises_no_flag(coach: Coach, draft: str) -> None:
    result = coach.reviewing.by_rules(draft)
    assert result.flags == [], [s.words for s in result.suggestions]


def test_a_fix_names_the_drafts_own_words(coach: Coach) -> None:
    one = coach.reviewing.by_rules("Verdens beste kanelboller! Hva synes du?")
    other = coach.reviewing.by_rules("Norges billigste sykler! Hva synes du?")
    fix = {s.flag: s.fix for s in one.suggestions}["hype_unverifiable_claim"]
    assert "Verdens beste" in fix
    assert fix != {s.flag: s.fix for s in other.suggestions}["hype_unverifiable_claim"]
    english = coach.reviewing.by_rules("The best coffee in Oslo. What do you think?", None, "en")
    assert "The best coffee in Oslo" in english.suggestions[0].fix


def test_a_hostile_reply_gets_reply_advice(coach: Coach) -> None:
    reply = coach.reviewing.by_rules(
        "@kari Det står faktisk på nettsiden, for den som gidder å lese."
    )
    post = coach.reviewing.by_rules("Det står faktisk på nettsiden, for den som gidder å lese.")
    fixes = [s.fix for s in reply.suggestions if s.flag == "negative_hostile"]
    assert fixes and "anerkjenn" in fixes[0] and "unnskyldning" in fixes[0]
    assert "anerkjenn" not in next(s.fix for s in post.suggestions if s.flag == "negative_hostile")


def test_a_missing_question_is_asked_about_the_drafts_topic(coach: Coach) -> None:
    result = coach.reviewing.by_rules("Nye kanelboller i disken hver morgen fra kl. 7 i Storgata.")
    fix = next(s.fix for s in result.suggestions if s.flag == "no_dialogue")
    assert "kanelboller" in fix


@pytest.mark.parametrize("draft", ["", "https://example.com/tilbud"])
def test_a_draft_with_no_text_gets_no_praise(coach: Coach, draft: str) -> None:
    result = coach.reviewing.by_rules(draft)
    praise = coach.knowledge.strings.t("nb", "review.norms.apenhet_ok")
    assert praise not in result.tone.norms.values()
    assert not any("140" in n for n in result.notes)


def test_the_part_that_fits_is_cut_at_a_word_boundary(coach: Coach) -> None:
    draft = "Kanelboller " * 30
    fitting = coach.reviewing.by_rules(draft).fitting_text
    assert fitting.endswith("Kanelboller ") and len(fitting) <= 280


def test_the_whole_text_is_counted_up_to_a_hundred_thousand_characters(coach: Coach) -> None:
    assert coach.reviewing.by_rules("a" * 12_079).weighted_length == 12_079
    long = coach.reviewing.by_rules("Hei og hå. " * 9_000)  # 99,000 characters
    assert long.weighted_length == 99_000 and long.thread == []  # too long to post as a thread


async def test_a_chat_message_is_still_bounded(coach: Coach) -> None:
    from bot.core.router import Context

    reply = await coach.handle("!review " + "a" * 5_000, Context(user_id=1))
    assert reply.notice  # the chat bound: the member is told the message was cut


def test_a_thread_keeps_an_emoji_with_the_sentence_it_ends(coach: Coach) -> None:
    sentence = (
        "Vi åpner en ny kafé i Bodø på lørdag og gleder oss veldig til å se dere alle der. 🎉"
    )
    parts = coach.reviewing.by_rules(" ".join([sentence] * 4)).thread
    assert len(parts) >= 2
    assert all(not part.startswith("🎉") for part in parts)
    assert all("der. 🎉" in part for part in parts)
