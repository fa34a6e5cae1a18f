"""A scripted OpenAI-compatible server on loopback, for end-to-end tests of the LLM paths.

A real HTTP server (stdlib `ThreadingHTTPServer` in a daemon thread on 127.0.0.1, port 0) serves
`POST /v1/chat/completions`, plain JSON or streamed as server-sent events when the request asks
for `"stream": true`, and `GET /v1/models`. What it answers is a per-test script, a callable
from the request's JSON to a `Reply` (text, HTTP status, a delay before answering); every
request is recorded so a test can read the prompts it was sent.

A delayed reply waits on an event that `stop()` sets, so a hanging endpoint never holds up the
end of a test. The helpers below tell which prompt a request is and parse the numbered course
passages out of an `!ask` prompt, so a scripted "capable" model can cite the right one.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

PromptKind = Literal["ask", "followup", "review", "strategy", "other"]

# The SSE stream sends the text in pieces of this many characters.
STREAM_PIECE = 64


@dataclass(frozen=True)
class Reply:
    """What the fake answers: the assistant's text, an HTTP status and a delay in seconds."""

    content: str = ""
    status: int = 200
    delay: float = 0.0


Script = Callable[[dict[str, Any]], Reply]


@dataclass(frozen=True)
class Recorded:
    """One request the fake received: method, path and the JSON body ({} for a GET)."""

    method: str
    path: str
    body: dict[str, Any]


def no_script(request: dict[str, Any]) -> Reply:
    """Answer every request with HTTP 500: a test that forgot its script fails loudly."""
    return Reply("no script for this test", status=500)


@dataclass
class FakeOpenAI:
    """The server, its script and what it received; use as a context manager."""

    script: Script = no_script
    requests: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """Return the OpenAI base URL of the running server, `http://127.0.0.1:PORT/v1`."""
        assert self._server is not None, "the fake is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        # server_close() would otherwise join every handler thread, a hanging one included.
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="openai-fake")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake every delayed handler, stop serving and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, entry: Recorded) -> None:
        """Keep one request (handlers run on several threads)."""
        with self._lock:
            self.requests.append(entry)

    def chat_requests(self, kind: PromptKind | None = None) -> list[dict[str, Any]]:
        """Return the chat completion bodies received, only those of `kind` when given."""
        with self._lock:
            bodies = [r.body for r in self.requests if r.path.endswith("/chat/completions")]
        return [b for b in bodies if kind is None or prompt_kind(b) == kind]

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; return True when the fake is stopping (the caller gives up)."""
        return self._stopping.wait(seconds)


@contextlib.contextmanager
def serve(script: Script = no_script) -> Iterator[FakeOpenAI]:
    """Run a fake with `script` for the block."""
    with FakeOpenAI(script=script) as fake:
        yield fake


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "openai-fake/1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

        def do_GET(self) -> None:
            fake.record(Recorded("GET", self.path, {}))
            if self.path.rstrip("/") == "/v1/models":
                models = {"object": "list", "data": [{"id": "fake", "object": "model"}]}
                self._send_json(200, models)
            else:
                self._send_json(404, _error("not found"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            if not isinstance(body, dict):
                body = {"_unparsed": body}
            fake.record(Recorded("POST", self.path, body))
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send_json(404, _error("not found"))
                return
            reply = fake.script(body)
            if reply.delay > 0 and fake.wait(reply.delay):
                return  # stopping: drop the connection without an answer
            try:
                if reply.status >= 400:
                    self._send_json(reply.status, _error(reply.content or "scripted error"))
                elif body.get("stream"):
                    self._send_stream(reply.content)
                else:
                    self._send_json(200, completion(reply.content))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def _send_json(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _send_stream(self, content: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()  # HTTP/1.0: the stream ends when the connection closes
            ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
            pieces = [content[i : i + STREAM_PIECE] for i in range(0, len(content), STREAM_PIECE)]
            for n, piece in enumerate(pieces or [""]):
                delta: dict[str, str] = {"content": piece}
                if n == 0:
                    delta["role"] = "assistant"
                self._event(_chunk(ident, delta, None))
            self._event(_chunk(ident, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _event(self, data: dict[str, Any]) -> None:
            line = "data: " + json.dumps(data, ensure_ascii=False) + "\n\n"
            self.wfile.write(line.encode("utf-8"))

    return Handler


def completion(content: str) -> dict[str, Any]:
    """Return a non-streamed chat completion carrying `content`."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


def _chunk(ident: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {
        "id": ident,
        "object": "chat.completion.chunk",
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "fake_error"}}


# Which prompt a request is ------------------------------------------------------------------


def system_text(request: dict[str, Any]) -> str:
    """Return the request's system messages, joined."""
    return "\n".join(
        str(m.get("content", "")) for m in _messages(request) if m.get("role") == "system"
    )


def user_text(request: dict[str, Any]) -> str:
    """Return the request's user messages, joined."""
    return "\n".join(
        str(m.get("content", "")) for m in _messages(request) if m.get("role") == "user"
    )


def _messages(request: dict[str, Any]) -> list[dict[str, Any]]:
    messages = request.get("messages")
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, dict)]


def prompt_kind(request: dict[str, Any]) -> PromptKind:
    """Tell which of the coach's prompts a chat request is, by its template's own words."""
    system = system_text(request)
    if "Rewrite the student's latest question" in system + user_text(request):
        return "followup"
    if "answering the step" in system:
        return "strategy"
    if '"remarks"' in system:
        return "review"
    # '"not_covered"': the JSON ask prompt; NOT_COVERED: the plain-text one it replaces.
    if '"not_covered"' in system or "NOT_COVERED" in system:
        return "ask"
    return "other"


# The !ask prompt's passages and question ----------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A numbered course passage as the `!ask` prompt gave it."""

    n: int
    title: str
    text: str


@dataclass(frozen=True)
class AskPrompt:
    """The passages and the student's question in an `!ask` prompt."""

    passages: list[Passage]
    question: str

    def cite_for(self, phrase: str) -> int | None:
        """Return the number of the first passage whose text holds `phrase` (case-folded)."""
        wanted = " ".join(phrase.casefold().split())
        for passage in self.passages:
            if wanted in " ".join(passage.text.casefold().split()):
                return passage.n
        return None


# `[n] (Post title) passage text`; the text is a JSON string in today's prompt.
_PASSAGE = re.compile(r"^\[(\d{1,3})\] \((.+?)\) (.*)$")


def _unquote(text: str) -> str:
    """Return a JSON string's value, or the text as it is when it is not one."""
    text = text.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        with contextlib.suppress(ValueError):
            value = json.loads(text)
            if isinstance(value, str):
                return value
    return text


def parse_ask(request: dict[str, Any]) -> AskPrompt:
    """Parse an `!ask` request's user message: its numbered passages and the question.

    The question is the last line after the passages that is a whole JSON string.
    """
    passages: list[Passage] = []
    question = ""
    for line in user_text(request).splitlines():
        match = _PASSAGE.match(line.strip())
        if match:
            n, title, text = match.groups()
            passages.append(Passage(int(n), title, _unquote(text)))
            continue
        stripped = line.strip()
        if stripped.startswith('"') and stripped.endswith('"') and len(stripped) >= 2:
            question = _unquote(stripped)
    return AskPrompt(passages, question)


__all__ = [
    "AskPrompt",
    "FakeOpenAI",
    "Passage",
    "PromptKind",
    "Recorded",
    "Reply",
    "Script",
    "completion",
    "no_script",
    "parse_ask",
    "prompt_kind",
    "serve",
    "system_text",
    "user_text",
]
