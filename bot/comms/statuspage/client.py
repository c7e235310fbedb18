"""A small client for Atlassian Statuspage's REST API v1: create and update an incident, with the
states of the components it affects.

    POST  {api}/pages/{page_id}/incidents                 {"incident": {...}}  -> {"id": ..., ...}
    PATCH {api}/pages/{page_id}/incidents/{incident_id}   {"incident": {...}}
    Authorization: OAuth <api key>

A 429 or 5xx answer raises StatuspageUnavailable (a ConnectionError, which the job worker retries:
a 429 as a wait, a 5xx with backoff, like a network error); any other refusal raises
StatuspageRefused, which no retry fixes.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.core.errors import VendorUnavailable
from bot.ops import telemetry
from models import ExternalMessage

# how bad a state is, for Statuspage's incident impact
IMPACT = {"operational": "none", "degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}
_ORDER = list(IMPACT)


class StatuspageRefused(Exception):
    """Statuspage refused the request (bad key, unknown page or component): retrying will not help."""


class StatuspageUnavailable(VendorUnavailable):
    """Statuspage is rate limiting (`rate_limited`: the worker waits as told, never counting it a failure)
    or failing: try again later (after `retry_after` seconds, when it said)."""


def worst(states: list[str]) -> str:
    """The worst of some component states; a state we do not know counts as operational."""
    return max((s for s in states if s in IMPACT), key=_ORDER.index, default="operational")


def incident_body(msg: ExternalMessage, component_ids: dict[str, str], states: dict[str, str]) -> dict[str, Any]:
    """The request body for a published message: `states` is what each affected component (by our key)
    should show; `component_ids` maps our keys to Statuspage's component ids (keys without one are left out)."""
    components = {component_ids[k]: s for k, s in states.items() if k in component_ids}
    incident: dict[str, Any] = {
        "name": msg.title,
        "status": msg.kind,
        "body": msg.text,
        "components": components,
        "component_ids": sorted(components),
        "deliver_notifications": True,
    }
    if msg.kind != "resolved":
        incident["impact_override"] = IMPACT[worst([s for s in msg.components.values()])]
    return {"incident": incident}


class StatuspageClient:
    def __init__(self, api_url: str, page_id: str, api_key: str, *, timeout: float = 20.0) -> None:
        self.base = f"{api_url.rstrip('/')}/pages/{page_id}/incidents"
        self.headers = {"Authorization": f"OAuth {api_key}", "Content-Type": "application/json"}
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def create_incident(self, body: dict[str, Any]) -> str:
        """The new incident's id."""
        answer = await self._request("POST", self.base, body)
        incident_id = answer.get("id") if isinstance(answer, dict) else None
        if not incident_id:
            raise StatuspageRefused("Statuspage created the incident but its answer names no id")
        return str(incident_id)

    async def update_incident(self, incident_id: str, body: dict[str, Any]) -> None:
        await self._request("PATCH", f"{self.base}/{incident_id}", body)

    async def _request(self, method: str, url: str, body: dict[str, Any]) -> Any:
        async with aiohttp.ClientSession(timeout=self.timeout) as http, \
                http.request(method, url, json=body, headers=self.headers) as resp:
            text = await resp.text()
            telemetry.vendor_call("statuspage", method, "ok" if resp.status < 400 else str(resp.status))
            if resp.status == 429 or resp.status >= 500:
                raise StatuspageUnavailable(f"Statuspage answered HTTP {resp.status} to {method}",
                                            resp.headers.get("Retry-After"), rate_limited=resp.status == 429)
            if resp.status >= 400:
                raise StatuspageRefused(f"Statuspage refused {method} with HTTP {resp.status}: {text[:300]}")
            try:
                return await resp.json(content_type=None) if text else {}
            except ValueError:
                return {}
