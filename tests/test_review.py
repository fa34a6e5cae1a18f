"""`!review` flags, tone and suggestions, both languages, every platform; the LLM seam."""

from __future__ import annotations

import pytest

from bot.core.ports import ChatMessage, ChatModel
from bot.core.review import FLAGS, add_model_review, lix, parse_llm_review
from bot.core.router import Coach, parse_review_args
from bot.errors import LLMTimeout
from tests.fakes import QueuedChatModel


def flags(coach: Coach, text: str, platform: str | None = None, lang: str = "nb") -> list[str]:
    return coach.reviewing.by_rules(text, platform, lang).flags  # type: ignore[arg-type]


# One row per flag and language: a draft that deserves it, and a near miss that does not.
@pytest.mark.parametrize(
    ("flag", "draft", "near_miss"),
    [
        ("all_caps", "SALG PÅ ALLE VINTERJAKKER I HELGEN. Hvem?", "SES I KVELD? Hva tar du med?"),
        ("all_caps", "BIG SALE ON ALL CITY BIKES TODAY. Yours?", "NEW in store. Want one?"),
        (
            "excess_exclamation",
            "Vi har åpnet! Kom innom! Hva vil du smake!",
            "Vi har åpnet! Kom innom! Hva vil du smake?",
        ),
        (
            "excess_exclamation",
            "Finally open!! What should we bake?",
            "Open! Come by! What should we bake?",
        ),
        ("too_many_hashtags", "Hva synes du? #a #b #c #d #e", "Hva synes du? #a #b #c #d"),
        (
            "hype_unverifiable_claim",
            "Norges beste kaffe. Hva er din favoritt?",
            "God kaffe hos oss. Hva er din favoritt?",
        ),
        (
            "hype_unverifiable_claim",
            "Guaranteed lowest prices in town. Which bike do you want?",
            "Fair prices in town. Which bike do you want?",
        ),
        (
            "hype_unverifiable_claim",
            "100 % fornøyde kunder! Hva synes du?",
            "Mange fornøyde kunder. Hva synes du?",
        ),
        (
            "negative_hostile",
            "Til dere som ikke rydder: dere er idioter. Hva skal vi gjøre?",
            "Hjelp oss å rydde. Hva skal vi gjøre?",
        ),
        (
            "negative_hostile",
            "Stupid customers again. Who leaves weights on the floor?",
            "Please rack your weights. Who helps?",
        ),
        (
            "undisclosed_ad",
            "Fikk tilsendt serum fra Glød. Bruk koden ANNA20 for rabatt. Hva bruker du?",
            "Reklame: Fikk tilsendt serum fra Glød. Bruk koden ANNA20. Hva bruker du?",
        ),
        (
            "undisclosed_ad",
            "Loving my shoes from Stride, use my code EMMA15 for 15% off! What do you run in?",
            "#ad Loving my shoes from Stride, use my code EMMA15! What do you run in?",
        ),
        (
            "missing_call_to_action",
            "Ny høstmeny fra mandag: gresskarsuppe og chai.",
            "Ny høstmeny fra mandag. Kom innom og smak!",
        ),
        (
            "missing_call_to_action",
            "Student discount: 20% off all drinks this week.",
            "Student discount: 20% off all drinks this week. Which one is yours?",
        ),
        ("no_dialogue", "Vi har åpent til ni i kveld.", "Vi har åpent til ni i kveld. Ses vi?"),
        (
            "no_dialogue",
            "We are open until nine tonight.",
            "We are open until nine tonight. Tell us what you want on the menu.",
        ),
    ],
)
def test_each_flag_is_raised_and_its_near_miss_is_not(
    coach: Coach, flag: str, draft: str, near_miss: str
) -> None:
    assert flag in flags(coach, draft)
    assert flag not in flags(coach, near_miss)


def test_a_company_promoting_its_own_code_is_not_an_undisclosed_ad(coach: Coach) -> None:
    own = (
        "Studentuke hos oss: bruk koden STUDENT25 i nettbutikken vår. Hvilket fag gruer du deg til?"
    )
    assert "undisclosed_ad" not in flags(coach, own)
    ours = "Use code AUTUMN20 in our shop this week. What will you get?"
    assert "undisclosed_ad" not in flags(coach, ours, lang="en")


def test_empty_and_link_only_stand_alone(coach: Coach) -> None:
    assert flags(coach, "   \n ") == ["empty"]
    assert flags(coach, "https://elegante.no/KAMPANJE!!!") == ["link_only"]
    assert flags(coach, "https://a.no https://b.no") == ["link_only"]
    empty = coach.reviewing.by_rules("  ")
    assert not empty.fits and empty.over_by == 0


def test_too_long_is_flagged_with_a_thread_and_the_cut(coach: Coach) -> None:
    draft = (
        "Vi åpner en ny kafé i Storgata med kaffe, boller og lunsj hver dag. " * 6
        + "Hva vil du smake?"
    )
    result = coach.reviewing.by_rules(draft)
    assert "too_long" in result.flags
    assert result.over_by == result.weighted_length - 280 > 0
    assert result.thread and all("/" in part for part in result.thread)
    assert draft.startswith(result.fitting_text)


@pytest.mark.parametrize(
    ("platform", "limit"),
    [("x", 280), ("bluesky", 300), ("mastodon", 500), ("threads", 500), ("linkedin", 3000)],
)
def test_every_platform_is_reviewed_against_its_own_limit(
    coach: Coach, platform: str, limit: int
) -> None:
    fits = coach.reviewing.by_rules("a" * limit, platform)
    assert fits.limit == limit and "too_long" not in fits.flags
    over = coach.reviewing.by_rules("a" * (limit + 3), platform)
    assert "too_long" in over.flags and over.over_by == 3


def test_twitter_is_accepted_and_reported_as_x(coach: Coach) -> None:
    assert coach.reviewing.by_rules("Hei! Hva synes du?", "twitter").platform == "x"


def test_all_caps_ignores_letters_in_urls(coach: Coach) -> None:
    draft = "SE VÅRE NYE JAKKER HER https://example.com/lowercase/path/words?"
    assert "all_caps" in flags(coach, draft)
    assert "all_caps" not in flags(coach, "Se https://EXAMPLE.COM/UPPERCASE/PATH. Hva synes du?")


def test_a_question_mark_inside_a_url_is_not_a_question(coach: Coach) -> None:
    assert "no_dialogue" in flags(coach, "Les mer her: https://example.com/?side=2")


def test_notes_hold_the_course_limit_and_a_gentle_hashtag_note(coach: Coach) -> None:
    result = coach.reviewing.by_rules("Hva synes du om høsten? #høst #kaffe #bergen", "x")
    assert not any("140" in note for note in result.notes)  # only a draft over 140 gets it
    longer = coach.reviewing.by_rules("Hva synes du om høsten? " + "Kaffe og boller. " * 9, "x")
    assert any("140" in note for note in longer.notes)
    assert any("emneknagger" in note for note in result.notes)
    assert "too_many_hashtags" not in result.flags
    assert not any(
        "140" in note for note in coach.reviewing.by_rules("Hei, hva synes du?", "bluesky").notes
    )


def test_suggestions_explain_and_fix_in_the_member_language(coach: Coach) -> None:
    nb = coach.reviewing.by_rules("Norges beste kaffe!!!", None, "nb")
    en = coach.reviewing.by_rules("The best coffee in the world!!!", None, "en")
    for result in (nb, en):
        codes = [s.flag for s in result.suggestions]
        assert codes == result.flags
        assert all(s.explanation and s.fix for s in result.suggestions)
    hype = next(s for s in nb.suggestions if s.flag == "hype_unverifiable_claim")
    assert hype.words == ["Norges beste"]
    assert "troverdighet" in hype.explanation
    assert (
        "credibility"
        in next(s for s in en.suggestions if s.flag == "hype_unverifiable_claim").explanation
    )


def test_the_tone_has_a_line_per_course_norm_and_a_verdict(coach: Coach) -> None:
    good = coach.reviewing.by_rules(
        "Vi har bakt kanelboller i dag. Hvilken smak vil du ha neste uke?"
    )
    assert good.flags == []
    assert set(good.tone.norms) == {
        "troverdighet",
        "gjennomsiktighet",
        "åpenhet",
        "interessant og nyttig",
    }
    assert good.tone.verdict == "Dom: klar til å poste."
    bad = coach.reviewing.by_rules("Fikk tilsendt sko fra Stride, bruk koden EMMA15.")
    assert "Reklame" in bad.tone.verdict
    assert "merket" in bad.tone.norms["gjennomsiktighet"]


def test_lix_is_computed_for_norwegian_text() -> None:
    # 6 words, 1 sentence, 4 long words (over six letters): 6 + 100 * 4 / 6 = 72.7.
    assert lix("Bedriften trenger strategier for alle kanaler.") == 73
    # Two sentences halve the first term: 3 + 100 * 4 / 6 = 69.7.
    assert lix("Bedriften trenger strategier. For alle kanaler.") == 70
    assert lix("😀 #tag") is None


def test_flags_are_listed_in_the_order_to_fix_them(coach: Coach) -> None:
    result = coach.reviewing.by_rules("VERDENS BESTE KAFFE!!! #a #b #c #d #e")
    assert result.flags == [f for f in FLAGS if f in result.flags]


def test_review_arguments_take_a_platform_in_three_spellings() -> None:
    assert parse_review_args("--platform bluesky Hei der") == ("bluesky", "Hei der")
    assert parse_review_args("--platform=mastodon Hei") == ("mastodon", "Hei")
    assert parse_review_args("-p threads Hei") == ("threads", "Hei")
    assert parse_review_args("Hei --platform x") == (None, "Hei --platform x")


def test_a_model_review_is_parsed_or_dropped() -> None:
    ok = parse_llm_review('```json\n{"remarks": ["Godt spørsmål"], "rewrite": "Hei!"}\n```')
    assert ok is not None and ok.remarks == ["Godt spørsmål"] and ok.rewrite == "Hei!"
    assert parse_llm_review("I think it is fine") is None
    assert parse_llm_review('{"remarks": "not a list"}') is None


def test_a_rewrite_that_does_not_fit_is_never_shown(coach: Coach) -> None:
    assert coach.reviewing.reviewer.accept_rewrite("Kort og godt. Hva synes du?", "x") is not None
    assert coach.reviewing.reviewer.accept_rewrite("a" * 281, "x") is None
    assert coach.reviewing.reviewer.accept_rewrite("   ", "x") is None


# -- the LLM seam: the rules stay the backbone ----------------------------------------------

PROMPT = [ChatMessage(role="user", content="review this")]


def test_the_fake_is_a_chat_model() -> None:
    assert isinstance(QueuedChatModel(), ChatModel)


async def test_a_model_adds_remarks_and_a_rewrite_that_fits(coach: Coach) -> None:
    base = coach.reviewing.by_rules("Norges beste kaffe!!!")
    model = QueuedChatModel(
        '{"remarks": ["Vis til en kåring"], "rewrite": "God kaffe. Smakt den?"}'
    )
    result = await add_model_review(base, model, PROMPT, coach.reviewing.reviewer)
    assert result.engine == "llm"
    assert result.remarks == ["Vis til en kåring"]
    assert result.rewrite == "God kaffe. Smakt den?"
    assert result.flags == base.flags  # the rules are untouched


async def test_an_invalid_answer_is_retried_once_then_dropped(coach: Coach) -> None:
    base = coach.reviewing.by_rules("Hei! Hva synes du?")
    retried = await add_model_review(
        base, QueuedChatModel("not json", '{"remarks": ["ok"]}'), PROMPT, coach.reviewing.reviewer
    )
    assert retried.remarks == ["ok"] and retried.engine == "llm"
    dropped = await add_model_review(
        base, QueuedChatModel("not json", "still not"), PROMPT, coach.reviewing.reviewer
    )
    assert dropped.engine == "offline" and dropped.remarks == []
    assert dropped.fallback_reason == "invalid_output"


async def test_a_rewrite_over_the_limit_is_not_shown(coach: Coach) -> None:
    base = coach.reviewing.by_rules("Hei! Hva synes du?")
    model = QueuedChatModel('{"remarks": [], "rewrite": "' + "a" * 300 + '"}')
    result = await add_model_review(base, model, PROMPT, coach.reviewing.reviewer)
    assert result.rewrite is None


async def test_a_failing_model_leaves_the_offline_review(coach: Coach) -> None:
    base = coach.reviewing.by_rules("Hei! Hva synes du?")
    model = QueuedChatModel(LLMTimeout("http://127.0.0.1:9", "timed out"))
    result = await add_model_review(base, model, PROMPT, coach.reviewing.reviewer)
    assert result.engine == "offline" and result.fallback_reason == "timeout"
    assert result.tone == base.tone


async def test_the_reply_shows_model_remarks_and_the_rewrite(coach: Coach) -> None:
    base = coach.reviewing.by_rules("Hei! Hva synes du?")
    model = QueuedChatModel(
        '{"remarks": ["Nevn tidspunkt"], "rewrite": "Hei! Hva synes du om dagens nyhet?"}'
    )
    text = coach.reviewing.reply(
        await add_model_review(base, model, PROMPT, coach.reviewing.reviewer)
    ).text
    assert "Nevn tidspunkt" in text and "Hva synes du om dagens nyhet?" in text
