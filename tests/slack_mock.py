"""A Slack on loopback for offline tests: the Web API and Socket Mode, served by aiohttp.

`SlackMock` binds 127.0.0.1 on a free port and plays just enough of Slack for slack-sdk's
`AsyncWebClient` and its aiohttp `SocketModeClient` (and so slack-bolt's async Socket Mode
handler) to run against it unchanged:

* the Web API under `/api/<method>`: every call is recorded in `calls` with its parameters merged
  from the query string, a form (urlencoded or multipart) body and a JSON body, and answered with
  `{"ok": true, ...}`; `auth.test`, `apps.connections.open`, `chat.postMessage`,
  `chat.postEphemeral`, `chat.update`, `users.info`, `conversations.info` and
  `conversations.open` answer like Slack does, any other method with a bare `{"ok": true}`;
* Socket Mode at `/link`: the websocket greets with a `hello`, answers pings, and records every
  text message the client sends (the acks); `send()` pushes an envelope, `ack()` waits for the
  client's ack and says how long it took;
* response URLs at `/response/<key>`: JSON bodies POSTed there are recorded in `responses`.

The `*_event` and `*_payload` helpers build payloads shaped like the ones Slack sends. Run this
file as a script for a self-check against the real slack-sdk clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections.abc import Callable, Set
from typing import Any, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

__all__ = ["SlackMock"]

T = TypeVar("T")

# Parameters that a form-encoded call carries as JSON text; `calls` holds them decoded.
JSON_FIELDS = ("blocks", "attachments")

APP_ID = "A0APP"
BOT_ID = "B0BOT"
TEAM_DOMAIN = "test"
VERIFICATION_TOKEN = "verification-token-test"
# Generated message timestamps start just after this second and keep increasing.
TS_EPOCH = 1_700_000_000


def _decode_json_fields(params: dict[str, Any]) -> None:
    """Decode `blocks` and `attachments` given as JSON text (form encoding) in place."""
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)


def block_problem(blocks: object) -> str | None:
    """What Slack would refuse in a message's blocks (its documented limits), or None."""
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "must be a list of at most 50 blocks"
    for block in blocks:
        if not isinstance(block, dict):
            return "a block must be an object"
        text = block.get("text")
        section = block.get("type") == "section" and isinstance(text, dict)
        if section and not 1 <= len(str(text.get("text", ""))) <= 3000:  # type: ignore[union-attr]
            return "a section's text must be 1 to 3,000 characters"
        elements = block.get("elements") or []
        if block.get("type") == "context" and len(elements) > 10:
            return "a context block holds at most 10 elements"
        for element in elements:
            if isinstance(element, dict) and len(str(element.get("value", ""))) > 2000:
                return "a button's value must be at most 2,000 characters"
    return None


def _bearer(request: web.Request) -> str | None:
    """The token of a `Authorization: Bearer <token>` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class SlackMock:
    """A Slack on loopback: Web API under http://127.0.0.1:PORT/api/, Socket Mode at /link.

    Attributes:
        calls: every Web API call as (method name, params), in order of arrival.
        tokens: the token of each call in `calls` (same index): the Bearer header, else a
            `token` parameter, else None. Recorded, never checked (except that
            `apps.connections.open` wants an `xapp-` token).
        responses: the JSON bodies POSTed to response URLs, in order of arrival.
        response_keys: the key of each body in `responses` (same index).
        received: every text message a Socket Mode client sent, decoded from JSON.
        connections: how many Socket Mode connections have been greeted with `hello`.
    """

    def __init__(
        self,
        team_id: str = "T0TEST",
        bot_user_id: str = "UBOT",
        admins: Set[str] = frozenset(),
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.admins: frozenset[str] = frozenset(admins)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tokens: list[str | None] = []
        self.responses: list[dict[str, Any]] = []
        self.response_keys: list[str] = []
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        # Files members shared (served at /files/<name> to a bot token, as url_private is).
        self.files: dict[str, bytes] = {}
        # Tokens Slack no longer accepts: every call with one answers invalid_auth.
        self.revoked: set[str] = set()
        # Replies to response URLs refused for their blocks: (key, what was wrong).
        self.refused: list[tuple[str, str]] = []
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._closed = False
        self._sockets: list[web.WebSocketResponse] = []
        self._sent_at: dict[str, float] = {}
        self._acks: dict[str, tuple[float, dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port (port 0)."""
        if self._runner is not None:
            raise RuntimeError("SlackMock already started")
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/link", self._handle_link)
        app.router.add_post("/response/{key}", self._handle_response)
        app.router.add_get("/files/{name}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def close(self) -> None:
        """Close every websocket with a proper close frame, then stop serving. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for ws in list(self._sockets):
            if not ws.closed:
                with contextlib.suppress(Exception):
                    await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
        self._bump()

    async def __aenter__(self) -> SlackMock:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The port the mock listens on (after `start()`)."""
        if self._port is None:
            raise RuntimeError("SlackMock is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for `AsyncWebClient(base_url=...)`, with a trailing slash."""
        return f"{self.base_url}/api/"

    def file_url(self, name: str) -> str:
        """The url_private_download of a shared file (`files[name]`)."""
        return f"{self.base_url}/files/{name}"

    def shared_file(self, name: str, content: bytes) -> dict[str, Any]:
        """Share a file: serve it and return the `files[]` entry a message event carries."""
        self.files[name] = content
        return {
            "id": f"F{len(self.files):08d}",
            "name": name,
            "size": len(content),
            "url_private": self.file_url(name),
            "url_private_download": self.file_url(name),
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve a shared file to a bot token only, as Slack's url_private does."""
        name = request.match_info["name"]
        if not (_bearer(request) or "").startswith("xoxb-"):
            return web.Response(status=403, text="not authed")
        if name not in self.files:
            return web.Response(status=404, text="file not found")
        return web.Response(body=self.files[name])

    def response_url(self, key: str) -> str:
        """A URL on this server that records the JSON bodies POSTed to it into `responses`."""
        return f"{self.base_url}/response/{key}"

    # ------------------------------------------------------------------ waiting

    def _bump(self) -> None:
        """Wake every waiter: something was recorded."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(self, find: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until `find()` returns something other than None; TimeoutError after `timeout`."""

        async def poll() -> T:
            while True:
                changed = self._changed
                found = find()
                if found is not None:
                    return found
                await changed.wait()

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise TimeoutError(f"SlackMock: no {what} within {timeout} s") from None

    async def connected(self, timeout: float = 10) -> None:
        """Wait until a Socket Mode client is connected (its `hello` sent)."""
        await self._wait_for(
            lambda: True if self._open_socket() is not None else None,
            timeout,
            "Socket Mode connection",
        )

    async def wait_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda params: True,
        timeout: float = 15,
    ) -> dict[str, Any]:
        """Wait for a Web API call of `method` whose params satisfy `predicate`; its params.

        Calls that arrived before this wait count too (the first match is returned).
        """

        def find() -> dict[str, Any] | None:
            for name, params in self.calls:
                if name == method and predicate(params):
                    return params
            return None

        try:
            return await self._wait_for(find, timeout, f"matching {method} call")
        except TimeoutError as error:
            seen = ", ".join(name for name, _ in self.calls) or "none"
            raise TimeoutError(f"{error} (calls so far: {seen})") from None

    async def wait_response(
        self,
        predicate: Callable[[dict[str, Any]], bool] = lambda body: True,
        timeout: float = 15,
    ) -> dict[str, Any]:
        """Wait for a body POSTed to a response URL that satisfies `predicate`; the body."""

        def find() -> dict[str, Any] | None:
            return next((body for body in self.responses if predicate(body)), None)

        try:
            return await self._wait_for(find, timeout, "matching response_url POST")
        except TimeoutError as error:
            raise TimeoutError(f"{error} (responses so far: {self.responses!r})") from None

    # ------------------------------------------------------------------ Socket Mode

    def _open_socket(self) -> web.WebSocketResponse | None:
        """The newest websocket that is still open."""
        return next((ws for ws in reversed(self._sockets) if not ws.closed), None)

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        accepts_response_payload: bool = False,
    ) -> str:
        """Send an envelope over the newest open websocket; its envelope_id.

        `envelope_type` is what Slack puts in `type`: "events_api", "slash_commands",
        "interactive".
        """
        ws = self._open_socket()
        if ws is None:
            raise RuntimeError("SlackMock: no Socket Mode client is connected")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        self._sent_at[envelope_id] = time.monotonic()
        await ws.send_str(json.dumps(envelope))
        return envelope_id

    async def ack(self, envelope_id: str, timeout: float = 10) -> tuple[float, dict[str, Any]]:
        """Wait for the client's ack of `envelope_id`: (seconds from send to ack, the ack)."""
        if envelope_id not in self._sent_at:
            raise ValueError(f"SlackMock: envelope {envelope_id!r} was never sent")
        received_at, message = await self._wait_for(
            lambda: self._acks.get(envelope_id), timeout, f"ack of envelope {envelope_id}"
        )
        return received_at - self._sent_at[envelope_id], message

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        """The Socket Mode websocket: hello, then record what the client sends."""
        if self._closed:
            raise web.HTTPServiceUnavailable()
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_str(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": 1,
                        "debug_info": {
                            "host": "applink-mock-1",
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": APP_ID},
                    }
                )
            )
            self.connections += 1
            self._bump()
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(message.data)
                except ValueError:
                    data = {"raw": message.data}
                if not isinstance(data, dict):
                    data = {"raw": data}
                self.received.append(data)
                envelope_id = data.get("envelope_id")
                if isinstance(envelope_id, str) and envelope_id not in self._acks:
                    self._acks[envelope_id] = (time.monotonic(), data)
                self._bump()
        finally:
            self._bump()
        return ws

    # ------------------------------------------------------------------ Web API

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        """The call's params: query string, then the form or JSON body on top."""
        params: dict[str, Any] = dict(request.query)
        if request.method not in ("POST", "PUT", "PATCH") or not request.body_exists:
            return params
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    params[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "content": value.file.read(),
                    }
                else:
                    params[name] = value
        else:
            text = await request.text()
            if text.strip():
                with contextlib.suppress(ValueError):
                    body = json.loads(text)
                    if isinstance(body, dict):
                        params.update(body)
        return params

    def _next_ts(self) -> str:
        """A new message timestamp, later than every one before: "1700000001.000100", ..."""
        n = next(self._ts)
        return f"{TS_EPOCH + n}.{(n * 100) % 1_000_000:06d}"

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Record a Web API call and answer it like Slack."""
        method = request.match_info["method"]
        params = await self._read_params(request)
        _decode_json_fields(params)
        token = _bearer(request) or (
            params.get("token") if isinstance(params.get("token"), str) else None
        )
        self.calls.append((method, params))
        self.tokens.append(token)
        self._bump()
        return web.json_response(self._answer(method, params, token))

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """The JSON body Slack would answer `method` with."""
        if token is not None and token in self.revoked:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{TEAM_DOMAIN}.slack.com/",
                "team": "Test",
                "user": "coach",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            ticket = uuid.uuid4().hex
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?ticket={ticket}"}
        if method.startswith("chat.") and (problem := block_problem(params.get("blocks"))):
            return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        if method in ("chat.postMessage", "chat.update"):
            # chat.update keeps the ts of the message it edits, as Slack does.
            ts = str(params["ts"]) if method == "chat.update" and params.get("ts") else None
            ts = ts or self._next_ts()
            message = {k: v for k, v in params.items() if k not in ("token", "channel", "ts")}
            message.update(
                {
                    "type": "message",
                    "user": self.bot_user_id,
                    "bot_id": BOT_ID,
                    "team": self.team_id,
                    "ts": ts,
                }
            )
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "users.info":
            user = str(params.get("user", ""))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": self.team_id,
                    "name": user.lower(),
                    "is_admin": user in self.admins,
                    "is_owner": False,
                    "is_bot": user == self.bot_user_id,
                    "tz": "Europe/Oslo",
                    "profile": {
                        "display_name": "Student " + user,
                        "real_name": "Student " + user,
                    },
                },
            }
        if method == "conversations.info":
            channel = str(params.get("channel", ""))
            is_im = channel.startswith("D")
            return {
                "ok": True,
                "channel": {"id": channel, "is_im": is_im, "is_channel": not is_im},
            }
        if method == "conversations.open":
            users = str(params.get("users", "")).split(",")[0]
            dm = "D" + (users[1:] if users.startswith("U") else users)
            return {"ok": True, "channel": {"id": dm, "is_im": True}}
        return {"ok": True}

    async def _handle_response(self, request: web.Request) -> web.Response:
        """Record a body POSTed to a response URL; Slack answers these with plain "ok"."""
        key = request.match_info["key"]
        text = await request.text()
        try:
            body = json.loads(text) if text.strip() else {}
        except ValueError:
            body = {"raw": text}
        if not isinstance(body, dict):
            body = {"raw": body}
        if problem := block_problem(body.get("blocks")):
            # Slack refuses such a reply with a 400 and a short text.
            self.refused.append((key, problem))
            self._bump()
            return web.Response(status=400, text="invalid_blocks", content_type="text/plain")
        self.responses.append(body)
        self.response_keys.append(key)
        self._bump()
        return web.Response(text="ok", content_type="text/plain")

    # ------------------------------------------------------------------ payloads

    def _ts_or_new(self, ts: str | None) -> str:
        return ts if ts is not None else self._next_ts()

    def event_envelope_payload(self, event: dict[str, Any]) -> dict[str, Any]:
        """The payload of an `events_api` envelope carrying `event`."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    def message_event(
        self,
        text: str,
        user: str = "U0STUDENT",
        channel: str = "C0CLASS",
        ts: str | None = None,
        thread_ts: str | None = None,
        channel_type: str = "channel",
    ) -> dict[str, Any]:
        """A `message` event (a user's post; `channel_type="im"` for a DM, in a D… channel)."""
        ts = self._ts_or_new(ts)
        event: dict[str, Any] = {
            "type": "message",
            "client_msg_id": str(uuid.uuid4()),
            "text": text,
            "user": user,
            "ts": ts,
            "team": self.team_id,
            "channel": channel,
            "event_ts": ts,
            "channel_type": channel_type,
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return event

    def mention_event(
        self,
        text: str,
        user: str = "U0STUDENT",
        channel: str = "C0CLASS",
        ts: str | None = None,
    ) -> dict[str, Any]:
        """An `app_mention` event; its text starts with `<@BOT> ` unless `text` already does."""
        ts = self._ts_or_new(ts)
        mention = f"<@{self.bot_user_id}>"
        return {
            "type": "app_mention",
            "client_msg_id": str(uuid.uuid4()),
            "text": text if text.startswith(mention) else f"{mention} {text}",
            "user": user,
            "ts": ts,
            "team": self.team_id,
            "channel": channel,
            "event_ts": ts,
        }

    def slash_payload(
        self,
        command: str,
        text: str,
        user: str = "U0STUDENT",
        channel: str = "C0CLASS",
    ) -> dict[str, Any]:
        """The payload of a `slash_commands` envelope; its response_url points at this mock."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "class",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.response_url("cmd-" + uuid.uuid4().hex),
            "trigger_id": f"{uuid.uuid4().int % 10**13}.{uuid.uuid4().hex[:16]}",
        }

    def block_action_payload(
        self,
        action_id: str,
        value: str,
        user: str = "U0STUDENT",
        channel: str = "C0CLASS",
        message_ts: str = "1700000000.000100",
        block_id: str = "votes",
    ) -> dict[str, Any]:
        """The payload of an `interactive` envelope: a `block_actions` button click."""
        return {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.team_id,
            },
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"{uuid.uuid4().int % 10**13}.{uuid.uuid4().hex[:16]}",
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "class"},
            "message": {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": BOT_ID,
                "ts": message_ts,
                "text": "",
                "blocks": [],
            },
            "state": {"values": {}},
            "response_url": self.response_url("act-" + uuid.uuid4().hex),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "text": {"type": "plain_text", "text": value, "emoji": True},
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }


async def _self_check() -> None:
    """Drive the mock with the real slack-sdk clients; AssertionError on any mismatch."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.socket_mode.aiohttp import SocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest
    from slack_sdk.socket_mode.response import SocketModeResponse
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    mock = SlackMock(admins={"U0TEACHER"})
    await mock.start()
    web_client = AsyncWebClient(token="xoxb-test", base_url=mock.api_url)
    client = SocketModeClient(app_token="xapp-test", web_client=web_client, ping_interval=1)
    seen: list[SocketModeRequest] = []

    async def listener(sm: Any, req: SocketModeRequest) -> None:
        seen.append(req)
        await sm.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    client.socket_mode_request_listeners.append(listener)
    try:
        await client.connect()
        await mock.connected()
        event = mock.message_event("hei, coach")
        envelope_id = await mock.send("events_api", mock.event_envelope_payload(event))
        latency, ack = await mock.ack(envelope_id)
        assert ack == {"envelope_id": envelope_id}, ack
        assert seen and seen[0].payload["event"]["text"] == "hei, coach"
        assert mock.tokens[mock.calls.index(("apps.connections.open", {}))] == "xapp-test"

        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
        sent = await web_client.chat_postMessage(channel="C0CLASS", text="hello", blocks=blocks)
        params = await mock.wait_call("chat.postMessage", lambda p: p.get("text") == "hello")
        assert params["blocks"] == blocks and sent["ts"] and sent["channel"] == "C0CLASS"

        # Form-encoded blocks arrive as JSON text and are decoded in `calls`.
        await web_client.api_call(
            "chat.update",
            data={"channel": "C0CLASS", "ts": sent["ts"], "blocks": json.dumps(blocks)},
        )
        updated = await mock.wait_call("chat.update")
        assert updated["blocks"] == blocks, updated

        admin = await web_client.users_info(user="U0TEACHER")
        assert admin["user"]["is_admin"] is True
        try:
            await AsyncWebClient(token="xoxb-test", base_url=mock.api_url).apps_connections_open(
                app_token="xoxb-test"
            )
            raise AssertionError("apps.connections.open accepted a bot token")
        except SlackApiError as error:
            assert error.response["error"] == "not_allowed_token_type"

        slash = mock.slash_payload("/ask", "what is reach?")
        reply = await AsyncWebhookClient(slash["response_url"]).send(text="answer")
        assert reply.status_code == 200 and reply.body == "ok"
        assert (await mock.wait_response())["text"] == "answer"

        print(f"ack latency: {latency * 1000:.1f} ms")
        print(f"web api calls: {[name for name, _ in mock.calls]}")
        print("self-check ok")
    finally:
        await client.close()
        await mock.close()
        await mock.close()  # idempotent


if __name__ == "__main__":
    asyncio.run(_self_check())
