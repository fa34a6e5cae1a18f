"""`!strategy`: every command, feedback per step in both languages, the steps data, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach, Context
from bot.core.strategy import STEP_KEYS, feedback, load_steps
from bot.errors import DataFileError
from bot.store import SQLiteStore, open_store
from tests import procs
from tests.conftest import KNOWLEDGE, PYTHON, ROOT, count_member_rows, run_env

KARI = Context(user_id=1, guild_id=5, display_name="Kari")
OLA = Context(user_id=2, guild_id=5, display_name="Ola")
TEACHER = Context(user_id=9, guild_id=5, display_name="Lærer", is_teacher=True)


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = await open_store(tmp_path / "coach.db")
    yield opened
    await opened.close()


@pytest.fixture
def sc(knowledge: Knowledge, store: SQLiteStore) -> Coach:
    return Coach(knowledge, store=store)


async def say(coach: Coach, text: str, ctx: Context = KARI) -> str:
    reply = await coach.handle(text, ctx)
    assert reply.private and reply.text
    return reply.text + "".join(a.content for a in reply.attachments)


async def test_without_a_strategy_the_coach_explains_how_to_start(sc: Coach) -> None:
    assert "!strategy start" in await say(sc, "!strategy")
    assert "!strategy start" in await say(sc, "!strategy status")
    assert "!strategy start" in await say(sc, "!strategy start")


async def test_start_shows_the_first_step_with_course_quotes(sc: Coach) -> None:
    text = await say(sc, "!strategy start Elegantè")
    assert "Steg 1/10" in text and "Fra kurset:" in text
    assert "allerede" in await say(sc, "!strategy start Noe annet")


async def test_answer_saves_gives_feedback_and_never_advances(
    sc: Coach, store: SQLiteStore
) -> None:
    await say(sc, "!strategy start Elegantè")
    text = await say(
        sc, "!strategy answer Elegantè er en bank for unge som tilbyr lån. I dag er de passive."
    )
    assert "versjon 1" in text
    again = await say(
        sc, "!strategy answer En bank for unge 18-30 år som tilbyr lån og sparing, passiv i dag."
    )
    assert "versjon 2" in again
    strategy = await store.get_strategy(5, 1)
    assert strategy is not None and strategy.current_step == 0
    first = (await store.revisions(5, 1, "company"))[0]
    assert first.text.startswith("Elegantè er")


async def test_next_back_goto_and_show_move_between_steps(sc: Coach, store: SQLiteStore) -> None:
    await say(sc, "!strategy start Elegantè")
    assert "Steg 2/10" in await say(sc, "!strategy next")
    assert "Steg 1/10" in await say(sc, "!strategy back")
    assert "første steg" in await say(sc, "!strategy back")
    assert "Steg 6/10" in await say(sc, "!strategy goto norms")
    assert "Steg 3/10" in await say(sc, "!strategy goto 3")
    assert "1–10" in await say(sc, "!strategy goto 11")
    assert "Steg 9/10" in await say(sc, "!strategy show measuring")
    strategy = await store.get_strategy(5, 1)
    assert strategy is not None and strategy.current_step == 2  # show does not move
    await say(sc, "!strategy goto 10")
    assert "siste steg" in await say(sc, "!strategy next")


async def test_status_shows_a_progress_bar_and_each_state(sc: Coach) -> None:
    await say(sc, "!strategy start Elegantè")
    await say(sc, "!strategy answer Elegantè er en bank for unge som tilbyr lån og sparing i dag.")
    await say(sc, "!strategy next")
    await say(sc, "!strategy answer Vi vil ha 1500 følgere innen juni 2027.")
    await say(sc, "!strategy next")
    text = await say(sc, "!strategy status")
    assert "▰▰▱▱▱▱▱▱▱▱ 2/10" in text
    assert "✅ 1." in text and "▶ 3." in text and "○ 4." in text


async def test_export_holds_every_answer_word_for_word_and_the_sources(sc: Coach) -> None:
    await say(sc, "!strategy start Elegantè")
    answer = "Elegantè er en bank for unge (18–30 år) som tilbyr lån & sparing — «passiv» i dag!"
    await say(sc, f"!strategy answer {answer}")
    reply = await sc.handle("!strategy export", KARI)
    assert reply.attachments and reply.attachments[0].filename.endswith(".md")
    markdown = reply.attachments[0].content
    assert answer in markdown
    assert "knowledge/posts/3-elegante.md" in markdown
    assert markdown.count("## ") >= 10


async def test_the_summary_step_assembles_the_plan_from_the_answers(sc: Coach) -> None:
    await say(sc, "!strategy start Elegantè")
    await say(sc, "!strategy answer Elegantè er en bank for unge som tilbyr lån og sparing i dag.")
    text = await say(sc, "!strategy goto summary")
    assert "Elegantè er en bank for unge som tilbyr lån og sparing i dag." in text


async def test_reset_and_forget_ask_for_confirmation(sc: Coach, store: SQLiteStore) -> None:
    await say(sc, "!strategy start Elegantè")
    await say(sc, "!strategy answer Elegantè er en bank for unge som tilbyr lån og sparing.")
    assert "confirm" in await say(sc, "!strategy reset")
    assert await store.get_strategy(5, 1) is not None
    assert "arkivert" in await say(sc, "!strategy reset confirm")
    assert await store.get_strategy(5, 1) is None
    await say(sc, "!strategy start Ny bedrift")
    assert "confirm" in await say(sc, "!strategy forget")
    assert count_member_rows(store.path, 5, 1) > 0
    assert "slettet" in await say(sc, "!strategy forget bekreft")
    assert count_member_rows(store.path, 5, 1) == 0


async def test_one_member_never_sees_another_members_answers(sc: Coach) -> None:
    await say(sc, "!strategy start Karis firma", KARI)
    await say(sc, "!strategy answer Karis hemmelige plan for bakeriet i sentrum.", KARI)
    await say(sc, "!strategy start Olas firma", OLA)
    for command in ["!strategy", "!strategy status", "!strategy export", "!strategy show 1"]:
        assert "hemmelige" not in await say(sc, command, OLA)


async def test_the_class_view_is_for_teachers_only(sc: Coach) -> None:
    await say(sc, "!strategy start Karis firma", KARI)
    await say(sc, "!strategy start Olas firma", OLA)
    await say(sc, "!strategy next", OLA)
    assert "bare for lærere" in await say(sc, "!strategy class", KARI)
    text = await say(sc, "!strategy class", TEACHER)
    assert "2 medlemmer" in text and "Kari" in text and "Ola" in text
    reply = await sc.handle("!strategy class export", TEACHER)
    csv_text = reply.attachments[0].content
    assert csv_text.splitlines()[0].startswith("user_id,name,company,step")
    assert "Karis firma" in csv_text and "Olas firma" in csv_text
    assert (await sc.handle("!strategy class export", KARI)).attachments == []


async def test_without_a_database_strategy_says_so_and_other_commands_work(
    knowledge: Knowledge,
) -> None:
    coach = Coach(knowledge, store=None)
    assert "databasen" in (await coach.handle("!strategy start X", KARI)).text
    assert (await coach.handle("!ask Hva er åpenhet?", KARI)).kind == "answer"


async def test_english_members_get_english_replies(sc: Coach) -> None:
    text = await say(sc, "!strategy start The Bike Shop Bergen")
    text = await say(
        sc, "!strategy answer We are a bike shop for students that sells used bikes today."
    )
    assert "Saved your answer" in text
    assert "Step 1/10" in await say(sc, "!strategy show")


async def test_an_unknown_subcommand_is_explained(sc: Coach) -> None:
    assert "!strategy help" in await say(sc, "!strategy dance")
    assert "!strategy answer" in await say(sc, "!strategy help")


# -- feedback rules, per step, both languages ----------------------------------------------

GOOD = {
    "company": (
        "Bakeriet Solsiden selger brød og kaker til folk i sentrum. I dag er vi bare på Facebook.",
        "Solsiden Bakery sells bread to people downtown. Today we are only on Facebook.",
    ),
    "goals": (
        "Vi vil få 1500 følgere på Instagram innen juni 2027.",
        "We want 1,500 Instagram followers by June 2027.",
    ),
    "audience": (
        "Studenter mellom 19 og 25 år som trenger billig lunsj.",
        "Students aged 19 to 25 who need a cheap lunch.",
    ),
    "channels": (
        "Instagram, fordi studentene er der, og TikTok for korte videoer.",
        "Instagram, because the students are there, and TikTok for short videos.",
    ),
    "content": (
        "Tips og bilder bak kulissene, tre innlegg i uka.",
        "Tips and behind the scenes photos, three posts a week.",
    ),
    "norms": (
        "Vi skal være troverdige med ekte bilder, gjennomsiktige om priser og åpne ved å svare.",
        "We will be credible with real photos, transparent about prices and open by answering.",
    ),
    "roles": (
        "Daglig leder poster, og de ansatte svarer innen to timer, også på kritikk.",
        "The manager posts, and staff answer within two hours, also to criticism.",
    ),
    "following": (
        "Først venner og ansatte, så en konkurranse der folk deler og tagger venner.",
        "First friends and employees, then a competition where people share and tag friends.",
    ),
    "measuring": (
        "Vi måler følgere og klikk hver måned og endrer innholdet hvis tallene faller.",
        "We measure followers and clicks every month and change the content if figures fall.",
    ),
    "summary": (
        "Mål: 1500 følgere innen juni. Målgruppe: studenter 19-25. Kanaler: Instagram og TikTok. "
        "Innhold: tips tre ganger i uka. Normer: ekte, åpne og ærlige. Roller: leder poster. "
        "Måling: følgere og klikk hver måned.",
        "Goals: 1,500 followers by June. Audience: students aged 19-25. Channels: Instagram and "
        "TikTok. Content: tips three times a week. Norms: genuine, open and honest. Roles: the "
        "manager posts. Measuring: followers and clicks monthly.",
    ),
}
WEAK = {  # each misses what its step asks for
    "company": (
        "Det er en bedrift som jeg liker veldig godt.",
        "It is a company that I like very much.",
    ),
    "goals": (
        "Vi vil bli mer synlige og få flere kunder.",
        "We want to be more visible and get more customers.",
    ),
    "audience": (
        "Alle som liker gode ting og bruker sosiale medier.",
        "Everyone who likes good things online.",
    ),
    "channels": (
        "Vi skal bruke de vanlige kanalene på nettet.",
        "We will use the usual channels online.",
    ),
    "content": (
        "Vi skal poste noe av og til på nettet.",
        "We will post something on the web at some point.",
    ),
    "norms": ("Vi skal være troverdige i alt vi gjør.", "We will be credible in everything we do."),
    "roles": (
        "Noen må ta ansvar for dette etter hvert.",
        "Somebody must take responsibility for it eventually.",
    ),
    "following": (
        "Vi håper at folk finner oss etter hvert.",
        "We hope that people will find us eventually.",
    ),
    "measuring": ("Vi skal se om det går bra.", "We will see whether it goes well."),
    "summary": ("Planen er ferdig og jeg er fornøyd.", "The plan is done and I am happy with it."),
}


@pytest.mark.parametrize("key", STEP_KEYS)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_complete_answer_passes_every_check(knowledge: Knowledge, key: str, lang: str) -> None:
    text = GOOD[key][0 if lang == "nb" else 1]
    result = feedback(knowledge.steps, key, text, lang, None)  # type: ignore[arg-type]
    assert result.kind == "good", result.hints


@pytest.mark.parametrize("key", STEP_KEYS)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_weak_answer_gets_questions_not_an_answer(
    knowledge: Knowledge, key: str, lang: str
) -> None:
    text = WEAK[key][0 if lang == "nb" else 1]
    result = feedback(knowledge.steps, key, text, lang, None)  # type: ignore[arg-type]
    assert result.kind in ("hints", "off_topic"), result
    for hint in result.hints:
        assert hint.rstrip().endswith(("?", ".", "»", "”")) and text not in hint


def test_norms_name_the_factor_that_is_missing(knowledge: Knowledge) -> None:
    result = feedback(knowledge.steps, "norms", WEAK["norms"][0], "nb", None)
    assert any("gjennomsiktighet og åpenhet" in h for h in result.hints)
    english = feedback(knowledge.steps, "norms", WEAK["norms"][1], "en", None)
    assert any("transparency and openness" in h for h in english.hints)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("vet ikke", "vague"),
        ("ok", "vague"),
        ("idk", "vague"),
        ("Pizza med ananas er det beste som finnes i hele verden.", "off_topic"),
    ],
)
def test_vague_and_off_topic_answers_are_brought_back(
    knowledge: Knowledge, text: str, kind: str
) -> None:
    assert feedback(knowledge.steps, "goals", text, "nb", None).kind == kind


async def test_an_abusive_answer_gets_a_calm_reply_and_is_kept(
    sc: Coach, store: SQLiteStore
) -> None:
    await say(sc, "!strategy start Elegantè")
    text = await say(sc, "!strategy answer Dette er dumt, dere er idioter alle sammen.")
    assert "vennlig" in text
    assert len(await store.revisions(5, 1, "company")) == 1


# -- the steps as data ----------------------------------------------------------------------


def test_every_step_is_complete_in_both_languages(knowledge: Knowledge) -> None:
    steps = knowledge.steps.steps
    assert tuple(s.key for s in steps) == STEP_KEYS
    for step in steps:
        assert step.title.nb and step.title.en and step.question.nb and step.question.en
        assert step.course or step.course_silent is not None
        assert len(step.covers.nb) == len(step.covers.en) >= 3


def test_a_quote_that_is_not_in_the_course_stops_loading(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "strategy_steps.yaml"
    text = path.read_text(encoding="utf-8")
    quote = knowledge.steps.steps[0].course[0].quote
    path.write_text(text.replace(quote, quote.replace("lån", "kryptovaluta"), 1), "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_steps(folder, knowledge.base)
    assert caught.value.line is not None and "word for word" in str(caught.value)


def test_steps_out_of_order_stop_loading(tmp_path: Path, knowledge: Knowledge) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "strategy_steps.yaml"
    path.write_text(path.read_text("utf-8").replace("key: goals", "key: aims"), "utf-8")
    with pytest.raises(DataFileError, match="in order"):
        load_steps(folder, knowledge.base)


# -- the CLI, across processes -------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> dict[str, object]:
    out = procs.run(
        [PYTHON, "-m", "bot", "strategy", "--json", *args],
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    data: dict[str, object] = json.loads(out.stdout)
    return data


@pytest.mark.slow
def test_a_conversation_survives_separate_processes(tmp_path: Path) -> None:
    first = cli(tmp_path, "--user", "42", "start", "Elegantè")
    assert first["company"] == "Elegantè" and first["total_steps"] == 10
    assert first["step"] == {"n": 1, "key": "company", "title": "Bedriften i dag"}
    weak = cli(tmp_path, "--user", "42", "answer", "Elegantè er en bank for unge 18-30 år.")
    assert weak["assessment"] == {"state": "needs_work", "missing": ["today"]}
    assert weak["done"] == [] and weak["steps"] == [{"key": "company", "state": "needs_work"}]
    good = "Elegantè er en bank for unge 18-30 år, og er passiv i sosiale medier i dag."
    assert cli(tmp_path, "--user", "42", "answer", good)["assessment"]["state"] == "good"  # type: ignore[index]
    moved = cli(tmp_path, "--user", "42", "next")
    assert moved["step"]["n"] == 2 and moved["done"] == ["company"]  # type: ignore[index]
    assert "assessment" not in moved  # only an answer is assessed
    exported = cli(tmp_path, "--user", "42", "export")
    assert good in str(exported["reply"])
    other = cli(tmp_path, "--user", "43", "--guild", "7", "status")
    assert other["company"] is None and other["user"] == 43 and other["guild"] == 7
    gone = cli(tmp_path, "--user", "42", "forget", "confirm")
    assert gone["company"] is None
