"""How long each command takes to reply when the model's endpoint hangs.

    .venv/bin/python benchmarks/llm_timeouts.py [TIMEOUT_SECONDS]

Starts a server on loopback that accepts a request and never answers, points the coach at it with
`COACH_LLM_TIMEOUT` (default 2 s), and times `!ask`, `!review` and `!strategy answer` in-process,
from the command to the reply, three times each. The target (issue 14): every reply within the
timeout plus half a second. The CLI adds its start-up (see benchmarks/run.py) to this.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.prompts import load_prompts  # noqa: E402
from bot.core.router import Coach, Context, Options  # noqa: E402
from bot.llm import OpenAIChat  # noqa: E402
from bot.store import open_store  # noqa: E402

COMMANDS = [
    "!ask Vi har en liten nettbutikk. Bør vi fortelle om svakhetene ved varene våre?",
    "!review Vi åpner ny kafé i Bodø på lørdag!",
    "!strategy answer Elegantè er en bank for unge som tilbyr lån, og er passiv i dag.",
]


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read(65536)
        await asyncio.sleep(3600)  # never answers
    except asyncio.CancelledError:
        pass  # the benchmark is over
    finally:
        writer.close()


async def main(timeout: float) -> None:
    """Print the seconds from command to reply for each command against a hanging endpoint."""
    server = await asyncio.start_server(_hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    knowledge = load_all(ROOT / "knowledge")
    prompts = load_prompts(ROOT / "prompts")
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(Path(folder) / "coach.db")
        async with httpx.AsyncClient() as client:
            chat = OpenAIChat(client, f"http://127.0.0.1:{port}/v1", "hang", timeout=timeout)
            options = Options(cache_seconds=0, llm_timeout=timeout)
            coach = Coach(knowledge, store=store, chat=chat, prompts=prompts, options=options)
            ctx = Context(user_id=1)
            await coach.handle("!strategy start Elegantè", ctx)
            print(f"endpoint hangs; COACH_LLM_TIMEOUT={timeout:g} s; target {timeout + 0.5:g} s")
            for command in COMMANDS:
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    reply = await coach.handle(command, ctx)
                    times.append(time.perf_counter() - start)
                    assert reply.text
                name = command.split()[0] + (" answer" if "strategy" in command else "")
                print(f"  {name:18} " + "  ".join(f"{t:.2f} s" for t in times))
        await store.close()
    server.close()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0))
