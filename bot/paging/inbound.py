"""The pagers' webhooks, read: who signed them, and what they say (pure: bytes in, a PagerSignal out).

PagerDuty webhooks v3: an envelope {"event": {"id", "event_type": "incident.acknowledged", "resource_type",
"occurred_at", "agent": {"id", "summary", "type"}, "data": {"id", "type": "incident", "incident_key",
"status", "assignees": [...], ...}}}, signed `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body
with the subscription's secret>` (several, comma-separated, while a secret is rotated).

Opsgenie's outgoing webhook: {"action": "Acknowledge" | "Close" | "AssignOwnership" | …, "alert": {"alertId",
"alias", "username", "owner", "updatedAt", …}, "source": {…}, "integrationName"}; it carries no signature
and no event id, so the bot checks a shared token the integration sends (a custom header or the URL's
query) and names the event by alert, action and update time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["acknowledged", "resolved", "reassigned", "escalated", "other"]


class BadPayload(ValueError):
    """The body cannot be read; the message names the field."""


@dataclass(frozen=True)
class PagerSignal:
    """One webhook event, as either pager's payload reads."""

    pager: str  # pagerduty | opsgenie
    event_id: str
    action: Action
    kind: str = ""  # the pager's own name for the event
    key: str | None = None  # PagerDuty's incident_key, Opsgenie's alias
    remote_id: str | None = None  # PagerDuty's incident id, Opsgenie's alert id
    who: str | None = None  # the person who did it, as the pager names them
    who_id: str | None = None
    who_email: str | None = None
    assignee: str | None = None  # reassigned / escalated: to whom
    assignee_id: str | None = None
    assignee_email: str | None = None
    level: int | None = None


def pagerduty_signed(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(given.strip().lower().encode(), expected.encode()) for given in header.split(","))


def token_matches(token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(given.strip().encode(), token.encode())  # type: ignore[union-attr]


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadPayload("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadPayload("the body must be a JSON object")
    return data


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    out = str(value).strip()
    return out or None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


PD_ACTIONS: dict[str, Action] = {"incident.acknowledged": "acknowledged", "incident.resolved": "resolved",
                                 "incident.reassigned": "reassigned", "incident.escalated": "escalated"}


def parse_pagerduty(body: bytes) -> PagerSignal:
    event = _load(body).get("event")
    if not isinstance(event, dict):
        raise BadPayload("event is required (a webhooks v3 envelope: {\"event\": {...}})")
    event_id, kind = _str(event.get("id")), _str(event.get("event_type"))
    if not event_id or not kind:
        raise BadPayload("event.id and event.event_type are required")
    agent, data = _obj(event.get("agent")), _obj(event.get("data"))
    assignees = [a for a in data.get("assignees") or [] if isinstance(a, dict)]
    first = assignees[0] if assignees else {}
    level = data.get("escalation_level")
    return PagerSignal(
        pager="pagerduty", event_id=event_id, action=PD_ACTIONS.get(kind, "other"), kind=kind,
        key=_str(data.get("incident_key")), remote_id=_str(data.get("id")) if data.get("type") == "incident" else None,
        who=_str(agent.get("summary")), who_id=_str(agent.get("id")), who_email=_str(agent.get("email")),
        assignee=_str(first.get("summary")), assignee_id=_str(first.get("id")), assignee_email=_str(first.get("email")),
        level=level if isinstance(level, int) and not isinstance(level, bool) else None,
    )


OG_ACTIONS: dict[str, Action] = {"Acknowledge": "acknowledged", "Close": "resolved", "AssignOwnership": "reassigned",
                                 "TakeOwnership": "reassigned", "Escalate": "escalated", "EscalateNext": "escalated"}


def parse_opsgenie(body: bytes) -> PagerSignal:
    data = _load(body)
    action, alert = _str(data.get("action")), data.get("alert")
    if not action or not isinstance(alert, dict):
        raise BadPayload("action and alert are required (Opsgenie's alert action data)")
    alert_id, alias = _str(alert.get("alertId")), _str(alert.get("alias"))
    if not alert_id and not alias:
        raise BadPayload("alert.alertId or alert.alias is required")
    user = _str(alert.get("username"))
    mapped = OG_ACTIONS.get(action, "other")
    owner = _str(alert.get("owner")) if action == "AssignOwnership" else user if action == "TakeOwnership" else None
    email = owner if owner and "@" in owner else None
    return PagerSignal(
        pager="opsgenie", event_id=f"{alert_id or alias}:{action}:{_str(alert.get('updatedAt')) or ''}", action=mapped,
        kind=action, key=alias, remote_id=alert_id, who=user, who_email=user if user and "@" in user else None,
        assignee=owner, assignee_email=email,
    )
