"""The fake Opsgenie, written from its public Alert API and webhook references:

    POST /v2/alerts                       message (required, at most 130), alias (at most 512), description,
                                          responders [{type: team|user|escalation|schedule, name|id|username}],
                                          priority P1..P5, details, tags, source; 202 {result, took, requestId}.
                                          An open alert with the same alias is de-duplicated (its count grows).
    POST /v2/alerts/{id}/acknowledge|close|escalate?identifierType=id|alias|tiny
                                          202 too; escalate needs {escalation: {id|name}} (422 otherwise)
    GET  /v2/alerts/requests/{requestId}  what became of an accepted request
    GET  /v2/schedules/{id}/on-calls?scheduleIdentifierType=name|id&flat=true
    Authorization: GenieKey <key> (401 {message: "Could not authenticate"} otherwise); 422 {message, errors}
    for a body Opsgenie cannot process.

What a responder does here (`acknowledge`, `close`, `assign`) is POSTed to `webhook_url` as Opsgenie's
alert action data {action, alert: {alertId, alias, username, owner, updatedAt, …}, source, integrationName},
with the shared token in the custom header `X-Opsgenie-Token`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.emulator.vendor import BODY, VendorFake

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
RESPONDER_TYPES = ("team", "user", "escalation", "schedule")


@dataclass
class FakeOpsgenie(VendorFake):
    api_key: str = "og-genie-key"
    webhook_token: str = "og-webhook-token"
    webhook_url: str | None = None
    teams: set[str] = field(default_factory=set)
    schedules: dict[str, list[str]] = field(default_factory=dict)  # schedule name -> on-call usernames (emails)
    escalations: set[str] = field(default_factory=set)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)  # alert id -> alert
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # request id -> outcome

    def alert(self, alias: str) -> dict[str, Any] | None:
        found = [a for a in self.alerts.values() if a["alias"] == alias]
        return found[-1] if found else None

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v2/alerts", self._create)
        app.router.add_post("/v2/alerts/{identifier}/{action}", self._act)
        app.router.add_get("/v2/alerts/requests/{request}", self._request_status)
        app.router.add_get("/v2/schedules/{identifier}/on-calls", self._oncalls)

    @staticmethod
    def _answer(status: int, **body: Any) -> web.Response:
        return web.json_response({**body, "took": 0.01, "requestId": str(uuid.uuid4())}, status=status)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"GenieKey {self.api_key}"

    def _accepted(self, outcome: dict[str, Any]) -> web.Response:
        rid = str(uuid.uuid4())
        self.results[rid] = outcome
        return web.json_response({"result": "Request will be processed", "took": 0.02, "requestId": rid}, status=202)

    async def _create(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._answer(401, message="Could not authenticate")
        body = request[BODY]
        if not isinstance(body, dict):
            return self._answer(422, message="Request body is not processable. Please check the errors.",
                                errors={"body": "must be a JSON object"})
        errors = {}
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            errors["message"] = "Message can not be empty."
        elif len(message) > 130:
            errors["message"] = "Message can not be longer than 130 characters."
        if len(str(body.get("alias") or "")) > 512:
            errors["alias"] = "Alias can not be longer than 512 characters."
        if body.get("priority") is not None and body.get("priority") not in PRIORITIES:
            errors["priority"] = "Priority should be one of [P1, P2, P3, P4, P5]"
        for i, r in enumerate(body.get("responders") or []):
            if not isinstance(r, dict) or r.get("type") not in RESPONDER_TYPES or not (
                    r.get("name") or r.get("id") or r.get("username")):
                errors[f"responders[{i}]"] = "Responder should have a type and an id, name or username"
        if errors:
            return self._answer(422, message="Request body is not processable. Please check the errors.",
                                errors=errors)
        alias = str(body.get("alias") or message)
        open_one = next((a for a in self.alerts.values() if a["alias"] == alias and a["status"] == "open"), None)
        if open_one is not None:
            open_one["count"] += 1
            return self._accepted({"success": True, "action": "Create", "status": "Alert is de-duplicated",
                                   "alertId": open_one["id"], "alias": alias})
        unknown = [r["name"] for r in body.get("responders") or [] if r.get("type") == "team" and r.get("name")
                   and r["name"] not in self.teams]
        if unknown:  # Opsgenie takes the request and fails it later, as the request status shows
            return self._accepted({"success": False, "action": "Create", "status": f"Team [{unknown[0]}] not found"})
        aid = str(uuid.uuid4())
        self.alerts[aid] = {"id": aid, "tinyId": str(len(self.alerts) + 1), "alias": alias, "message": message,
                            "description": body.get("description"), "priority": body.get("priority") or "P3",
                            "responders": body.get("responders") or [], "details": body.get("details") or {},
                            "tags": body.get("tags") or [], "source": body.get("source"), "status": "open",
                            "acknowledged": False, "count": 1, "owner": "", "escalations": []}
        return self._accepted({"success": True, "action": "Create", "status": "Created alert", "alertId": aid,
                               "alias": alias})

    def _find(self, identifier: str, kind: str) -> dict[str, Any] | None:
        if kind == "alias":
            return self.alert(identifier)
        if kind == "tiny":
            return next((a for a in self.alerts.values() if a["tinyId"] == identifier), None)
        return self.alerts.get(identifier)

    async def _act(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._answer(401, message="Could not authenticate")
        action, kind = request.match_info["action"], request.query.get("identifierType", "id")
        if action not in ("acknowledge", "close", "escalate"):
            return self._answer(404, message="Not found")
        if kind not in ("id", "alias", "tiny"):
            return self._answer(422, message="Request body is not processable. Please check the errors.",
                                errors={"identifierType": "should be one of [id, alias, tiny]"})
        body = request[BODY] if isinstance(request[BODY], dict) else {}
        escalation = body.get("escalation")
        if action == "escalate" and not (isinstance(escalation, dict) and (escalation.get("id") or
                                                                           escalation.get("name"))):
            return self._answer(422, message="Request body is not processable. Please check the errors.",
                                errors={"escalation": "Escalation should have an id or a name"})
        alert = self._find(request.match_info["identifier"], kind)
        if alert is None:
            return self._accepted({"success": False, "action": action.capitalize(), "status": "Alert does not exist"})
        if action == "acknowledge":
            alert["acknowledged"] = True
        elif action == "close":
            alert["status"] = "closed"
        else:
            alert["escalations"].append(escalation.get("name") or escalation.get("id"))
        return self._accepted({"success": True, "action": action.capitalize(), "alertId": alert["id"]})

    async def _request_status(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._answer(401, message="Could not authenticate")
        found = self.results.get(request.match_info["request"])
        if found is None:
            return self._answer(404, message="Request not found")
        return self._answer(200, data={**found, "isSuccess": found["success"], "processedAt": time.time()})

    async def _oncalls(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._answer(401, message="Could not authenticate")
        name = request.match_info["identifier"]
        if name not in self.schedules:
            return self._answer(404, message=f"Schedule with identifier [{name}] does not exist")
        people = self.schedules[name]
        if request.query.get("flat") == "true":
            return self._answer(200, data={"_parent": {"id": name, "name": name, "enabled": True},
                                           "onCallRecipients": list(people)})
        return self._answer(200, data={"_parent": {"id": name, "name": name, "enabled": True},
                                       "onCallParticipants": [{"name": p, "type": "user"} for p in people]})

    # -- what a responder does in Opsgenie --------------------------------------------------------

    async def acknowledge(self, alias: str, username: str) -> int | None:
        alert = self.alert(alias)
        assert alert is not None, f"no alert {alias}"
        alert["acknowledged"] = True
        return await self._send("Acknowledge", alert, username)

    async def close(self, alias: str, username: str) -> int | None:
        alert = self.alert(alias)
        assert alert is not None, f"no alert {alias}"
        alert["status"] = "closed"
        return await self._send("Close", alert, username)

    async def assign(self, alias: str, owner: str, username: str) -> int | None:
        alert = self.alert(alias)
        assert alert is not None, f"no alert {alias}"
        alert["owner"] = owner
        return await self._send("AssignOwnership", alert, username)

    def action_data(self, action: str, alert: dict[str, Any], username: str) -> dict[str, Any]:
        data = {"alertId": alert["id"], "alias": alert["alias"], "tinyId": alert["tinyId"], "message": alert["message"],
                "username": username, "userId": str(uuid.uuid5(uuid.NAMESPACE_DNS, username)), "entity": "",
                "tags": alert["tags"], "createdAt": 0, "updatedAt": time.time_ns(), "source": username,
                "teams": [r.get("name") for r in alert["responders"] if r.get("type") == "team"]}
        if action == "AssignOwnership":
            data["owner"] = alert["owner"]
        return {"action": action, "alert": data, "source": {"name": "", "type": "web"},
                "integrationId": "37c8f316-fake", "integrationName": "incident-bot webhook"}

    async def _send(self, action: str, alert: dict[str, Any], username: str) -> int | None:
        if not self.webhook_url:
            return None
        return await self.redeliver(self.action_data(action, alert, username))

    async def redeliver(self, body: dict[str, Any]) -> int:
        assert self.webhook_url
        return await self.deliver(self.webhook_url, body, {"X-Opsgenie-Token": self.webhook_token})
