"""A small PagerDuty client: the Events API v2 (trigger, acknowledge, resolve by dedup_key) and the few
REST API calls the bot makes (who is on call, find the incident of a key, escalate it).

    POST {events}/v2/enqueue                      {routing_key, event_action, dedup_key, payload, links}
                                                  -> 202 {status, message, dedup_key}
    GET  {api}/oncalls?escalation_policy_ids[]=…&include[]=users&earliest=true
    GET  {api}/incidents?incident_key=…           the incident a dedup_key opened
    PUT  {api}/incidents/{id}                     {"incident": {"type": "incident_reference", "escalation_level": n}}
    GET  {api}/users/{id}                         a person's email
    REST: Authorization: Token token=<key>, Accept: application/vnd.pagerduty+json;version=2, and From: <email>
    on writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.paging.http import PagerRefused, request

NAME = "PagerDuty"


@dataclass(frozen=True)
class Person:
    name: str | None
    email: str | None
    pager_id: str | None = None


class PagerDutyEvents:
    def __init__(self, events_url: str) -> None:
        self.url = f"{events_url.rstrip('/')}/v2/enqueue"

    async def send(self, event: dict[str, Any]) -> str:
        """The dedup_key PagerDuty gave back."""
        answer = await request(NAME, "POST", self.url, headers={"Content-Type": "application/json"}, body=event)
        return str(answer.get("dedup_key") or event.get("dedup_key") or "")


class PagerDutyApi:
    def __init__(self, api_url: str, token: str, from_email: str | None) -> None:
        self.base = api_url.rstrip("/")
        self.headers = {"Authorization": f"Token token={token}", "Accept": "application/vnd.pagerduty+json;version=2",
                        "Content-Type": "application/json"}
        self.from_email = from_email

    async def oncall(self, escalation_policy: str) -> Person | None:
        """Who is on call first for the escalation policy now (its lowest level)."""
        answer = await request(NAME, "GET", f"{self.base}/oncalls", headers=self.headers, params=[
            ("escalation_policy_ids[]", escalation_policy), ("include[]", "users"), ("earliest", "true")])
        entries = [e for e in answer.get("oncalls") or [] if isinstance(e, dict) and isinstance(e.get("user"), dict)]
        if not entries:
            return None
        first = min(entries, key=lambda e: int(e.get("escalation_level") or 99))
        user = first["user"]
        return Person(user.get("name") or user.get("summary"), user.get("email"), user.get("id"))

    async def user(self, user_id: str) -> Person:
        answer = await request(NAME, "GET", f"{self.base}/users/{user_id}", headers=self.headers)
        user = answer.get("user") or {}
        return Person(user.get("name") or user.get("summary"), user.get("email"), user.get("id"))

    async def incident_of(self, dedup_key: str) -> dict[str, Any] | None:
        answer = await request(NAME, "GET", f"{self.base}/incidents", headers=self.headers,
                               params=[("incident_key", dedup_key)])
        found = [i for i in answer.get("incidents") or [] if isinstance(i, dict)]
        return found[0] if found else None

    async def escalate(self, incident_id: str, level: int) -> None:
        if not self.from_email:
            raise PagerRefused("PagerDuty needs a From: header to change an incident: set PAGERDUTY_FROM_EMAIL")
        await request(NAME, "PUT", f"{self.base}/incidents/{incident_id}", headers={**self.headers,
                      "From": self.from_email},
                      body={"incident": {"type": "incident_reference", "escalation_level": level}})
