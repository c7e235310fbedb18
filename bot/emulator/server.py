"""The Slack Web API emulator: an aiohttp server that answers like slack.com/api, errors included.

Owns the HTTP side: routing, argument parsing (form, JSON, query string), auth, fault
injection, rate limits, the call log, response_url posts, the upload v2 file route, the
debug state dump, trigger ids and DM ids. The method handlers live in api_chat.py,
api_conversations.py and api_views.py; Block Kit rules in blockkit.py; the workspace
itself in state.py.

Point the real client at it:
    emu = SlackEmulator(); await emu.start()
    client = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)

Socket Mode (socket_mode.py): apps.connections.open takes `emu.app_token` and hands out a
WebSocket URL on this server; `emu.socket` pushes envelopes to the connected app.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.web_request import FileField

from bot.core.scopes import BY_CHANNEL, METHOD_SCOPES
from bot.emulator import api_chat, api_conversations, api_views, socket_mode
from bot.emulator.api_common import ApiError, Handler
from bot.emulator.blockkit import message_rejection
from bot.emulator.state import Call, Ephemeral, File, Message, Workspace

METHODS: dict[str, Handler] = {**api_conversations.METHODS, **api_chat.METHODS, **api_views.METHODS,
                               **socket_mode.METHODS}

# Arguments slack_sdk sends as JSON strings inside form posts.
JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")

# Slack's rate tiers, calls per minute. Methods not listed are tier 3.
TIER_2 = {"conversations.create", "conversations.setTopic", "conversations.setPurpose", "pins.add", "bookmarks.add"}
TIER_4 = {"users.info", "users.lookupByEmail", "chat.postEphemeral", "auth.test",
          "views.open", "views.push", "views.update", "views.publish"}
PER_MINUTE = {2: 20, 3: 50, 4: 100}
# chat.postMessage: about one message a second per channel, with a short burst.
POST_BURST, POST_PER_SECOND = 3, 1.0

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0


def tier(method: str) -> int:
    return 2 if method in TIER_2 else 4 if method in TIER_4 else 3


@dataclass
class _Fault:
    error: str
    retry_after: int
    delay: float


@dataclass
class _Bucket:
    """A token bucket: `capacity` calls at once, refilled at `rate` calls a second."""

    capacity: float
    rate: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """Spend a token; 0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class _Trigger:
    user: str
    issued: float  # time.monotonic()
    used: bool = False


@dataclass
class _ResponseUrl:
    channel: str
    user: str
    created: float  # time.monotonic()
    message_ts: str | None = None
    uses: int = 0


@dataclass
class Upload:
    """A file between files.getUploadURLExternal and files.completeUploadExternal."""

    file: File
    length: int
    received: bool = False


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class SlackEmulator:
    """An in-memory Slack workspace behind a local Web API."""

    bot_id = "B0EMULATOR"
    app_id = "A0EMULATOR"

    def __init__(self, *, bot_token: str = "xoxb-emulator", app_token: str = "xapp-emulator",
                 workspace: Workspace | None = None) -> None:
        self.workspace = workspace if workspace is not None else Workspace()
        self.bot_token = bot_token
        self.app_token = app_token  # the app-level token, for apps.connections.open (Socket Mode)
        self.socket = socket_mode.SocketModeHub(self)
        self.rate_limits = False
        self.scopes: frozenset[str] | None = None  # the bot token's scopes: set to enforce them (missing_scope)
        self.trigger_ttl = 3.0
        self.response_url_ttl = RESPONSE_URL_TTL
        self.usergroups: dict[str, list[str]] = {}  # subteam id -> user ids
        self.reactions: dict[tuple[str, str], dict[str, list[str]]] = {}  # (channel key, ts) -> name -> users
        self.uploads: dict[str, Upload] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._slow: dict[str, deque[float]] = {}
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._trigger_seq = itertools.count(1)
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._dm_ids: dict[str, str] = {}  # user id -> D id
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/_emulator/state", self._handle_state)
        app.router.add_get("/socket/{ticket}", self.socket.handle)
        # A short shutdown_timeout: stop() must not wait on a request a test left sleeping.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._base_url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("SlackEmulator.start() has not been awaited yet")
        return self._base_url

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    # -- what the Slack client hands to the bot ---------------------------------------------------
    def new_response_url(self, channel_id: str, user_id: str, *, message_ts: str | None = None) -> str:
        """A response_url for an interaction by `user_id` in `channel_id`.

        `message_ts` names the message the interaction came from, so replace_original and
        delete_original can act on it; without it they act on the user's latest ephemeral.
        """
        rid = secrets.token_hex(12)
        self._response_urls[rid] = _ResponseUrl(channel_id, user_id, time.monotonic(), message_ts)
        return f"{self.base_url}/response/{rid}"

    def new_trigger_id(self, user_id: str) -> str:
        trigger_id = f"{next(self._trigger_seq)}.{int(time.time())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(user_id, time.monotonic())
        return trigger_id

    def trigger_user(self, trigger_id: str) -> str:
        """The user a trigger_id belongs to, or the error views.open/push answer for it."""
        trig = self._triggers.get(trigger_id)
        if trig is None:
            raise ApiError("invalid_trigger_id")
        if trig.used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - trig.issued > self.trigger_ttl:
            raise ApiError("expired_trigger_id")
        return trig.user

    def spend_trigger(self, trigger_id: str) -> None:
        self._triggers[trigger_id].used = True

    def dm_user(self, channel_arg: str) -> str | None:
        """The user a DM-ish channel argument (a user id or an issued D id) points at."""
        by_dm = next((u for u, d in self._dm_ids.items() if d == channel_arg), None)
        if by_dm is not None:
            return by_dm
        if channel_arg in self.workspace.users and channel_arg != self.workspace.bot_user_id:
            return channel_arg
        return None

    def dm_id(self, user_id: str) -> str:
        """The D id of the bot's DM with a user, stable for the emulator's lifetime."""
        if user_id not in self._dm_ids:
            self._dm_ids[user_id] = self.workspace.new_id("D")
        return self._dm_ids[user_id]

    def open_upload(self, filename: str, length: int) -> str:
        file_id = self.workspace.new_id("F")
        self.uploads[file_id] = Upload(File(file_id, filename, filename, b""), length)
        return file_id

    async def socket_send(self, kind: str, payload: dict[str, Any], *, timeout: float = 3.0,
                          **envelope: Any) -> dict[str, Any] | None:
        """Push an envelope to the app over Socket Mode; the payload of its ack (None for a bare ack).

        Raises socket_mode.NotConnected without a connection, socket_mode.AckTimeout without an ack.
        """
        sent = await self.socket.send(kind, payload, timeout=timeout, **envelope)
        return sent.ack_payload

    # -- fault injection --------------------------------------------------------------------------
    def fail(self, method: str, error: str = "ratelimited", *, times: int = 1, retry_after: int = 1,
             delay: float = 0.0) -> None:
        """Make the next `times` calls to `method` fail.

        "ratelimited" -> HTTP 429 + Retry-After; "http_500" -> HTTP 500 with a plain body;
        "timeout" -> answer normally after `delay` seconds (the client may give up first, but
        the call still takes effect, as with a slow Slack); anything else -> {"ok": false, "error"}.
        """
        queue = self._faults.setdefault(method, deque())
        queue.extend(_Fault(error, retry_after, delay) for _ in range(times))

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        self._slow.setdefault(method, deque()).extend([seconds] * times)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._slow.clear()

    def _next(self, queues: dict[str, deque[Any]], method: str) -> Any:
        queue = queues.get(method)
        return queue.popleft() if queue else None

    def _rate_limited(self, method: str, args: dict[str, Any]) -> int:
        """0 when the call is within Slack's limits, else the Retry-After seconds."""
        now = time.monotonic()
        if method == "chat.postMessage":
            key: tuple[str, ...] = (method, str(args.get("channel")))
            capacity, rate = POST_BURST, POST_PER_SECOND
        else:
            key = (method,)
            capacity, rate = PER_MINUTE[tier(method)], PER_MINUTE[tier(method)] / 60.0
        bucket = self._buckets.setdefault(key, _Bucket(capacity, rate, capacity, now))
        wait = bucket.take(now)
        return max(1, math.ceil(wait)) if wait else 0

    # -- HTTP: Web API ----------------------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            args = await _read_args(request)
        except ValueError:
            return self._answer(method, {}, _Reply(200, {"ok": False, "error": "invalid_form_data"}))
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else args.get("token")
        args.pop("token", None)  # never log the secret
        reply = await self._dispatch(method, args, token)
        return self._answer(method, args, reply)

    async def _dispatch(self, method: str, args: dict[str, Any], token: Any) -> _Reply:
        handler = METHODS.get(method)
        if handler is None:
            return _Reply(200, {"ok": False, "error": "unknown_method"})
        if not token:
            return _Reply(200, {"ok": False, "error": "not_authed"})
        wanted, other = self.bot_token, self.app_token
        if method in socket_mode.APP_TOKEN_METHODS:
            wanted, other = other, wanted
        if token != wanted:
            return _Reply(200, {"ok": False, "error": "not_allowed_token_type" if token == other else "invalid_auth"})
        if self.scopes is not None and (needed := self._needed(method, args)):
            return _Reply(200, {"ok": False, "error": "missing_scope", "needed": needed,
                                "provided": ",".join(sorted(self.scopes))})
        fault: _Fault | None = self._next(self._faults, method)
        delay = (fault.delay if fault else 0.0) + (self._next(self._slow, method) or 0.0)
        if delay:
            await asyncio.sleep(delay)
        if fault is not None and fault.error != "timeout":
            if fault.error == "ratelimited":
                return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)})
            if fault.error == "http_500":
                return _Reply(500, "Internal Server Error (injected by SlackEmulator.fail)")
            return _Reply(200, {"ok": False, "error": fault.error})
        if self.rate_limits:
            retry_after = self._rate_limited(method, args)
            if retry_after:
                return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        try:
            body = handler(self, args)
        except ApiError as exc:
            return _Reply(200, {"ok": False, "error": exc.error, **exc.extra})
        return _Reply(200, {"ok": True, **body})

    def _needed(self, method: str, args: dict[str, Any]) -> str | None:
        """The scope this call lacks (Slack names one in `needed`), or None."""
        assert self.scopes is not None
        if method in BY_CHANNEL:
            public, private = BY_CHANNEL[method]
            ch = self.workspace.channels.get(str(args.get("channel") or ""))
            private_call = (ch.is_private if ch else str(args.get("is_private", "")).lower() in ("true", "1"))
            wanted = {private if private_call else public}
        else:
            wanted = METHOD_SCOPES.get(method, set())
        missing = sorted(wanted - self.scopes)
        return missing[0] if missing else None

    def _answer(self, method: str, args: dict[str, Any], reply: _Reply) -> web.Response:
        ok = isinstance(reply.body, dict) and bool(reply.body.get("ok"))
        error = reply.body.get("error") if isinstance(reply.body, dict) else f"http_{reply.status}"
        self.workspace.calls.append(Call(method, args, ok, error, reply.status, time.time()))
        if self.scopes is not None:  # Slack names the token's scopes on every answer
            scopes = ",".join(sorted(self.scopes))
            reply = _Reply(reply.status, reply.body, {**reply.headers, "X-OAuth-Scopes": scopes})
        if isinstance(reply.body, str):
            return web.Response(status=reply.status, text=reply.body, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers, dumps=_dumps)

    # -- HTTP: response_url -------------------------------------------------------------------------
    async def _handle_response_url(self, request: web.Request) -> web.Response:
        entry = self._response_urls.get(request.match_info["rid"])
        if entry is None:
            return web.Response(status=404, text="no_such_url")
        try:
            payload = await _read_json_payload(request)
        except ValueError:
            return self._respond_url(payload={}, status=400, text="invalid_payload")
        if time.monotonic() - entry.created > self.response_url_ttl:
            return self._respond_url(payload, 404, "expired_url")
        if entry.uses >= RESPONSE_URL_USES:
            return self._respond_url(payload, 404, "used_url")
        error = self._apply_response(entry, payload)
        if error:
            return self._respond_url(payload, 400, error)
        return self._respond_url(payload, 200, "ok")

    def _respond_url(self, payload: dict[str, Any], status: int, text: str) -> web.Response:
        ok = status == 200
        self.workspace.calls.append(Call("response_url", payload, ok, None if ok else text, status, time.time()))
        return web.Response(status=status, text=text)

    def _apply_response(self, entry: _ResponseUrl, payload: dict[str, Any]) -> str | None:
        """Carry out a response_url post; an error string (nothing changed) when Slack would refuse it."""
        ws = self.workspace
        key = self.dm_user(entry.channel) or entry.channel
        text, blocks = payload.get("text"), payload.get("blocks")
        if payload.get("delete_original"):
            entry.uses += 1
            if entry.message_ts:
                ws.messages[key] = [m for m in ws.messages.get(key, []) if m.ts != entry.message_ts]
            else:
                latest = self._latest_ephemeral(key, entry.user)
                if latest is not None:
                    ws.ephemerals.remove(latest)
            return None
        if not text and not blocks:
            return "no_text"
        rejection = message_rejection(text, blocks)
        if rejection:
            return rejection.error
        entry.uses += 1
        text, blocks = str(text or ""), list(blocks or [])
        if payload.get("replace_original"):
            original = next((m for m in ws.messages.get(key, []) if m.ts == entry.message_ts), None)
            if original is not None:
                original.text, original.blocks = text, blocks
                return None
            latest = self._latest_ephemeral(key, entry.user)
            if entry.message_ts is None and latest is not None:
                latest.text, latest.blocks = text, blocks
                return None
        if payload.get("response_type") == "in_channel":
            msg = Message(key, ws.new_ts(), ws.bot_user_id, text, blocks, thread_ts=payload.get("thread_ts"))
            ws.messages.setdefault(key, []).append(msg)
        else:
            ws.ephemerals.append(Ephemeral(key, entry.user, text, blocks, via="response_url"))
        return None

    def _latest_ephemeral(self, channel: str, user: str) -> Ephemeral | None:
        return next((e for e in reversed(self.workspace.ephemerals) if e.channel == channel and e.user == user), None)

    # -- HTTP: file upload (the upload_url of files.getUploadURLExternal) ------------------------------
    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found")
        data = b""
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            if part is not None and isinstance(part, BodyPartReader):
                data = await part.read(decode=True)
        else:
            data = await request.read()
        upload.file.content = bytes(data)
        upload.received = True
        return web.Response(text=f"OK - {len(data)}")

    # -- HTTP: debugging ------------------------------------------------------------------------------
    async def _handle_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state_json(), dumps=_dumps)

    def state_json(self) -> dict[str, Any]:
        """The workspace as plain JSON: what GET /_emulator/state answers."""
        ws = self.workspace
        return {
            "team": {"id": ws.team_id, "name": ws.team_name, "bot_user_id": ws.bot_user_id},
            "users": [asdict(u) for u in ws.users.values()],
            "channels": [{**asdict(c), "members": sorted(c.members)} for c in ws.channels.values()],
            "messages": {key: [asdict(m) for m in msgs] for key, msgs in ws.messages.items()},
            "ephemerals": [asdict(e) for e in ws.ephemerals],
            "views": [asdict(v) for v in ws.views.values()],
            "files": [{"id": f.id, "filename": f.filename, "title": f.title, "size": len(f.content),
                       "channels": f.channels} for f in ws.files.values()],
            "reactions": [{"channel": c, "ts": ts, "reactions": r} for (c, ts), r in self.reactions.items()],
            "usergroups": self.usergroups,
            "dms": self._dm_ids,
            "calls": [asdict(c) for c in ws.calls],
        }


_dumps = functools.partial(json.dumps, default=repr)


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Arguments from the query string and a form or JSON body; JSON-in-form fields decoded."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ValueError("JSON body must be an object")
                args.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                args[key] = value.file.read() if isinstance(value, FileField) else value
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as a string: the handler answers with the method's format error
    return args


async def _read_json_payload(request: web.Request) -> dict[str, Any]:
    """A response_url body: JSON (what Bolt's respond() sends), or a form with a `payload` field."""
    if request.content_type == "application/json":
        payload = json.loads(await request.read() or b"{}")
    else:
        form = await request.post()
        payload = json.loads(str(form.get("payload") or "{}"))
    if not isinstance(payload, dict):
        raise ValueError("payload must be an object")
    if isinstance(payload.get("blocks"), str):
        payload["blocks"] = json.loads(payload["blocks"])
    return payload
