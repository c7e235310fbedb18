"""Jira issues as the bot writes them, and what Jira's webhook tells it.

Descriptions are Atlassian Document Format built from the facts (the item, the incident, links back to
the Slack channel and the review), never from Slack text. `issue_changed` is what POST /webhooks/jira
calls once the signature checks: an action item's issue that reached Jira's "done" status category
marks the item done in the bot (as the bot, via "jira", so it is not sent back to Jira).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.pir.actions import close_from_tracker
from bot.records.events import VIA_JIRA
from models import ACTION_KINDS, ROLES, ActionItem, Incident, JiraIssue

SUMMARY_MAX = 250  # Jira's limit is 255


def _text(value: str, *, href: str | None = None, strong: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    marks = ([{"type": "strong"}] if strong else []) + ([{"type": "link", "attrs": {"href": href}}] if href else [])
    if marks:
        node["marks"] = marks
    return node


def _para(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": [n for n in nodes if n.get("text")]}


def doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": [b for b in blocks if b.get("content")]}


def summary(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SUMMARY_MAX else one_line[: SUMMARY_MAX - 1] + "…"


def channel_url(inc: Incident) -> str | None:
    return f"https://slack.com/app_redirect?channel={inc.channel_id}" if inc.channel_id else None


def item_label(item: ActionItem) -> str:
    """The label that finds an item's issue again after a crash lost Jira's answer."""
    return f"incident-bot-item-{item.id}"


def incident_label(inc: Incident) -> str:
    return f"incident-bot-{inc.key.lower()}"


def action_fields(item: ActionItem, inc: Incident, *, project: str, issue_type: str, labels: tuple[str, ...],
                  account: str | None, owner_name: str, review_url: str | None) -> dict[str, Any]:
    links = []
    if channel_url(inc):
        links += [_text("Slack channel", href=channel_url(inc))]
    if review_url:
        links += [_text(" · "), _text("Post-incident review", href=review_url)]
    description = doc(
        _para(_text(item.description)),
        _para(_text("From "), _text(f"{inc.key}: {inc.title}", strong=True),
              _text(f" · {ACTION_KINDS.get(item.kind, item.kind)} · owner {owner_name} · due {item.due_date}")),
        _para(*links),
    )
    fields: dict[str, Any] = {
        "project": {"key": project}, "issuetype": {"name": issue_type},
        "summary": summary(f"[{inc.key}] {item.description}"), "description": description,
        "labels": [*labels, inc.key.lower(), item_label(item)], "duedate": item.due_date.isoformat(),
    }
    if account:
        fields["assignee"] = {"accountId": account}
    return fields


def incident_fields(inc: Incident, names: dict[str, str]) -> dict[str, Any]:
    """The incident's issue as it is now (summary, description, labels); created with project and type."""
    roles = {"type": "bulletList", "content": [
        {"type": "listItem", "content": [_para(_text(
            f"{title}: {names.get(inc.role_holder(role) or '', inc.role_holder(role) or 'unassigned')}"))]}
        for role, (_, title) in ROLES.items()]}
    description = doc(
        _para(_text(f"SEV-{inc.severity} · {inc.status}", strong=True),
              _text(f" · declared {inc.created_at:%Y-%m-%d %H:%M} UTC")),
        roles,
        _para(_text("Slack channel", href=channel_url(inc)) if channel_url(inc) else _text("")),
    )
    return {"summary": summary(f"{inc.key} [SEV-{inc.severity}] {inc.title} ({inc.status})"),
            "description": description,
            "labels": ["incident", inc.key.lower(), incident_label(inc), f"sev-{inc.severity}", inc.status]}


@dataclass(frozen=True)
class WebhookOutcome:
    issue: str | None
    done: bool  # the bot marked an action item done because of it


async def issue_changed(*, session: AsyncSession, clock: Clock, payload: Any) -> WebhookOutcome:
    """Jira's issue webhook (jira:issue_updated and the like). An issue the bot does not track is ignored."""
    if not isinstance(payload, dict) or not isinstance(payload.get("issue"), dict):
        raise InvalidInput("The body is not a Jira issue event: it has no issue.")
    issue = payload["issue"]
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise InvalidInput("The Jira event's issue has no key.")
    status = ((issue.get("fields") or {}).get("status") or {}) if isinstance(issue.get("fields"), dict) else {}
    category = ((status.get("statusCategory") or {}).get("key")) if isinstance(status, dict) else None
    row = (await session.execute(select(JiraIssue).where(JiraIssue.key == key))).scalars().first()
    if row is None:
        return WebhookOutcome(key, False)
    row.done = category == "done"
    row.updated_at = clock.now()
    if row.action_item_id is None or category != "done":
        return WebhookOutcome(key, False)
    changed = await close_from_tracker(session=session, clock=clock, item_id=row.action_item_id, tracker=VIA_JIRA,
                                       issue=key)
    return WebhookOutcome(key, changed)
