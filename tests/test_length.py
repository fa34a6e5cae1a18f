"""Length as each platform counts it: X's twitter-text v3 weights, graphemes, code points."""

from __future__ import annotations

from pathlib import Path

import pytest
import twitter_text
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.review.length import Platforms, count, is_emoji_sequence, load_platforms, thread
from tests.conftest import KNOWLEDGE, ROOT

CONFORMANCE = ROOT.parent / "shared" / "conformance" / "twitter-text-validate.yml"


@pytest.fixture(scope="module")
def platforms() -> Platforms:
    return load_platforms(KNOWLEDGE)


def x_len(platforms: Platforms, text: str) -> int:
    return count(text, platforms.get("x")).length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Hei", 3),
        ("Blåbærsyltetøy på brødskiva", 27),  # æøå count 1
        ("e\u0301", 1),  # decomposed é is normalised to one character first
        ("Ærlig talt", 10),
        ("日本語", 6),  # CJK weighs 2
        ("한국어", 6),
        ("😀", 2),
        ("👍🏽", 2),  # skin tone
        ("👨‍👩‍👧‍👦", 2),  # ZWJ family
        ("🏳️‍🌈", 2),
        ("🇳🇴", 2),  # flag
        ("#️⃣", 2),  # keycap
        ("🫱🏻‍🫲🏿", 2),  # a handshake of two skin tones: newer than twitter-text's list
        ("🧑‍💻", 2),
        ("🫠", 2),
        ("https://example.com", 23),
        ("https://example.com/" + "a" * 200, 23),  # every URL is 23, however long
        ("example.no", 23),  # without a scheme too
        ("Les mer: https://elegante.no/studielan?utm=x", 9 + 23),
        ("–—“”", 4),  # punctuation in the light ranges
        ("…", 2),  # the ellipsis is outside them
        ("line\r\nbreak", 10),  # CRLF is one line ending
    ],
)
def test_x_counts_as_twitter_text_v3(platforms: Platforms, text: str, length: int) -> None:
    assert x_len(platforms, text) == length


def test_twitter_text_parser_alone_lags_newer_emoji() -> None:
    """Why the count extends the library: it splits an emoji sequence it does not know."""
    assert twitter_text.parse_tweet("🫱🏻‍🫲🏿").weightedLength == 9
    assert is_emoji_sequence("🫱🏻‍🫲🏿")
    assert not is_emoji_sequence("a\u0301")
    assert not is_emoji_sequence("☺︎")  # text presentation stays as twitter-text counts it


def test_exactly_at_the_limit_fits_and_one_more_does_not(platforms: Platforms) -> None:
    x = platforms.get("x")
    at = count("a" * 280, x)
    assert at.fits and at.over_by == 0
    over = count("a" * 281, x)
    assert not over.fits and over.over_by == 1
    assert over.fitting_text == "a" * 280
    heavy = count("a" * 278 + "日", x)
    assert heavy.length == 280 and heavy.fits
    assert count("a" * 279 + "日", x).over_by == 1


def test_the_cut_never_splits_an_emoji_or_a_url(platforms: Platforms) -> None:
    x = platforms.get("x")
    emoji = count("a" * 279 + "👨‍👩‍👧‍👦", x)
    assert emoji.over_by == 1
    assert emoji.fitting_text == "a" * 279
    url = count("a" * 260 + " https://example.com/path", x)
    assert url.fitting_text == "a" * 260 + " "


def test_an_empty_draft_does_not_fit(platforms: Platforms) -> None:
    assert not count("", platforms.get("x")).fits


def test_platform_aliases_and_unknown_names(platforms: Platforms) -> None:
    assert platforms.resolve("twitter") == "x"
    assert platforms.resolve("X") == "x"
    assert platforms.resolve(None) == "x"
    assert platforms.resolve("myspace") is None


@pytest.mark.parametrize(
    ("platform", "text", "length"),
    [
        ("bluesky", "👨‍👩‍👧‍👦 og e\u0301", 6),  # graphemes: the family is one, é is one
        ("bluesky", "https://example.com/" + "a" * 30, 50),  # no URL shortening
        ("mastodon", "Se https://example.com/" + "a" * 60, 3 + 23),
        ("mastodon", "Hei @karoline@mastodon.social", 4 + 9),  # only @karoline counts
        ("mastodon", "example.com", 11),  # a link without a scheme is plain text there
        ("threads", "👨‍👩‍👧‍👦", 7),  # code points
        ("linkedin", "Blåbær", 6),
    ],
)
def test_other_platforms_count_by_their_own_rules(
    platforms: Platforms, platform: str, text: str, length: int
) -> None:
    assert count(text, platforms.get(platform)).length == length


@pytest.mark.parametrize(
    ("platform", "limit"),
    [("bluesky", 300), ("mastodon", 500), ("threads", 500), ("linkedin", 3000)],
)
def test_limits_come_from_the_data_file(platforms: Platforms, platform: str, limit: int) -> None:
    spec = platforms.get(platform)
    assert spec.limit == limit
    assert count("a" * limit, spec).fits
    assert count("a" * (limit + 1), spec).over_by == 1


def test_a_long_draft_becomes_a_numbered_thread_that_fits(platforms: Platforms) -> None:
    x = platforms.get("x")
    text = (
        "Elegantè lanserer en ny sparekonto for studenter. " * 6
        + "Les mer på https://elegante.no/sparing/studenter/ny-konto-2026 #sparing @elegante"
    )
    parts = thread(text, x)
    assert len(parts) >= 2
    for i, part in enumerate(parts, start=1):
        assert part.endswith(f" {i}/{len(parts)}")
        assert count(part, x).fits
    joined = " ".join(p.rsplit(" ", 1)[0] for p in parts)
    assert "https://elegante.no/sparing/studenter/ny-konto-2026" in joined
    assert "#sparing" in joined and "@elegante" in joined


def test_a_draft_that_fits_gets_no_thread(platforms: Platforms) -> None:
    assert thread("Kort og godt.", platforms.get("x")) == []


token = st.one_of(
    st.text(alphabet="abcæøåABC", min_size=1, max_size=12),
    st.sampled_from(["https://example.com/x", "#tag", "@user", "😀", "日本", "👨‍👩‍👧‍👦", "."]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(token, min_size=1, max_size=180), st.sampled_from(["x", "bluesky", "mastodon"]))
def test_every_thread_part_fits_and_keeps_every_word(words: list[str], platform: str) -> None:
    spec = load_platforms(KNOWLEDGE).get(platform)
    text = " ".join(words)
    parts = thread(text, spec)
    if count(text, spec).fits:
        assert parts == []
        return
    assert all(count(p, spec).fits for p in parts)
    kept = " ".join(p.rsplit(" ", 1)[0] for p in parts).split()
    assert kept == text.split()


def _conformance_cases() -> list[dict[str, object]]:
    if not CONFORMANCE.exists():
        return []
    tests = yaml.safe_load(CONFORMANCE.read_text(encoding="utf-8"))["tests"]
    sections = [
        "WeightedTweetsWithDiscountedEmojiCounterTest",
        "UnicodeDirectionalMarkerCounterTest",
    ]
    return [case for name in sections for case in tests[name]]


def test_length_agrees_with_twitter_text_conformance_suite(platforms: Platforms) -> None:
    cases = _conformance_cases()
    if not cases:
        pytest.skip(f"{CONFORMANCE} is absent here (it lives only in the shared folder)")
    x = platforms.get("x")
    for case in cases:
        text = str(case["text"])
        expected = case["expected"]
        assert isinstance(expected, dict)
        measured = count(text, x)
        assert measured.length == expected["weightedLength"], case["description"]

        # twitter-text reports the cut in UTF-16 units of the text as typed (before NFC).
        def utf16(s: str) -> int:
            return len(s.encode("utf-16-le")) // 2

        shift = utf16(text) - utf16(measured.text)
        utf16_end = utf16(measured.text[: measured.fits_until]) - 1 + shift  # the raw cut
        assert utf16_end == expected["validRangeEnd"], case["description"]


def test_every_platform_in_the_data_file_loads() -> None:
    raw = yaml.safe_load((KNOWLEDGE / "platforms.yaml").read_text(encoding="utf-8"))
    loaded = load_platforms(Path(KNOWLEDGE))
    assert set(raw["platforms"]) == set(loaded.by_code)
