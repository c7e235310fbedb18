"""A small Opsgenie client: the Alert API by alias, and a schedule's on-call people.

    POST {api}/v2/alerts                                        {message, alias, description, responders,
                                                                 priority, details, source, tags}
    POST {api}/v2/alerts/{alias}/acknowledge?identifierType=alias   {user, source, note}
    POST {api}/v2/alerts/{alias}/close?identifierType=alias
    POST {api}/v2/alerts/{alias}/escalate?identifierType=alias      {escalation: {name}, source, note}
    GET  {api}/v2/schedules/{name}/on-calls?scheduleIdentifierType=name&flat=true
    Authorization: GenieKey <key>; writes answer 202 {result, took, requestId} and are processed later.
"""

from __future__ import annotations

from typing import Any

from bot.paging.http import PagerRefused, request
from bot.paging.pagerduty import Person

NAME = "Opsgenie"
SOURCE = "incident-bot"


class OpsgenieApi:
    def __init__(self, api_url: str, key: str) -> None:
        self.base = f"{api_url.rstrip('/')}/v2"
        self.headers = {"Authorization": f"GenieKey {key}", "Content-Type": "application/json"}

    async def create(self, alert: dict[str, Any]) -> str:
        """The request id Opsgenie gave back."""
        answer = await request(NAME, "POST", f"{self.base}/alerts", headers=self.headers, body=alert)
        return str(answer.get("requestId") or "")

    async def outcome(self, request_id: str) -> tuple[bool, str] | None:
        """What became of an accepted request: (success, Opsgenie's status); None while it is not processed."""
        try:
            answer = await request(NAME, "GET", f"{self.base}/alerts/requests/{request_id}", headers=self.headers)
        except PagerRefused:  # 404: not processed yet
            return None
        data = answer.get("data") or {}
        return bool(data.get("isSuccess", data.get("success", True))), str(data.get("status") or "")

    async def act(self, alias: str, action: str, body: dict[str, Any] | None = None) -> None:
        """acknowledge, close or escalate the alert of `alias`."""
        await request(NAME, "POST", f"{self.base}/alerts/{alias}/{action}", headers=self.headers,
                      params=[("identifierType", "alias")], body={"source": SOURCE, **(body or {})})

    async def oncall(self, schedule: str) -> Person | None:
        answer = await request(NAME, "GET", f"{self.base}/schedules/{schedule}/on-calls", headers=self.headers,
                               params=[("scheduleIdentifierType", "name"), ("flat", "true")])
        people = (answer.get("data") or {}).get("onCallRecipients") or []
        first = next((p for p in people if isinstance(p, str) and p), None)
        return Person(first, first) if first else None  # an Opsgenie username is the person's email
