"""Hostile input: random Unicode, control and bidi characters, markdown, mentions, up to 4,000
characters, through every command's parsing, the core and the Discord renderer. Never an
exception, every message under 2,000 characters, no ping, no traceback.

HOSTILE_EXAMPLES sets the examples per command: 200 in the suite, 2,000 in .ci/run.

`ask` and `review` are marked slow: a long draft with no spaces is cut into thread parts
grapheme by grapheme, each cut recounted with twitter-text's emoji regex, so a few of the
4,000-character examples take seconds each (the review cases take 20-80 s in all). They keep
their full number of examples; `-m "not slow"` leaves them out of the quick run.
"""

from __future__ import annotations

import asyncio
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.commands import parse_command
from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach, Context
from bot.discord_app.render import LIMIT, render

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "200"))
NASTY = [
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\u0301",
    "\u0338",
    "🫱🏻\u200d🫲🏿",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇳🇴",
    "```",
    "```python\n",
    "**",
    "__",
    "~~",
    "||",
    "> ",
    "# ",
    "@everyone",
    "@here",
    "<@123>",
    "<@&456>",
    "<#789>",
    "https://x.no/a?b=1",
    "\n",
    "\r\n",
    "\t",
    "  ",
    "!",
    "?",
    "«",
    "»",
    "æøå",
    "ÆØÅ",
    "日本語",
    "ن",
    "\ud7ff",
    "\U0010ffff",
]
text = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(NASTY), st.text(alphabet="!?.#@ ", max_size=5)),
    max_size=60,
).map("".join)
long_text = st.builds(lambda t, n: (t * n)[:4000], text.filter(bool), st.integers(1, 400))
payload = st.one_of(text, long_text)
MENTION = re.compile(r"@everyone|@here|<@&?\d+>")
COMMON = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check(coach: Coach, reply_text: str, messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert len(message) < LIMIT
        assert "Traceback" not in message
    assert reply_text.strip()


SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "command",
    [
        pytest.param("ask", marks=SLOW),
        pytest.param("review", marks=SLOW),
        pytest.param("review --platform bluesky", marks=SLOW),
        "help",
        "nope",
    ],
)
def test_any_text_after_any_command_gets_a_clean_reply(knowledge: Knowledge, command: str) -> None:
    coach = Coach(knowledge)

    with asyncio.Runner() as runner:

        @COMMON
        @given(payload)
        def run(body: str) -> None:
            reply = runner.run(coach.handle(f"!{command} {body}", Context()))
            check(coach, reply.text, render(reply, coach.strings))

        run()


def test_any_strategy_text_gets_a_clean_reply_without_a_database(knowledge: Knowledge) -> None:
    coach = Coach(knowledge)

    with asyncio.Runner() as runner:

        @COMMON
        @given(st.sampled_from(["", "start", "answer", "goto", "show", "class", "forget"]), payload)
        def run(sub: str, body: str) -> None:
            reply = runner.run(coach.handle(f"!strategy {sub} {body}", Context()))
            check(coach, reply.text, render(reply, coach.strings))

        run()


@COMMON
@given(payload)
def test_parsing_never_fails_and_keeps_the_draft_as_typed(body: str) -> None:
    parsed = parse_command("!review " + body)
    assert parsed is not None and parsed.name == "review"
    assert parsed.args == body.strip() or not body.strip()


@settings(max_examples=EXAMPLES, deadline=None)
@given(payload)
def test_the_renderer_splits_anything_under_the_limit(body: str) -> None:
    from bot.core.reply import Reply

    reply = Reply(parts=[body or "x", body * 3 or "y"])
    for message in render(reply, STRINGS):
        assert len(message) < LIMIT


STRINGS = None


def setup_module() -> None:
    global STRINGS
    from bot.core.strings import load_strings

    STRINGS = load_strings()
