"""How fast the coach acknowledges and answers on Slack, over Socket Mode on loopback.

    python benchmarks/slack_latency.py [--n 30]

Starts the local Slack of the test suite (tests/slack_mock.py) and the coach's Slack adapter on
the real services (offline engine, a SQLite file in a temporary folder), then sends N mentions,
N `/review` slash commands and N `/strategy status` slash commands one after another. Prints,
per kind, the median and the slowest time to Slack's ack (which must be under 3 s) and to the
posted answer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_services  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.slack_app import SlackCoach  # noqa: E402
from tests.slack_mock import SlackMock  # noqa: E402

QUESTIONS = [
    "hva er åpenhet?",
    "Hvordan får en bedrift flere følgere?",
    "What does the course say about credibility?",
    "hva er en målgruppe?",
    "Hvorfor er gjennomsiktighet viktig?",
]


async def run(n: int) -> int:
    async with SlackMock() as mock:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                db_path=Path(tmp) / "coach.db",
                slack_bot_token="xoxb-bench",
                slack_app_token="xapp-bench",
                slack_api_url=mock.api_url,
                cooldown_seconds=0,
            )
            async with open_services(settings) as services:
                slack = SlackCoach(settings, services)
                await slack.start()
                await mock.connected()
                results: dict[str, tuple[list[float], list[float]]] = {}
                for kind in ("mention", "/review", "/strategy"):
                    acks, answers = results.setdefault(kind, ([], []))
                    for i in range(n):
                        started = time.perf_counter()
                        if kind == "mention":
                            event = mock.mention_event(QUESTIONS[i % len(QUESTIONS)])
                            payload = mock.event_envelope_payload(event)
                            envelope = await mock.send("events_api", payload)
                        else:
                            text = "status" if kind == "/strategy" else f"Vi åpner {i}. mai!"
                            payload = mock.slash_payload(kind, text, user=f"U0B{i:04d}")
                            envelope = await mock.send("slash_commands", payload)
                        seconds, _ = await mock.ack(envelope)
                        acks.append(seconds)
                        if kind == "mention":
                            ts = event["ts"]
                            await mock.wait_call("chat.postMessage", lambda p: p["thread_ts"] == ts)
                        else:
                            key = payload["response_url"].rsplit("/", 1)[1]
                            await mock.wait_response(lambda b, k=key: k in mock.response_keys)
                        answers.append(time.perf_counter() - started)
                await slack.close()
    print(
        f"{'kind':10} {'n':>4} {'ack median':>11} {'ack max':>9} {'answer median':>14} {'max':>8}"
    )
    for kind, (acks, answers) in results.items():
        print(
            f"{kind:10} {len(acks):4d} {statistics.median(acks) * 1000:9.1f} ms"
            f" {max(acks) * 1000:6.1f} ms {statistics.median(answers) * 1000:11.1f} ms"
            f" {max(answers) * 1000:5.0f} ms"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    return asyncio.run(run(parser.parse_args().n))


if __name__ == "__main__":
    sys.exit(main())
