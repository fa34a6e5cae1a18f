"""The OpenAI-compatible client at the HTTP seam (respx): success, stream, retries, failures."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

import bot.llm
from bot.core.ports import ChatMessage, ChatModel
from bot.errors import LLMHTTPError, LLMInvalidOutput, LLMTimeout, LLMUnreachable
from bot.llm import OpenAIChat
from tests import procs

BASE = "http://127.0.0.1:8099/v1"
URL = BASE + "/chat/completions"
MESSAGES = [ChatMessage(role="user", content="Hei")]


def completion(text: str) -> dict[str, object]:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


def sse(*chunks: str, done: bool = True) -> bytes:
    lines = [
        "data: " + json.dumps({"choices": [{"delta": {"content": c}}]}) + "\n\n" for c in chunks
    ]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


@pytest.fixture
async def http():  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as client:
        yield client


class Sleeps:
    """asyncio as bot.llm sees it, with every sleep recorded: waits checked without a stopwatch."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    recorder = Sleeps()
    monkeypatch.setattr(bot.llm, "asyncio", recorder)
    return recorder


def chat(http: httpx.AsyncClient, **kwargs: object) -> OpenAIChat:
    options: dict[str, object] = {"timeout": 5.0}
    options.update(kwargs)
    return OpenAIChat(http, BASE, "test-model", SecretStr("sk-test"), **options)  # type: ignore[arg-type]


def test_the_client_is_a_chat_model(http: httpx.AsyncClient) -> None:
    assert isinstance(chat(http), ChatModel)
    assert "sk-test" not in repr(chat(http))


@respx.mock
async def test_a_completion_returns_the_text_and_sends_model_and_limits(
    http: httpx.AsyncClient,
) -> None:
    route = respx.post(URL).respond(json=completion("Svar [1]"))
    assert await chat(http).complete(MESSAGES, temperature=0.1, max_tokens=99) == "Svar [1]"
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "test-model" and sent["max_tokens"] == 99
    assert sent["temperature"] == 0.1 and sent["stream"] is False
    assert route.calls.last.request.headers["Authorization"] == "Bearer sk-test"


@respx.mock
async def test_a_streamed_reply_is_joined(http: httpx.AsyncClient) -> None:
    respx.post(URL).respond(
        content=sse("Hei ", "der", "!"), headers={"Content-Type": "text/event-stream"}
    )
    assert await chat(http, stream=True).complete(MESSAGES) == "Hei der!"


@respx.mock
async def test_a_stream_cut_mid_way_is_invalid_output(http: httpx.AsyncClient) -> None:
    respx.post(URL).respond(content=sse("Hei ", done=False))
    with pytest.raises(LLMInvalidOutput, match="before"):
        await chat(http, stream=True).complete(MESSAGES)


@respx.mock
async def test_429_with_retry_after_is_retried(http: httpx.AsyncClient, sleeps: Sleeps) -> None:
    route = respx.post(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0.2"}),
            httpx.Response(200, json=completion("ok")),
        ]
    )
    assert await chat(http).complete(MESSAGES) == "ok"
    assert route.call_count == 2
    assert sleeps.waits == [0.2]  # it waited as long as the server asked, once


@respx.mock
async def test_a_retry_after_longer_than_the_time_left_fails_at_once(
    http: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    route = respx.post(URL).respond(429, headers={"Retry-After": "60"})
    with pytest.raises(LLMHTTPError, match="429"):
        await chat(http, timeout=2.0).complete(MESSAGES)
    assert sleeps.waits == [] and route.call_count == 1  # no wait at all, no retry


@respx.mock
async def test_500_then_success(http: httpx.AsyncClient) -> None:
    route = respx.post(URL).mock(
        side_effect=[httpx.Response(500), httpx.Response(200, json=completion("ok"))]
    )
    assert await chat(http).complete(MESSAGES) == "ok"
    assert route.call_count == 2


@respx.mock
async def test_a_4xx_is_not_retried(http: httpx.AsyncClient) -> None:
    route = respx.post(URL).respond(401)
    with pytest.raises(LLMHTTPError) as caught:
        await chat(http).complete(MESSAGES)
    assert route.call_count == 1
    assert caught.value.endpoint == URL and caught.value.reason == "http_error"


@respx.mock
async def test_a_slow_endpoint_times_out_within_the_total(http: httpx.AsyncClient) -> None:
    requests = 0

    async def never(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        await asyncio.Event().wait()  # no reply, ever: only the client's total can end the call
        raise AssertionError("not reached")

    respx.post(URL).mock(side_effect=never)
    async with asyncio.timeout(procs.HANG_GUARD):  # a hang guard, not a speed claim
        with pytest.raises(LLMTimeout) as caught:
            await chat(http, timeout=0.5).complete(MESSAGES)
    assert caught.value.reason == "timeout"
    assert requests == 1  # the total cut the first attempt; nothing was retried after it


@respx.mock
async def test_a_refused_connection_is_unreachable(http: httpx.AsyncClient) -> None:
    respx.post(URL).mock(side_effect=httpx.ConnectError("Connection refused"))
    with pytest.raises(LLMUnreachable) as caught:
        await chat(http, timeout=2.0).complete(MESSAGES)
    assert caught.value.reason == "unreachable" and URL in str(caught.value)


@respx.mock
@pytest.mark.parametrize(
    "body", [b"not json at all", b'{"choices": []}', b'{"choices": [{"message": {}}]}']
)
async def test_malformed_replies_are_invalid_output(http: httpx.AsyncClient, body: bytes) -> None:
    respx.post(URL).respond(200, content=body)
    with pytest.raises(LLMInvalidOutput):
        await chat(http).complete(MESSAGES)


@respx.mock
async def test_concurrent_requests_are_capped(http: httpx.AsyncClient) -> None:
    active = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        return httpx.Response(200, json=completion("ok"))

    respx.post(URL).mock(side_effect=handler)
    client = chat(http, concurrency=2)
    await asyncio.gather(*(client.complete(MESSAGES) for _ in range(8)))
    assert peak == 2


async def test_a_real_refused_port_on_loopback_is_unreachable(http: httpx.AsyncClient) -> None:
    client = OpenAIChat(http, "http://127.0.0.1:9/v1", "m", timeout=3.0)
    with pytest.raises(LLMUnreachable):
        await client.complete(MESSAGES)
