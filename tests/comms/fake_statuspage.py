"""A local fake of Atlassian Statuspage's REST API v1, for the connector's tests: the two incident
calls the bot makes, checked as Statuspage checks them (OAuth key, page id, body shape, status and
component-status values), every request recorded, and failures on demand."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage",
                      "under_maintenance"}


@dataclass
class Recorded:
    method: str
    path: str
    authorization: str | None
    body: Any
    status: int  # what the fake answered


@dataclass
class FakeStatuspage:
    page_id: str = "pg1fake"
    api_key: str = "sp-secret-key"
    components: dict[str, str] = field(default_factory=dict)  # component id -> status
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    _failures: list[tuple[str, int, str | None]] = field(default_factory=list)  # (kind, status, Retry-After)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    def fail(self, times: int, status: int = 503, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with HTTP `status`, with a Retry-After header when given."""
        self._failures += [("status", status, retry_after)] * times

    def disconnect(self, times: int) -> None:
        """Drop the connection on the next `times` requests, as a network failure would."""
        self._failures += [("disconnect", 0, None)] * times

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/pages/{page}/incidents", self._create)
        app.router.add_patch("/v1/pages/{page}/incidents/{incident}", self._update)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/v1"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def ok_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.status < 300]

    async def _check(self, request: web.Request) -> tuple[dict[str, Any] | None, web.StreamResponse | None]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        auth = request.headers.get("Authorization")

        def answer(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
            self.requests.append(Recorded(request.method, request.path, auth, body, status))
            return web.json_response(data, status=status, headers=headers)

        if self._failures:
            kind, status, retry_after = self._failures.pop(0)
            if kind == "disconnect":
                self.requests.append(Recorded(request.method, request.path, auth, body, 0))
                assert request.transport is not None
                request.transport.close()
                return None, web.Response(status=500)
            return None, answer(status, {"error": "Injected failure"},
                                {"Retry-After": retry_after} if retry_after else None)
        if auth != f"OAuth {self.api_key}":
            return None, answer(401, {"error": "Could not authenticate"})
        if request.match_info["page"] != self.page_id:
            return None, answer(404, {"error": "Page not found"})
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return None, answer(400, {"error": "incident is missing"})
        if "status" in incident and incident["status"] not in INCIDENT_STATUSES:
            return None, answer(422, {"error": f"status {incident['status']!r} is invalid"})
        for cid, status in (incident.get("components") or {}).items():
            if cid not in self.components or status not in COMPONENT_STATUSES:
                return None, answer(422, {"error": f"component {cid!r}: {status!r} is invalid"})
        self.requests.append(Recorded(request.method, request.path, auth, body, 200))
        return incident, None

    def _apply(self, stored: dict[str, Any], incident: dict[str, Any]) -> None:
        for key in ("name", "status", "impact_override"):
            if key in incident:
                stored[key] = incident[key]
        if incident.get("body"):
            stored["incident_updates"].insert(0, {"status": stored["status"], "body": incident["body"]})
        self.components.update(incident.get("components") or {})
        stored["components"] = sorted(incident.get("components") or {})

    async def _create(self, request: web.Request) -> web.StreamResponse:
        incident, refused = await self._check(request)
        if refused is not None:
            return refused
        assert incident is not None
        if not incident.get("name"):
            self.requests[-1].status = 422
            return web.json_response({"error": "name is missing"}, status=422)
        incident_id = f"sp{next(self._ids):04d}"
        stored = {"id": incident_id, "status": "investigating", "incident_updates": []}
        self._apply(stored, incident)
        self.incidents[incident_id] = stored
        return web.json_response(stored, status=201)

    async def _update(self, request: web.Request) -> web.StreamResponse:
        incident, refused = await self._check(request)
        if refused is not None:
            return refused
        assert incident is not None
        stored = self.incidents.get(request.match_info["incident"])
        if stored is None:
            self.requests[-1].status = 404
            return web.json_response({"error": "Incident not found"}, status=404)
        self._apply(stored, incident)
        return web.json_response(stored)
