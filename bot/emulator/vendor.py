"""What the vendor fakes share: a local aiohttp server on a free port, every request recorded, and
failures on demand (an HTTP status with an optional Retry-After, or a dropped connection)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BODY = web.RequestKey("body", object)  # the request's JSON body, read once by the middleware


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int  # what the fake answered


@dataclass
class VendorFake:
    requests: list[Recorded] = field(default_factory=list)
    delivered: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # webhooks sent: (status, body)
    url: str = ""
    _failures: list[tuple[int, str | None]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    def fail(self, times: int, status: int = 503, retry_after: str | None = None) -> None:
        """Answer the next `times` API requests with HTTP `status` (0: drop the connection)."""
        self._failures += [(status, retry_after)] * times

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(middlewares=[self._middleware])
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{bound[0]}:{bound[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        query: dict[str, list[str]] = {}
        for key, value in request.query.items():
            query.setdefault(key, []).append(value)
        seen = Recorded(request.method, request.path, query, dict(request.headers), body, 0)
        self.requests.append(seen)
        if self._failures:
            status, retry_after = self._failures.pop(0)
            if status == 0:
                assert request.transport is not None
                request.transport.close()
                raise ConnectionResetError("dropped on purpose")
            seen.status = status
            headers = {"Retry-After": retry_after} if retry_after else None
            return web.json_response({"message": f"failing on purpose ({status})"}, status=status, headers=headers)
        request[BODY] = body
        response = await handler(request)
        seen.status = response.status
        return response

    async def deliver(self, url: str, body: dict[str, Any], headers: dict[str, str], raw: bytes | None = None) -> int:
        """POST a webhook to the bot, as the vendor does (`raw`: the exact bytes signed); the bot's status."""
        raw = raw if raw is not None else json.dumps(body).encode()
        async with aiohttp.ClientSession() as http, http.post(url, data=raw, headers={
                "Content-Type": "application/json", **headers}) as resp:
            await resp.read()
            self.delivered.append((resp.status, body))
            return resp.status

    def calls(self, method: str, path_start: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]
