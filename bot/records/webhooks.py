"""An outgoing webhook event: its JSON body, rendered from the timeline fact and the incident when it is
sent, and its signature.

    POST <url>
    Content-Type: application/json
    User-Agent: incident-bot-webhooks/1
    X-Incident-Bot-Event: incident.severity_changed
    X-Incident-Bot-Event-Id: evt_3f1c…             (the same on every retry: deduplicate on it)
    X-Incident-Bot-Timestamp: 1767312000           (Unix seconds when this attempt was signed)
    X-Incident-Bot-Signature: v1=<hex>             HMAC-SHA256(secret, "<timestamp>.<raw body>")

    {"id": "evt_3f1c…", "type": "incident.severity_changed", "occurred_at": "2026-12-02T10:00:00Z",
     "actor": "U0ALICE", "data": {"from": "SEV-2", "to": "SEV-1"},
     "incident": {"key": "INC-7", "number": 7, "title": …, "severity": "SEV-1", "status": "investigating",
                  "private": false, "channel_id": "C…", "declared_at": …, "resolved_at": null, …}}

`data` holds the fact's values (bot/timeline/describe.py lists them per kind); `incident` is the incident
as it is when the delivery is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from bot.core.clock import utc
from models import ROLES, Incident, TimelineEvent, WebhookDelivery

SCHEMA_VERSION = 1


def iso(dt: datetime | None) -> str | None:
    return utc(dt).isoformat().replace("+00:00", "Z") if dt else None


def incident_json(inc: Incident) -> dict[str, Any]:
    return {
        "key": inc.key, "number": inc.number, "title": inc.title, "severity": f"SEV-{inc.severity}",
        "status": inc.status, "private": inc.private, "type": inc.incident_type, "source": inc.source,
        "surface": inc.surface, "regulatory": inc.regulatory, "channel_id": inc.channel_id,
        "roles": {role: inc.role_holder(role) for role in ROLES},
        "declared_at": iso(inc.created_at), "acknowledged_at": iso(inc.acknowledged_at),
        "mitigated_at": iso(inc.mitigated_at), "resolved_at": iso(inc.resolved_at), "closed_at": iso(inc.closed_at),
    }


def body(delivery: WebhookDelivery, fact: TimelineEvent, inc: Incident) -> bytes:
    event = {"id": delivery.event_id, "type": delivery.event, "version": SCHEMA_VERSION,
             "occurred_at": iso(fact.at), "actor": fact.actor, "via": fact.via, "fact": fact.kind,
             "data": fact.data, "incident": incident_json(inc)}
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, raw: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()


def headers(secret: str, timestamp: int, raw: bytes, delivery: WebhookDelivery) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "incident-bot-webhooks/1",
            "X-Incident-Bot-Event": delivery.event, "X-Incident-Bot-Event-Id": delivery.event_id,
            "X-Incident-Bot-Timestamp": str(timestamp), "X-Incident-Bot-Signature": signature(secret, timestamp, raw)}
