"""The fake PagerDuty, written from its public API reference:

Events API v2 — POST /v2/enqueue with routing_key (the 32-character integration key of a service),
event_action trigger | acknowledge | resolve, dedup_key (at most 255), and for a trigger payload.summary
(at most 1024), payload.source and payload.severity (critical | error | warning | info); answers 202
{status: "success", message: "Event processed", dedup_key}, 400 {status: "invalid event", message:
"Event object is invalid", errors: [...]}, or 429 when told to. A trigger opens an incident on the
service (or adds to the open one of that dedup_key), assigned to its escalation policy's level 1.

REST API — `Authorization: Token token=<key>` (401 otherwise), `From: <email>` on writes (400 without):
GET /oncalls?escalation_policy_ids[]=…(&include[]=users), GET /incidents?incident_key=…, GET /users/{id},
PUT /incidents/{id} {"incident": {"type": "incident_reference", "escalation_level": n}}.

Webhooks v3 — what a responder does here (`acknowledge`, `resolve`, `reassign`, and an escalation through
the API) is POSTed to `webhook_url` as {"event": {id, event_type, resource_type, occurred_at, agent, data}}
signed `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body>`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.emulator.vendor import BODY, VendorFake

SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")


@dataclass
class FakePagerDuty(VendorFake):
    api_token: str = "pd-rest-token"
    webhook_secret: str = "pd-webhook-secret"
    webhook_url: str | None = None
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name, escalation_policy
    keys: dict[str, str] = field(default_factory=dict)  # integration key -> service id
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name, email
    policies: dict[str, list[str]] = field(default_factory=dict)  # escalation policy id -> user id per level
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # every accepted event
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    # -- setting it up ---------------------------------------------------------------------------

    def add_user(self, name: str, email: str) -> str:
        uid = "P" + uuid.uuid4().hex[:6].upper()
        self.users[uid] = {"id": uid, "type": "user", "name": name, "summary": name, "email": email,
                           "html_url": f"https://example.pagerduty.com/users/{uid}"}
        return uid

    def add_service(self, name: str, oncall: list[str]) -> tuple[str, str, str]:
        """A service with an Events API v2 integration and an escalation policy whose levels are `oncall`
        (user ids): (integration key, service id, escalation policy id)."""
        sid, ep = "PS" + uuid.uuid4().hex[:5].upper(), "PE" + uuid.uuid4().hex[:5].upper()
        key = uuid.uuid4().hex  # 32 characters, as PagerDuty's integration keys
        self.services[sid] = {"id": sid, "name": name, "escalation_policy": ep}
        self.keys[key] = sid
        self.policies[ep] = list(oncall)
        return key, sid, ep

    def incident(self, dedup_key: str) -> dict[str, Any] | None:
        found = [i for i in self.incidents.values() if i["incident_key"] == dedup_key]
        return found[-1] if found else None

    # -- the routes ------------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v2/enqueue", self._enqueue)
        app.router.add_get("/oncalls", self._oncalls)
        app.router.add_get("/incidents", self._list_incidents)
        app.router.add_put("/incidents/{id}", self._update_incident)
        app.router.add_get("/users/{id}", self._user)

    @staticmethod
    def _invalid(*errors: str) -> web.Response:
        return web.json_response({"status": "invalid event", "message": "Event object is invalid",
                                  "errors": list(errors)}, status=400)

    async def _enqueue(self, request: web.Request) -> web.Response:
        event = request[BODY]
        if not isinstance(event, dict):
            return self._invalid("Event object must be a JSON object")
        errors = []
        key = event.get("routing_key")
        if not isinstance(key, str) or len(key) != 32:
            errors.append("'routing_key' must be a 32 character integration key")
        elif key not in self.keys:
            errors.append("'routing_key' does not match an integration")
        action = event.get("event_action")
        if action not in ACTIONS:
            errors.append(f"'event_action' must be one of {', '.join(ACTIONS)}")
        dedup = event.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            errors.append("'dedup_key' must be a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not dedup:
            errors.append("'dedup_key' is required for acknowledge and resolve events")
        payload = event.get("payload")
        if action == "trigger":
            if not isinstance(payload, dict):
                errors.append("'payload' is required for trigger events")
            else:
                summary = payload.get("summary")
                if not isinstance(summary, str) or not summary or len(summary) > 1024:
                    errors.append("'payload.summary' is required, at most 1024 characters")
                if not payload.get("source"):
                    errors.append("'payload.source' is required")
                if payload.get("severity") not in SEVERITIES:
                    errors.append(f"'payload.severity' must be one of {', '.join(SEVERITIES)}")
        if errors:
            return self._invalid(*errors)
        dedup = dedup or uuid.uuid4().hex
        self.events.append(event)
        open_one = next((i for i in self.incidents.values()
                         if i["incident_key"] == dedup and i["status"] != "resolved"), None)
        if action == "trigger" and open_one is None:
            self._open(self.keys[key], dedup, event["payload"]["summary"], event["payload"]["severity"])
        elif open_one is not None and action == "acknowledge":
            open_one["status"] = "acknowledged"
        elif open_one is not None and action == "resolve":
            open_one["status"] = "resolved"
        return web.json_response({"status": "success", "message": "Event processed", "dedup_key": dedup}, status=202)

    def _open(self, service_id: str, dedup: str, title: str, severity: str) -> dict[str, Any]:
        service = self.services[service_id]
        number = next(self._numbers)
        iid = f"Q{number:06d}"
        level1 = self.policies[service["escalation_policy"]][:1]
        self.incidents[iid] = {
            "id": iid, "type": "incident", "number": number, "title": title, "status": "triggered",
            "incident_key": dedup, "urgency": "high" if severity in ("critical", "error") else "low",
            "created_at": _now(), "escalation_level": 1,
            "service": {"id": service_id, "type": "service_reference", "summary": service["name"]},
            "escalation_policy": {"id": service["escalation_policy"], "type": "escalation_policy_reference"},
            "assignees": [self._reference(u) for u in level1],
            "html_url": f"https://example.pagerduty.com/incidents/{iid}",
        }
        return self.incidents[iid]

    def _reference(self, user_id: str) -> dict[str, Any]:
        user = self.users[user_id]
        return {"id": user_id, "type": "user_reference", "summary": user["name"], "html_url": user["html_url"]}

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Token token={self.api_token}"

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.json_response({"error": {"message": "Authentication required", "code": 2006}}, status=401)

    async def _oncalls(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        wanted = request.query.getall("escalation_policy_ids[]", [])
        full = "users" in request.query.getall("include[]", [])
        out = []
        for ep in wanted:
            for level, uid in enumerate(self.policies.get(ep, []), start=1):
                out.append({"escalation_policy": {"id": ep, "type": "escalation_policy_reference"},
                            "escalation_level": level, "schedule": None, "start": None, "end": None,
                            "user": dict(self.users[uid]) if full else self._reference(uid)})
        return web.json_response({"oncalls": out, "limit": 25, "offset": 0, "more": False, "total": None})

    async def _list_incidents(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        key = request.query.get("incident_key")
        found = [i for i in self.incidents.values() if key is None or i["incident_key"] == key]
        return web.json_response({"incidents": found, "limit": 25, "offset": 0, "more": False})

    async def _user(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        user = self.users.get(request.match_info["id"])
        if user is None:
            return web.json_response({"error": {"message": "Not Found", "code": 2100}}, status=404)
        return web.json_response({"user": user})

    async def _update_incident(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        frm = request.headers.get("From", "")
        actor = next((u for u in self.users.values() if u["email"] == frm), None)
        if actor is None:
            return web.json_response({"error": {"message": "Invalid Input Provided", "code": 2001, "errors": [
                "A valid user email address is required in the From header"]}}, status=400)
        incident = self.incidents.get(request.match_info["id"])
        if incident is None:
            return web.json_response({"error": {"message": "Not Found", "code": 2100}}, status=404)
        body = (request[BODY] or {}).get("incident") if isinstance(request[BODY], dict) else None
        if not isinstance(body, dict) or body.get("type") not in ("incident", "incident_reference"):
            return web.json_response({"error": {"message": "Invalid Input Provided", "code": 2001,
                                                "errors": ["incident.type must be incident_reference"]}}, status=400)
        level = body.get("escalation_level")
        if level is not None:
            levels = self.policies[incident["escalation_policy"]["id"]]
            if not isinstance(level, int) or not 1 <= level <= len(levels):
                return web.json_response({"error": {"message": "Invalid Input Provided", "code": 2001,
                                                    "errors": ["Escalation level is out of range"]}}, status=400)
            incident["escalation_level"] = level
            incident["assignees"] = [self._reference(levels[level - 1])]
            await self._send("incident.escalated", incident, actor["id"])
        return web.json_response({"incident": incident})

    # -- what a responder does in PagerDuty -------------------------------------------------------

    async def acknowledge(self, dedup_key: str, user_id: str) -> int | None:
        return await self._act(dedup_key, "acknowledged", "incident.acknowledged", user_id)

    async def resolve(self, dedup_key: str, user_id: str) -> int | None:
        return await self._act(dedup_key, "resolved", "incident.resolved", user_id)

    async def reassign(self, dedup_key: str, to_user: str, by_user: str) -> int | None:
        incident = self.incident(dedup_key)
        assert incident is not None, f"no incident for {dedup_key}"
        incident["assignees"] = [self._reference(to_user)]
        return await self._send("incident.reassigned", incident, by_user)

    async def _act(self, dedup_key: str, status: str, event_type: str, user_id: str) -> int | None:
        incident = self.incident(dedup_key)
        assert incident is not None, f"no incident for {dedup_key}"
        incident["status"] = status
        return await self._send(event_type, incident, user_id)

    def envelope(self, event_type: str, incident: dict[str, Any], user_id: str) -> dict[str, Any]:
        return {"event": {
            "id": uuid.uuid4().hex[:26].upper(), "event_type": event_type, "resource_type": "incident",
            "occurred_at": _now(), "agent": self._reference(user_id), "client": None, "data": dict(incident)}}

    def sign(self, raw: bytes) -> str:
        return "v1=" + hmac.new(self.webhook_secret.encode(), raw, hashlib.sha256).hexdigest()

    async def _send(self, event_type: str, incident: dict[str, Any], user_id: str) -> int | None:
        if not self.webhook_url:
            return None
        body = self.envelope(event_type, incident, user_id)
        return await self.redeliver(body)

    async def redeliver(self, body: dict[str, Any]) -> int:
        """Send a webhook body (again), signed as PagerDuty signs it."""
        raw = json.dumps(body).encode()
        assert self.webhook_url
        return await self.deliver(self.webhook_url, body, {"X-PagerDuty-Signature": self.sign(raw),
                                                           "X-Webhook-Id": uuid.uuid4().hex}, raw)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
