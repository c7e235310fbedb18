"""What the bot sends the pagers: the incident's facts in each one's shape (pure: data in, dicts out).

PagerDuty's Events API v2 event (routing_key, event_action, dedup_key, payload{summary, source, severity,
timestamp, component, group, class, custom_details}, links, client, client_url) and Opsgenie's alert
(message at most 130 characters, alias, description, responders, priority, details, source, tags).
"""

from __future__ import annotations

from typing import Any

from bot.core.clock import utc
from bot.policy import Policy
from bot.policy.paging import PageRoute
from models import SOURCES, Incident, Page

CLIENT = "incident-bot"
MAX_SUMMARY = 1024  # PagerDuty's payload.summary
MAX_MESSAGE = 130  # Opsgenie's message


def channel_link(inc: Incident) -> str | None:
    return f"https://slack.com/app_redirect?channel={inc.channel_id}" if inc.channel_id else None


PRIVATE_TITLE = "a private incident (details in its Slack channel)"


def summary(inc: Incident, policy: Policy) -> str:
    return f"{inc.key} {policy.severity(inc.severity).name}: {PRIVATE_TITLE if inc.private else inc.title}"


def facts(inc: Incident, policy: Policy) -> dict[str, Any]:
    """The card's facts, as plain values; a private incident's title, surface and channel name stay in Slack."""
    sev = policy.severity(inc.severity)
    if inc.private:
        return {"incident": inc.key, "severity": f"{sev.name} {sev.label}", "status": inc.status, "private": True,
                "declared_at": utc(inc.created_at).isoformat(), "incident_commander": inc.commander_id}
    return {
        "incident": inc.key, "severity": f"{sev.name} {sev.label}", "status": inc.status, "title": inc.title,
        "payment_surface": inc.surface, "detected_by": SOURCES.get(inc.source, inc.source), "type": inc.incident_type,
        "declared_at": utc(inc.created_at).isoformat(), "incident_commander": inc.commander_id,
        "slack_channel": f"#{inc.channel_name}" if inc.channel_name else None,
    }


def _trimmed(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pd_event(action: str, page: Page, route: PageRoute, inc: Incident, policy: Policy) -> dict[str, Any]:
    event: dict[str, Any] = {"routing_key": route.integration_key, "event_action": action,
                             "dedup_key": page.dedup_key}
    if action != "trigger":
        return event
    sev = policy.severity(inc.severity).name
    link = channel_link(inc)
    event["payload"] = {
        "summary": _trimmed(summary(inc, policy), MAX_SUMMARY), "source": CLIENT,
        "severity": policy.paging.pd_severity(sev),
        "timestamp": utc(inc.created_at).isoformat(), "component": None if inc.private else inc.surface,
        "group": inc.incident_type,
        "class": sev, "custom_details": {k: v for k, v in facts(inc, policy).items() if v is not None},
    }
    event["payload"] = {k: v for k, v in event["payload"].items() if v is not None}
    event["client"] = CLIENT
    if link:
        event["client_url"] = link
        name = inc.key if inc.private else f"#{inc.channel_name or inc.key}"
        event["links"] = [{"href": link, "text": f"Slack: {name}"}]
    return event


def og_alert(page: Page, route: PageRoute, inc: Incident, policy: Policy) -> dict[str, Any]:
    sev = policy.severity(inc.severity).name
    link = channel_link(inc)
    details = {k: str(v) for k, v in facts(inc, policy).items() if v is not None}
    if link:
        details["slack_link"] = link
    title = PRIVATE_TITLE if inc.private else inc.title
    description = f"{title}\n\nSlack channel: {link}" if link else title
    return {
        "message": _trimmed(summary(inc, policy), MAX_MESSAGE), "alias": page.dedup_key, "description": description,
        "responders": [{"name": route.team, "type": "team"}], "priority": policy.paging.og_priority(sev),
        "details": details, "source": CLIENT, "tags": [sev, "incident-bot"],
        "entity": inc.key if inc.private else (inc.surface or inc.key),
    }
