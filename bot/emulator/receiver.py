"""A local receiver of the bot's outgoing webhooks, for the demo and the tests: it verifies each
delivery as the README tells a receiver to (HMAC-SHA256 of "<timestamp>.<body>" with the shared secret,
the timestamp within five minutes), answers 401 to a bad signature, keeps what it accepted in order,
and fails on demand (a 5xx, a 429 with Retry-After, a 4xx)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOLERANCE = 300  # seconds


@dataclass
class Received:
    event_id: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    secret: str
    accepted: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why each refused delivery was refused
    url: str = ""
    clock: Any = None  # something with .now() (the bot's fake clock), else the wall clock
    _failures: list[tuple[int, str | None]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    def fail(self, times: int, status: int = 503, retry_after: str | None = None) -> None:
        self._failures += [(status, retry_after)] * times

    def events(self) -> list[str]:
        return [r.body["type"] for r in self.accepted]

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def verify(self, headers: Any, raw: bytes) -> str | None:
        """Why the delivery is not genuine, or None: the recipe the README gives receivers."""
        stamp = headers.get("X-Incident-Bot-Timestamp", "")
        given = headers.get("X-Incident-Bot-Signature", "")
        if not stamp.isdigit() or not given.startswith("v1="):
            return "missing timestamp or signature"
        now = self.clock.now().timestamp() if self.clock is not None else time.time()
        if abs(now - int(stamp)) > TOLERANCE:
            return "timestamp too far from now"
        expected = hmac.new(self.secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given[3:], expected):
            return "signature mismatch"
        return None

    async def _receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if self._failures:
            status, retry_after = self._failures.pop(0)
            return web.json_response({"error": "failing on purpose"}, status=status,
                                     headers={"Retry-After": retry_after} if retry_after else None)
        problem = self.verify(request.headers, raw)
        if problem:
            self.refused.append(problem)
            return web.json_response({"error": problem}, status=401)
        body = json.loads(raw)
        if any(r.event_id == body["id"] for r in self.accepted):
            return web.json_response({"ok": True, "duplicate": True})  # receivers dedupe on the event id
        self.accepted.append(Received(body["id"], body, dict(request.headers)))
        return web.json_response({"ok": True})
