"""Socket Mode in the emulator: apps.connections.open, the WebSocket, envelopes and acks.

The protocol (https://docs.slack.dev/apis/events-api/using-socket-mode), as slack_sdk's
SocketModeClient speaks it:

1. The app calls `apps.connections.open` with its app-level token (`xapp-...`) and gets a
   one-time URL, here `ws://HOST:PORT/socket/<ticket>`.
2. It connects; Slack sends `{"type": "hello", "num_connections", "connection_info",
   "debug_info"}`.
3. Slack pushes envelopes `{"envelope_id", "type": "slash_commands" | "interactive" |
   "events_api", "payload", "accepts_response_payload"}` (events also carry
   `retry_attempt` / `retry_reason`) to any of the app's connections (at most 10).
4. The app acks each one on the socket: `{"envelope_id", "payload"?}`; the payload is
   what it would have answered over HTTP (an ephemeral text, a response_action...).
5. Either side pings at the WebSocket level and the other pongs. Slack may send
   `{"type": "disconnect", "reason": "warning" | "refresh_requested" | ...}`, and the app
   opens a new connection.

`SocketModeHub` is the Slack end of it; the emulator owns one as `emu.socket`:

    await emu.socket.wait_connected()
    env = await emu.socket.send("slash_commands", fields)   # an Envelope, ack included
    payload = await emu.socket_send("interactive", payload)  # just the ack's payload

`SlackDriver.for_emulator(emu, socket=True)` sends its payloads this way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot.emulator.api_common import Emulator

KINDS = ("slash_commands", "interactive", "events_api")
MAX_CONNECTIONS = 10  # Slack allows an app up to 10 open connections
TICKET_TTL = 60.0  # seconds a URL from apps.connections.open stays usable
DISCONNECT_REASONS = ("warning", "refresh_requested", "link_disabled", "too_many_websockets")
HOST = "applink-emulator"


class NotConnected(RuntimeError):
    """No app holds an open Socket Mode connection to send an envelope on."""


class AckTimeout(TimeoutError):
    """The app did not ack an envelope in time. The envelope is kept: a late ack still lands on it."""

    def __init__(self, envelope: Envelope, timeout: float) -> None:
        super().__init__(f"no ack for {envelope.type} envelope {envelope.id} within {timeout}s")
        self.envelope = envelope


@dataclass
class Envelope:
    """One envelope sent to the app, and its ack once it came."""

    id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    connection: str  # the ticket of the connection it went out on
    sent_at: float  # time.monotonic()
    retry_attempt: int | None = None
    retry_reason: str | None = None
    acked: bool = False
    ack_payload: dict[str, Any] | None = None
    ack_elapsed: float | None = None  # seconds from send to ack
    late: bool = False  # the ack came after the sender stopped waiting

    def message(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"envelope_id": self.id, "payload": self.payload, "type": self.type,
                               "accepts_response_payload": self.accepts_response_payload}
        if self.retry_attempt is not None:
            msg["retry_attempt"] = self.retry_attempt
            msg["retry_reason"] = self.retry_reason or ""
        return msg


@dataclass
class Connection:
    id: str  # the ticket it was opened with
    ws: web.WebSocketResponse
    opened: float  # time.monotonic()
    pings: int = 0  # WebSocket pings the app sent (each answered with a pong)
    retiring: bool = False  # told to disconnect; used only when no other connection is open
    closed: bool = False
    _pongs: dict[bytes, asyncio.Future[float]] = field(default_factory=dict, repr=False)


class SocketModeHub:
    """Slack's side of Socket Mode: hands out URLs, holds the app's connections, sends envelopes."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu
        self._tickets: dict[str, float] = {}  # unused ticket -> issued (time.monotonic())
        self.connections: dict[str, Connection] = {}  # open ones, by ticket
        self.envelopes: list[Envelope] = []  # everything sent, oldest first
        self.strays: list[Any] = []  # messages from the app that acked nothing (unknown id, bad JSON...)
        self.opened = 0  # connections accepted so far, closed ones included
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._turn = itertools.count()

    # -- apps.connections.open --------------------------------------------------------------
    def open_url(self) -> str:
        ticket = secrets.token_hex(12)
        self._tickets[ticket] = time.monotonic()
        return self._emu.base_url.replace("http", "ws", 1) + f"/socket/{ticket}"

    # -- the WebSocket endpoint ------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.match_info["ticket"]
        issued = self._tickets.pop(ticket, None)
        if issued is None or time.monotonic() - issued > TICKET_TTL:
            return web.Response(status=401, text="invalid_ticket")
        # autoping off: pings are answered here, and pongs to our own pings are seen.
        ws = web.WebSocketResponse(autoping=False, heartbeat=None, timeout=2.0)
        await ws.prepare(request)
        conn = Connection(ticket, ws, time.monotonic())
        if len(self.open_connections()) >= MAX_CONNECTIONS:
            await ws.send_json(self._disconnect_message("too_many_websockets"))
            await ws.close(code=WSCloseCode.POLICY_VIOLATION)
            return ws
        self.connections[ticket] = conn
        self.opened += 1
        try:
            await ws.send_json({
                "type": "hello",
                "num_connections": len(self.open_connections()),
                "connection_info": {"app_id": self._emu.app_id},
                "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            })
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(msg.data)
                elif msg.type == WSMsgType.PING:
                    conn.pings += 1
                    await ws.pong(msg.data)
                elif msg.type == WSMsgType.PONG:
                    waiter = conn._pongs.pop(bytes(msg.data), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(time.monotonic())
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            conn.closed = True
            self.connections.pop(ticket, None)
            for waiter in conn._pongs.values():
                waiter.cancel()
        return ws

    def _on_text(self, data: str) -> None:
        try:
            msg = json.loads(data)
        except ValueError:
            self.strays.append(data)
            return
        env_id = msg.get("envelope_id") if isinstance(msg, dict) else None
        envelope = next((e for e in reversed(self.envelopes) if e.id == env_id), None)
        if envelope is None or envelope.acked:
            self.strays.append(msg)
            return
        payload = msg.get("payload")
        envelope.acked = True
        envelope.ack_payload = payload if isinstance(payload, dict) else None
        envelope.ack_elapsed = time.monotonic() - envelope.sent_at
        waiter = self._pending.pop(envelope.id, None)
        if waiter is None or waiter.done():
            envelope.late = True
        else:
            waiter.set_result(None)

    # -- connections ------------------------------------------------------------------------
    def open_connections(self) -> list[Connection]:
        return [c for c in self.connections.values() if not c.closed and not c.ws.closed]

    @property
    def connected(self) -> bool:
        return bool(self.open_connections())

    async def wait_connected(self, count: int = 1, *, timeout: float = 10.0) -> list[Connection]:
        """The open connections, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while len(self.open_connections()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.open_connections())} Socket Mode connections open after {timeout}s, "
                                   f"wanted {count}")
            await asyncio.sleep(0.02)
        return self.open_connections()

    async def wait_opened(self, total: int, *, timeout: float = 10.0) -> None:
        """Until `total` connections have been accepted in all (to see a reconnect happen)."""
        deadline = time.monotonic() + timeout
        while self.opened < total or not self.connected:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.opened} Socket Mode connections accepted after {timeout}s, wanted {total}")
            await asyncio.sleep(0.02)

    def _pick(self) -> Connection:
        """Any of the app's connections, as Slack does; round-robin, skipping those told to go."""
        live = self.open_connections()
        preferred = [c for c in live if not c.retiring] or live
        if not preferred:
            raise NotConnected("no app is connected in Socket Mode")
        return preferred[next(self._turn) % len(preferred)]

    @staticmethod
    def _disconnect_message(reason: str) -> dict[str, Any]:
        return {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}}

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Tell every open connection to go away; the app opens a new one and closes the old."""
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"unknown disconnect reason {reason!r}; Slack sends {DISCONNECT_REASONS}")
        for conn in self.open_connections():
            conn.retiring = True
            await conn.ws.send_json(self._disconnect_message(reason))

    async def ping(self, *, timeout: float = 2.0) -> list[float]:
        """Ping every open connection at the WebSocket level; the round trips, once each app ponged."""
        waits = []
        for conn in self.open_connections():
            data = f"emulator-ping:{time.time()}:{secrets.token_hex(4)}".encode()
            waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            conn._pongs[data] = waiter
            start = time.monotonic()
            await conn.ws.ping(data)
            waits.append((start, waiter))
        if not waits:
            raise NotConnected("no app is connected in Socket Mode")
        await asyncio.wait([w for _, w in waits], timeout=timeout)
        if not all(w.done() and not w.cancelled() for _, w in waits):
            for _, w in waits:
                w.cancel()
            raise TimeoutError(f"the app did not answer a WebSocket ping within {timeout}s")
        return [w.result() - start for start, w in waits]

    async def drop(self, code: int = WSCloseCode.GOING_AWAY) -> None:
        """Close every connection from Slack's side (a restart, a network cut)."""
        for conn in list(self.connections.values()):
            conn.retiring = True
            if not conn.ws.closed:
                await conn.ws.close(code=code)

    async def close(self) -> None:
        await self.drop()

    # -- envelopes ----------------------------------------------------------------------------
    async def send(self, kind: str, payload: dict[str, Any], *, timeout: float = 3.0,
                   accepts_response_payload: bool | None = None, retry_attempt: int | None = None,
                   retry_reason: str | None = None) -> Envelope:
        """Push one envelope to the app and wait for its ack; AckTimeout if none comes in `timeout`.

        Events carry retry_attempt 0 / retry_reason "" on their first delivery, as Slack's do.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown envelope type {kind!r}; one of {KINDS}")
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        if kind == "events_api" and retry_attempt is None:
            retry_attempt, retry_reason = 0, ""
        conn = self._pick()
        envelope = Envelope(str(uuid.uuid4()), kind, payload, accepts_response_payload, conn.id, time.monotonic(),
                            retry_attempt, retry_reason)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[envelope.id] = waiter
        self.envelopes.append(envelope)
        try:
            envelope.sent_at = time.monotonic()
            await conn.ws.send_str(json.dumps(envelope.message()))
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise AckTimeout(envelope, timeout) from None
        finally:
            self._pending.pop(envelope.id, None)
        return envelope


def apps_connections_open(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    """apps.connections.open: the server has already checked the app-level token."""
    return {"url": emu.socket.open_url()}


METHODS = {"apps.connections.open": apps_connections_open}
# Methods that take the app-level token (xapp-...) instead of the bot token.
APP_TOKEN_METHODS = frozenset(METHODS)
