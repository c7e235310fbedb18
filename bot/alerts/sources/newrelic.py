"""New Relic alerts: a workflow's webhook destination with its default payload template

    {"id": "<issue id>", "issueUrl": "https://one.newrelic.com/…", "title": "…", "priority": "CRITICAL",
     "impactedEntities": ["checkout-api"], "totalIncidents": 1, "state": "ACTIVATED", "trigger": "STATE_CHANGE",
     "isCorrelated": false, "createdAt": 1736931480000, "updatedAt": 1736931480000, "sources": ["newrelic"],
     "alertPolicyNames": ["Payments"], "alertConditionNames": ["Card auth errors"], "workflowName": "payments"}

One notification is one issue: its id pairs the activation with the closing (state CLOSED). The priority
(CRITICAL, HIGH, MEDIUM, LOW) is the alert's severity; createdAt is epoch milliseconds. Titles New Relic
sends as a one-element list (`annotations.title`) are read too.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.sources.common import MalformedPayload, ParsedAlert, fingerprint, link, obj, text, timestamp, title

STATES = {"CREATED": "firing", "ACTIVATED": "firing", "ACKNOWLEDGED": "firing", "CLOSED": "resolved"}


def _first(value: Any, where: str) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    return text(value, where)


def _names(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, list):
        raise MalformedPayload(f"{where} must be a list of names")
    return ", ".join(str(v) for v in value if v not in (None, ""))[:500] or None


def parse(body: Any) -> list[ParsedAlert]:
    obj(body, "the body")
    name = _first(body.get("title"), "title") or _first(body.get("issueTitle"), "issueTitle")
    if name is None:
        raise MalformedPayload("title is required (the workflow payload's {{json annotations.title.[0]}})")
    state = (text(body.get("state"), "state") or "ACTIVATED").upper()
    if state not in STATES:
        raise MalformedPayload(f"state must be one of {', '.join(STATES)}, not {state!r}")
    labels = {k: v for k, v in {
        "policy": _names(body.get("alertPolicyNames"), "alertPolicyNames"),
        "condition": _names(body.get("alertConditionNames"), "alertConditionNames"),
        "entity": _names(body.get("impactedEntities"), "impactedEntities"),
        "workflow": text(body.get("workflowName"), "workflowName"),
        "source": _names(body.get("sources"), "sources"),
    }.items() if v}
    issue = text(body.get("id"), "id") or text(body.get("issueId"), "issueId")
    return [ParsedAlert(
        source="newrelic",
        fingerprint=fingerprint(issue, labels.get("policy"), labels.get("condition"), name),
        status=STATES[state],
        title=title(name, "New Relic issue"),
        severity=(text(body.get("priority"), "priority") or "").lower() or None,
        labels=labels,
        link=link(body.get("issueUrl") or body.get("issuePageUrl"), "issueUrl"),
        started_at=timestamp(body.get("createdAt"), "createdAt"),
        ended_at=timestamp(body.get("updatedAt"), "updatedAt") if STATES[state] == "resolved" else None,
        raw=body,
    )]
