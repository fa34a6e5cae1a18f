"""The OpenAI-compatible chat client over httpx: one outside system, one module.

POST `{base}/chat/completions` (OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server), plain or
streamed (SSE). Every reply is bounded by a total timeout that also covers queueing for a slot
and the waits between retries, so a member never waits longer than it. Connection errors, 429
and 5xx are retried with backoff (honouring Retry-After while it fits in the time left); every
failure becomes one of the project's LLMError subclasses, naming the endpoint.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
import urllib.parse
from typing import Any

import httpx
from pydantic import SecretStr

from bot.core.ports import ChatMessage
from bot.errors import LLMError, LLMHTTPError, LLMInvalidOutput, LLMTimeout, LLMUnreachable
from bot.redact import redact_url

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_ATTEMPTS = 3
MAX_REPLY_BYTES = 2 * 1024 * 1024  # a larger reply is no answer (a hostile or broken server)
BACKOFF_BASE = 0.5


class OpenAIChat:
    """A ChatModel over an OpenAI-compatible HTTP endpoint."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        timeout: float = 20.0,
        concurrency: int = 4,
        stream: bool = False,
    ) -> None:
        self.client = client
        self._url = _chat_url(base_url)
        # What errors and logs name: the URL without credentials or query string.
        self.endpoint = redact_url(self._url)
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.stream = stream
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._json_mode = True  # until the server refuses `response_format`

    def __repr__(self) -> str:
        return f"OpenAIChat(endpoint={self.endpoint!r}, model={self.model!r})"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._api_key is not None and self._api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return headers

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.2,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> str:
        """Return the assistant's text; raise an LLMError subclass on any failure.

        With `json_mode` the request asks for a JSON object (`response_format`); a server that
        refuses that field with HTTP 400 is asked once more without it.
        """
        deadline = time.monotonic() + self.timeout
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump() for m in messages],
            "temperature": temperature,
            "max_tokens": max_tokens,
            "stream": self.stream,
        }
        if json_mode and self._json_mode:
            payload["response_format"] = {"type": "json_object"}
        try:
            async with asyncio.timeout(self.timeout):
                async with self._slots:
                    try:
                        return await self._with_retries(payload, deadline)
                    except LLMHTTPError as exc:
                        if exc.status != 400 or "response_format" not in payload:
                            raise
                        self._json_mode = False  # this server does not take it: not again
                        del payload["response_format"]
                        return await self._with_retries(payload, deadline)
        except TimeoutError:
            raise LLMTimeout(self.endpoint, f"no reply within {self.timeout:g} s") from None

    async def _with_retries(self, payload: dict[str, Any], deadline: float) -> str:
        last: LLMError | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._once(payload, deadline)
            except _Retryable as exc:
                last = exc.error
                wait = exc.retry_after
                if wait is None:
                    wait = BACKOFF_BASE * 2 ** (attempt - 1) * (0.8 + 0.4 * random.random())
                left = deadline - time.monotonic()
                if attempt == MAX_ATTEMPTS or wait >= left:
                    break
                log.info("LLM %s: %s; retrying in %.1f s", self.endpoint, exc.error.detail, wait)
                await asyncio.sleep(wait)
        assert last is not None
        raise last

    async def _once(self, payload: dict[str, Any], deadline: float) -> str:
        left = max(0.1, deadline - time.monotonic())
        timeout = httpx.Timeout(left, connect=min(5.0, left))
        try:
            if payload["stream"]:
                return await self._stream(payload, timeout)
            response = await self.client.post(
                self._url, json=payload, headers=self._headers(), timeout=timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
            raise _Retryable(LLMUnreachable(self.endpoint, _describe(exc))) from None
        except httpx.TimeoutException as exc:
            raise LLMTimeout(self.endpoint, _describe(exc)) from None
        except httpx.HTTPError as exc:
            raise _Retryable(LLMUnreachable(self.endpoint, _describe(exc))) from None
        self._check_status(response)
        if len(response.content) > MAX_REPLY_BYTES:
            raise LLMInvalidOutput(self.endpoint, "the reply is too large")
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMInvalidOutput(self.endpoint, "the reply is not a chat completion") from None
        if not isinstance(content, str):
            raise LLMInvalidOutput(self.endpoint, "the reply has no text")
        return content

    def _check_status(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        error = LLMHTTPError(self.endpoint, f"HTTP {response.status_code}", response.status_code)
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(error, _retry_after(response.headers.get("Retry-After")))
        raise error

    async def _stream(self, payload: dict[str, Any], timeout: httpx.Timeout) -> str:
        parts: list[str] = []
        size = 0
        done = False
        async with self.client.stream(
            "POST", self._url, json=payload, headers=self._headers(), timeout=timeout
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                self._check_status(response)
            try:
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    try:
                        chunk = json.loads(data)
                        delta = chunk["choices"][0].get("delta", {}).get("content") or ""
                    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                        raise LLMInvalidOutput(
                            self.endpoint, "a stream chunk is not JSON"
                        ) from None
                    parts.append(str(delta))
                    size += len(parts[-1])
                    if size > MAX_REPLY_BYTES:
                        raise LLMInvalidOutput(self.endpoint, "the reply is too large")
            except httpx.HTTPError as exc:
                raise LLMInvalidOutput(
                    self.endpoint, f"the stream was cut: {_describe(exc)}"
                ) from None
        if not done:
            raise LLMInvalidOutput(self.endpoint, "the stream ended before [DONE]")
        return "".join(parts)


class _Retryable(Exception):
    def __init__(self, error: LLMError, retry_after: float | None = None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Parse Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _chat_url(base_url: str) -> str:
    """Return the chat completions URL under `base_url`, keeping a query string at the end."""
    parts = urllib.parse.urlsplit(base_url)
    return parts._replace(path=parts.path.rstrip("/") + "/chat/completions").geturl()


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


__all__ = ["OpenAIChat"]
