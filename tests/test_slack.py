"""The Slack adapter end to end: real slack-bolt and slack-sdk over Socket Mode, against a local
server that plays Slack (tests/slack_mock.py), on the real services and a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Services, open_services
from bot.config import Settings, load_settings
from bot.core.knowledge.bundle import Knowledge
from bot.core.reply import Reply, Source
from bot.core.review.length import count
from bot.slack_app import SlackCoach
from bot.slack_app.render import BLOCK_LIMIT, SECTION_LIMIT, escape, plain, render
from tests import procs
from tests.conftest import PYTHON, ROOT, count_member_rows, run_env
from tests.slack_mock import SlackMock, block_problem

TEAM = "T0TEST"
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U")
ME = {"bot_user_id": "UBOT"}  # Bolt's context: the coach's own user id
HOSTILE = "Hei <!channel> og <!here>, <@U0999> sa <https://evil.example|klikk her> &amp; kom!"


@dataclass
class Slack:
    mock: SlackMock
    coach: SlackCoach
    services: Services
    settings: Settings


def slack_settings(tmp_path: Path, mock: SlackMock, **overrides: Any) -> Settings:
    """Settings for a coach on the mock Slack: test tokens, no cooldown, a database in tmp_path."""
    values: dict[str, Any] = {
        "db_path": tmp_path / "coach.db",
        "slack_bot_token": "xoxb-test-token",
        "slack_app_token": "xapp-test-token",
        "slack_api_url": mock.api_url,
        "cooldown_seconds": 0,
    }
    return load_settings(**{**values, **overrides})


@contextlib.asynccontextmanager
async def running(tmp_path: Path, **overrides: Any) -> AsyncIterator[Slack]:
    async with SlackMock(team_id=TEAM, admins={"U0ADMIN"}) as mock:
        settings = slack_settings(tmp_path, mock, **overrides)
        async with open_services(settings) as services:
            coach = SlackCoach(settings, services)
            await coach.start()
            try:
                await mock.connected()
                yield Slack(mock, coach, services, settings)
            finally:
                await coach.close()


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[Slack]:
    async with running(tmp_path) as running_slack:
        yield running_slack


def strings_in(value: object) -> Iterator[str]:
    """Every string inside a payload (texts of blocks, fallbacks, button values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def posted(mock: SlackMock) -> list[object]:
    return [params for method, params in mock.calls if method.startswith("chat.")] + list(
        mock.responses
    )


def block_text(payload: dict[str, Any]) -> str:
    return "\n".join(strings_in(payload.get("blocks", [])))


async def event(slack: Slack, ev: dict[str, Any]) -> float:
    """Send an events_api envelope; return how long the ack took."""
    envelope = await slack.mock.send("events_api", slack.mock.event_envelope_payload(ev))
    seconds, _ = await slack.mock.ack(envelope)
    return seconds


async def slash(slack: Slack, command: str, text: str, user: str = "U0STUDENT") -> float:
    payload = slack.mock.slash_payload(command, text, user=user)
    envelope = await slack.mock.send("slash_commands", payload)
    seconds, _ = await slack.mock.ack(envelope)
    return seconds


async def test_a_mention_is_acked_at_once_and_answered_in_a_thread_with_sources(
    slack: Slack,
) -> None:
    mention = slack.mock.mention_event("hva er åpenhet i sosiale medier?")
    assert await event(slack, mention) < 3.0
    call = await slack.mock.wait_call("chat.postMessage")
    assert call["channel"] == "C0CLASS" and call["thread_ts"] == mention["ts"]
    blocks = call["blocks"]
    assert blocks[0]["type"] == "section" and "«" in blocks[0]["text"]["text"]
    context = [b for b in blocks if b["type"] == "context"]
    assert context and any(".md" in t or "»" in t for t in strings_in(context))
    votes = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in votes[0]["elements"]] == ["vote_up", "vote_down"]


async def test_an_ask_message_is_answered_in_its_thread_and_a_reply_there_follows_up(
    slack: Slack,
) -> None:
    message = slack.mock.message_event("!ask Hvordan får en bedrift flere følgere?")
    await event(slack, message)
    first = await slack.mock.wait_call("chat.postMessage")
    assert first["thread_ts"] == message["ts"]
    conversation = slack.coach.threads[("C0CLASS", message["ts"])]
    # A plain reply in the coach's thread is the next question of the same conversation.
    follow = slack.mock.message_event("Og hva med åpenhet?", thread_ts=message["ts"])
    await event(slack, follow)
    second = await slack.mock.wait_call(
        "chat.postMessage", lambda p: p is not first and p.get("thread_ts") == message["ts"]
    )
    assert second["blocks"] and slack.coach.threads[("C0CLASS", message["ts"])] == conversation
    # A plain message outside the coach's threads is left alone (handled to the end: no post).
    calls = len(slack.mock.calls)
    chat = slack.mock.message_event("hei alle sammen")
    await slack.coach._on_message(chat, slack.mock.event_envelope_payload(chat), ME)
    assert slack.mock.calls[calls:] == []
    # In the coach's thread, a message that starts by naming a classmate is still a follow-up.
    text = "<@U0KARI> og hva er åpenhet?"
    classmate = slack.mock.message_event(text, thread_ts=message["ts"])
    await slack.coach._on_message(classmate, slack.mock.event_envelope_payload(classmate), ME)
    answered = [p for m, p in slack.mock.calls[calls:] if m == "chat.postMessage"]
    assert [p["thread_ts"] for p in answered] == [message["ts"]]


async def test_strategy_by_slash_command_is_private_and_stored_under_the_slack_member(
    slack: Slack, tmp_path: Path
) -> None:
    assert await slash(slack, "/strategy", "start Bakeriet Solsiden") < 3.0
    response = await slack.mock.wait_response(lambda b: "Bakeriet" in json.dumps(b))
    assert response["response_type"] == "ephemeral"
    store = slack.services.store
    assert store is not None
    state = await store.get_strategy(f"slack:{TEAM}", f"slack:{TEAM}:U0STUDENT")
    assert state is not None and state.company == "Bakeriet Solsiden"
    with sqlite3.connect(tmp_path / "coach.db") as conn:
        rows = conn.execute("SELECT guild_id, user_id, display_name FROM members").fetchall()
    assert rows == [(f"slack:{TEAM}", f"slack:{TEAM}:U0STUDENT", "Student U0STUDENT")]
    # !strategy in a channel: an ephemeral message only the member sees, in the thread.
    message = slack.mock.message_event("!strategy status")
    await event(slack, message)
    hidden = await slack.mock.wait_call("chat.postEphemeral")
    assert hidden["user"] == "U0STUDENT" and hidden["thread_ts"] == message["ts"]
    assert not [p for m, p in slack.mock.calls if m == "chat.postMessage"]
    # forget (confirmed) removes every row of the Slack member.
    await slash(slack, "/strategy", "forget confirm")
    await slack.mock.wait_response(lambda b: b is not response and "confirm" not in json.dumps(b))
    assert count_member_rows(tmp_path / "coach.db", f"slack:{TEAM}", f"slack:{TEAM}:U0STUDENT") == 0


async def test_review_of_a_draft_full_of_pings_posts_nothing_that_pings(slack: Slack) -> None:
    assert await slash(slack, "/review", HOSTILE) < 3.0
    response = await slack.mock.wait_response()
    assert response["response_type"] == "ephemeral"
    # The draft is counted as the member typed it: "@channel", the link's address, "&".
    typed = plain(HOSTILE)
    assert typed == "Hei @channel og @here, @U0999 sa https://evil.example & kom!"
    platforms = slack.coach.coach.knowledge.platforms
    length = count(typed, platforms.get("x")).length
    assert f"{length}/280" in block_text(response)
    message = slack.mock.message_event(f"!review {HOSTILE}")
    await event(slack, message)
    await slack.mock.wait_call("chat.postMessage")
    mention = slack.mock.mention_event(f"hva sier kurset om {HOSTILE}")
    await event(slack, mention)
    await slack.mock.wait_call("chat.postMessage", lambda p: p["thread_ts"] == mention["ts"])
    for payload in posted(slack.mock):
        for value in strings_in(payload):
            assert not any(ping in value for ping in PINGS), value
            assert "<https://evil" not in value


async def test_a_vote_is_stored_with_the_question_and_its_sources(
    slack: Slack, tmp_path: Path
) -> None:
    await event(slack, slack.mock.mention_event("hva er en målgruppe?"))
    call = await slack.mock.wait_call("chat.postMessage")
    votes = next(b for b in call["blocks"] if b["type"] == "actions")
    down = votes["elements"][1]
    payload = slack.mock.block_action_payload("vote_down", down["value"], message_ts="1.5")
    envelope = await slack.mock.send("interactive", payload)
    seconds, _ = await slack.mock.ack(envelope)
    assert seconds < 3.0
    thanks = await slack.mock.wait_response()
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    with sqlite3.connect(tmp_path / "coach.db") as conn:
        rows = conn.execute("SELECT guild_id, user_id, message_id, question, vote FROM votes")
        stored = rows.fetchall()
    assert stored == [
        (
            f"slack:{TEAM}",
            f"slack:{TEAM}:U0STUDENT",
            f"slack:{TEAM}:C0CLASS:1.5",
            "hva er en målgruppe?",
            -1,
        )
    ]


async def test_only_admins_and_listed_teachers_see_stats(tmp_path: Path) -> None:
    async with running(tmp_path, slack_teachers="U0LISTED") as slack:
        asked = slack.mock.message_event("!ask hva er åpenhet?")
        await slack.coach._on_message(asked, slack.mock.event_envelope_payload(asked), ME)
        for user in ("U0STUDENT", "U0ADMIN", "U0LISTED"):
            message = slack.mock.message_event("!stats", user=user)
            await event(slack, message)
            await slack.mock.wait_call(
                "chat.postEphemeral",
                lambda p, u=user: p["user"] == u,  # type: ignore[misc]
            )
        replies = {
            p["user"]: block_text(p) for m, p in slack.mock.calls if m == "chat.postEphemeral"
        }
        refusal = slack.coach.coach.strings.t("nb", "slack.not_allowed")
    assert escape(refusal) in replies["U0STUDENT"]
    assert escape(refusal) not in replies["U0ADMIN"]
    assert escape(refusal) not in replies["U0LISTED"]
    assert "Bruk i dette arbeidsområdet" in replies["U0ADMIN"] and "!ask: 1" in replies["U0ADMIN"]


async def test_outside_coach_slack_channels_nothing_is_answered(tmp_path: Path) -> None:
    async with running(tmp_path, slack_channels="C0CLASS") as slack:
        for channel in ("C0OTHER", "C0CLASS"):
            message = slack.mock.message_event("!ask hva er åpenhet?", channel=channel)
            await slack.coach._on_message(message, slack.mock.event_envelope_payload(message), ME)
        channels = [p["channel"] for m, p in slack.mock.calls if m.startswith("chat.")]
        slash_elsewhere = dict(slack.mock.slash_payload("/ask", "hva er åpenhet?"), channel_id="C9")
        await slack.mock.ack(await slack.mock.send("slash_commands", slash_elsewhere))
        told = await slack.mock.wait_response()
    assert channels == ["C0CLASS"]
    assert "svarer ikke i denne kanalen" in block_text(told)


def test_long_replies_are_split_into_sections_and_messages_within_slack_limits(
    knowledge: Knowledge,
) -> None:
    strings = knowledge.strings
    sentence = "Dette er en setning om sosiale medier & <!here>. "
    parts = [sentence * 200 for _ in range(12)]
    sources = [Source(n=i, title=f"Post {i}", path=f"p{i}.md", score=1.0) for i in range(1, 14)]
    messages = render(Reply(parts=parts, sources=sources), strings)
    assert len(messages) > 1
    sections = [b for m in messages for b in m if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in sections)
    assert all(len(m) <= BLOCK_LIMIT for m in messages)
    shown = plain(" ".join(b["text"]["text"] for b in sections))
    assert shown.count("sosiale medier") == 12 * 200  # nothing lost in the splitting
    assert "<!here>" not in " ".join(strings_in(messages))
    contexts = [b for m in messages for b in m if b["type"] == "context"]
    assert all(len(b["elements"]) <= 10 for b in contexts)


def test_plain_gives_back_what_the_member_typed() -> None:
    assert plain("<!channel> <!here> <@U012|kari> <#C01|kurs>") == "@channel @here @kari #kurs"
    assert plain("se <https://x.no/a?b=1&amp;c=2|x.no> &lt;3 &amp; mer") == (
        "se https://x.no/a?b=1&c=2 <3 & mer"
    )
    assert escape(plain("<!channel> & <@U1>")) == "@channel &amp; @U1"


@pytest.mark.slow
async def test_python_m_bot_runs_slack_answers_a_mention_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    """The coach as a user runs it: both tokens and SLACK_API_URL pointed at a local Slack."""
    async with SlackMock(team_id=TEAM) as mock:
        env = run_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-secret-bot-token",
            SLACK_APP_TOKEN="xapp-secret-app-token",
            SLACK_API_URL=mock.api_url,
        )
        args = [PYTHON, "-m", "bot"]
        with procs.spawned(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) as proc:
            await mock.connected(timeout=procs.HANG_GUARD)
            mention = mock.mention_event("hva er åpenhet?")
            envelope = await mock.send("events_api", mock.event_envelope_payload(mention))
            seconds, _ = await mock.ack(envelope, timeout=procs.HANG_GUARD)
            call = await mock.wait_call("chat.postMessage", timeout=procs.HANG_GUARD)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(proc.wait, procs.HANG_GUARD)
            stopping = time.monotonic() - started
            err = proc.stderr.read() if proc.stderr is not None else ""
    assert code == 0, err
    assert seconds < 3.0 and call["thread_ts"] == mention["ts"] and call["blocks"]
    assert stopping < 10.0
    assert "secret" not in err and "Traceback" not in err
    assert "WARNING" not in err, err  # Bolt's token-versus-client warning included


def test_one_slack_token_alone_exits_2_and_names_the_other(tmp_path: Path) -> None:
    env = run_env(tmp_path, SLACK_BOT_TOKEN="xoxb-only-this")
    result = procs.run([PYTHON, "-m", "bot"], env=env, cwd=ROOT)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr and "xoxb-only-this" not in result.stderr


def test_a_bot_token_in_the_app_token_setting_is_refused(tmp_path: Path) -> None:
    env = run_env(tmp_path, SLACK_BOT_TOKEN="xoxb-a", SLACK_APP_TOKEN="xoxb-b")
    result = procs.run([PYTHON, "-m", "bot"], env=env, cwd=ROOT)
    assert (
        result.returncode == 2 and "SLACK_APP_TOKEN" in result.stderr and "xapp-" in result.stderr
    )


if sys.platform == "win32":  # pragma: no cover - signals differ there
    pytestmark = pytest.mark.skip("POSIX signals")


async def test_with_a_discord_token_too_both_run_in_one_process_on_one_set_of_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve_chat() starts the Discord bot beside Slack on the same services; a stop closes both.

    Discord's gateway is the outer seam (no network here): `CoachBot.start` records the services
    it was given and waits to be closed.
    """
    from bot.__main__ import serve_chat
    from bot.discord_app.bot import CoachBot

    seen: dict[str, Any] = {}
    closed = asyncio.Event()

    async def start(self: CoachBot, token: str, *, reconnect: bool = True) -> None:
        seen["services"], seen["token"] = self.services, token
        await closed.wait()

    async def close(self: CoachBot) -> None:
        closed.set()

    class Recorded(SlackCoach):
        def __init__(self, settings: Settings, services: Services) -> None:
            seen["slack services"] = services
            super().__init__(settings, services)

    monkeypatch.setattr(CoachBot, "start", start)
    monkeypatch.setattr(CoachBot, "close", close)
    monkeypatch.setattr("bot.slack_app.SlackCoach", Recorded)
    async with SlackMock(team_id=TEAM) as mock:
        settings = slack_settings(tmp_path, mock, discord_token="discord-test-token")
        stop = asyncio.Event()
        running_task = asyncio.ensure_future(serve_chat(settings, stop))
        await mock.connected()
        mention = mock.mention_event("hva er åpenhet?")
        await mock.ack(await mock.send("events_api", mock.event_envelope_payload(mention)))
        await mock.wait_call("chat.postMessage")
        while "services" not in seen:
            await asyncio.sleep(0.01)
        stop.set()
        assert await asyncio.wait_for(running_task, procs.HANG_GUARD) == 0
    assert seen["token"] == "discord-test-token"
    assert closed.is_set()
    assert seen["services"] is seen["slack services"]
    assert seen["services"].store is None  # closed, with the HTTP client, when serve_chat() ended


async def test_a_teacher_adds_a_shared_pdf_and_a_student_then_gets_answers_from_it(
    tmp_path: Path,
) -> None:
    from tests.docfiles import make_file

    pages = [
        ("Kundeklubb", "Kundeklubben Kaffeprat gir medlemmer en gratis kopp hver tiende gang."),
        ("Lojalitet", "Lojalitetsprogrammet Kaffeprat belønner stamkunder med smaksprøver."),
    ]
    pdf = make_file(tmp_path / "Forelesning 9.pdf", pages, title="Forelesning 9").read_bytes()
    async with running(tmp_path) as slack:
        shared = slack.mock.shared_file("Forelesning 9.pdf", pdf)
        for user, method in (("U0STUDENT", "chat.postEphemeral"), ("U0ADMIN", "chat.postMessage")):
            message = slack.mock.message_event("!knowledge add", user=user)
            message.update(subtype="file_share", files=[shared])
            await event(slack, message)
            await slack.mock.wait_call(method)
        refused = next(p for m, p in slack.mock.calls if m == "chat.postEphemeral")
        added = next(p for m, p in slack.mock.calls if m == "chat.postMessage")
        refusal = slack.coach.coach.strings.t("nb", "slack.not_allowed")
        assert refused["user"] == "U0STUDENT" and escape(refusal) in block_text(refused)
        assert "Forelesning 9" in block_text(added)
        assert len(list((tmp_path / "knowledge").glob("*.md"))) == 1
        mention = slack.mock.mention_event("Hva gir kundeklubben Kaffeprat medlemmene?")
        await event(slack, mention)
        answer = await slack.mock.wait_call(
            "chat.postMessage", lambda p: p["thread_ts"] == mention["ts"]
        )
    assert "gratis kopp" in block_text(answer)
    assert "Forelesning 9.pdf, side 1" in block_text(answer)


async def test_english_in_a_dm_gets_english_at_the_top_of_the_dm(slack: Slack) -> None:
    message = slack.mock.message_event(
        "What does the course say about openness?", channel="D0DIRECT", channel_type="im"
    )
    await event(slack, message)
    call = await slack.mock.wait_call("chat.postMessage")
    assert call["channel"] == "D0DIRECT" and "thread_ts" not in call
    assert "The course material says" in block_text(call) or "Sources" in block_text(call)


async def test_a_second_command_within_the_cooldown_is_told_when_to_try_again(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as slack:
        slack.settings.cooldown_seconds = 60
        for _ in range(2):
            message = slack.mock.message_event("!review Vi åpner i morgen, kom innom!")
            await event(slack, message)
        notice = await slack.mock.wait_call("chat.postEphemeral")
        assert "sekunder" in block_text(notice) and notice["user"] == "U0STUDENT"
        await slash(slack, "/review", "En annen tekst")
        told = await slack.mock.wait_response()
    assert "sekunder" in block_text(told)


async def test_an_export_goes_inline_and_a_failure_gets_an_apology_with_an_id(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slash(slack, "/strategy", "start Sykkelverkstedet")
    await slack.mock.wait_response()
    await slash(slack, "/strategy", "export")
    export = await slack.mock.wait_response(lambda b: "📎" in block_text(b))
    assert "Sykkelverkstedet" in block_text(export) and "```" in block_text(export)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the core broke")

    monkeypatch.setattr(slack.services.coach, "handle", broken)
    message = slack.mock.message_event("!ask hva er åpenhet?")
    await event(slack, message)
    apology = await slack.mock.wait_call("chat.postEphemeral")
    assert "feil-id" in block_text(apology) and "RuntimeError" not in block_text(apology)


async def test_a_mention_inside_the_coachs_thread_is_answered_once(slack: Slack) -> None:
    message = slack.mock.message_event("!ask hva er en målgruppe?")
    await event(slack, message)
    await slack.mock.wait_call("chat.postMessage")
    text = "takk! <@UBOT> og hva er åpenhet?"
    follow = slack.mock.message_event(text, thread_ts=message["ts"])
    body = slack.mock.event_envelope_payload(follow)
    # The message event of a mention is left to the app_mention event: handling it posts nothing.
    before = len(slack.mock.calls)
    await slack.coach._on_message(follow, body, ME)
    assert len(slack.mock.calls) == before
    mention = dict(slack.mock.mention_event(text, ts=follow["ts"]), thread_ts=message["ts"])
    await slack.coach._on_mention(mention, slack.mock.event_envelope_payload(mention), ME)
    answers = [p for m, p in slack.mock.calls[before:] if m == "chat.postMessage"]
    assert [p["thread_ts"] for p in answers] == [message["ts"]]


async def test_a_question_of_emoji_and_accents_keeps_its_buttons_within_slacks_limits(
    slack: Slack,
) -> None:
    question = "Hva mener kurset om åpenhet og ærlighet på sosiale medier? " + "🍰😀" * 150
    mention = slack.mock.mention_event(question)
    await event(slack, mention)
    call = await slack.mock.wait_call("chat.postMessage")
    assert block_problem(call["blocks"]) is None  # what Slack would refuse (invalid_blocks)
    votes = next(b for b in call["blocks"] if b["type"] == "actions")
    value = json.loads(votes["elements"][0]["value"])
    assert len(votes["elements"][0]["value"]) <= 2000 and value["q"].startswith("Hva mener")
    assert all(b["text"]["verbatim"] for b in call["blocks"] if b["type"] == "section")
    assert call["link_names"] in (False, "false", "0", 0) and call["parse"] == "none"


async def test_a_token_slack_refuses_stops_start_up_naming_the_setting(tmp_path: Path) -> None:
    from bot.__main__ import serve_chat
    from bot.errors import ConfigError

    async with SlackMock(team_id=TEAM) as mock:
        mock.revoked.add("xoxb-revoked")
        settings = slack_settings(tmp_path, mock, slack_bot_token="xoxb-revoked")
        with pytest.raises(ConfigError) as refused:
            await asyncio.wait_for(serve_chat(settings), procs.HANG_GUARD)
    assert refused.value.setting == "SLACK_BOT_TOKEN" and "invalid_auth" in str(refused.value)
    assert "xoxb-revoked" not in str(refused.value)
    assert mock.connections == 0


async def test_a_discord_token_discord_refuses_ends_both_with_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import discord

    from bot.__main__ import serve_chat
    from bot.discord_app.bot import CoachBot

    async def refused(self: CoachBot, token: str, *, reconnect: bool = True) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(CoachBot, "start", refused)
    async with SlackMock(team_id=TEAM) as mock:
        settings = slack_settings(tmp_path, mock, discord_token="discord-wrong")
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(serve_chat(settings), procs.HANG_GUARD)


@pytest.mark.slow
def test_sigterm_stops_the_coach_while_slack_cannot_be_reached(tmp_path: Path) -> None:
    import queue
    import socket
    import threading

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = run_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
    )
    args = [PYTHON, "-m", "bot"]
    with procs.spawned(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) as proc:
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stderr is not None
        stream = proc.stderr
        threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
        seen = ""
        while "cannot be reached" not in seen:
            seen = lines.get(timeout=procs.HANG_GUARD)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(procs.HANG_GUARD)
        stopping = time.monotonic() - started
    assert code == 0 and stopping < 10.0
