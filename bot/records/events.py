"""The outbox: which timeline facts become outgoing webhook events, and which start Jira or Confluence
jobs. It follows the timeline itself, so no service has to remember it: every fact a transaction adds
is looked at when that transaction commits, and what it causes (a webhook_delivery row per destination
that wants the event, and the jobs that send them) commits with it, or not at all.

    fact kind                              event                      Jira / Confluence
    declared                               incident.declared          the incident's issue (incident_issues)
    severity_changed                       incident.severity_changed  the incident's issue
    status_changed, reopened               incident.status_changed    the incident's issue
    resolved                               incident.resolved          the incident's issue
    closed                                 incident.closed            the incident's issue
    role_assigned                          incident.role_assigned     the incident's issue
    update                                 incident.update_posted
    pir_completed                          review.completed
    action_added                           action_item.changed        a Jira issue for the item
    action_done                            action_item.changed        the item's issue transitioned to done
                                                                      (unless Jira itself said so)
    pir_exported                                                      the review published to Confluence

Drills send nothing. A private incident's events go only to destinations marked private_safe, and
reach Jira and Confluence only where their section says `private_incidents = true`. The
policy reaches the listener through the session's info (`OUTBOX`), which the runtime sets; a session
without it (a script) records facts and sends nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from bot.jobs.table import enqueue
from bot.policy import Policy
from models import Incident, TimelineEvent, WebhookDelivery

OUTBOX = "records_policy"  # session.info key: the Policy whose [[webhooks]], [jira] and [confluence] apply
_FACTS = "records_new_facts"
_DELIVERIES = "records_new_deliveries"

EVENT_OF: dict[str, str] = {
    "declared": "incident.declared",
    "severity_changed": "incident.severity_changed",
    "status_changed": "incident.status_changed",
    "reopened": "incident.status_changed",
    "resolved": "incident.resolved",
    "closed": "incident.closed",
    "role_assigned": "incident.role_assigned",
    "update": "incident.update_posted",
    "pir_completed": "review.completed",
    "action_added": "action_item.changed",
    "action_done": "action_item.changed",
}
INCIDENT_ISSUE_KINDS = {"declared", "severity_changed", "status_changed", "reopened", "resolved", "closed",
                        "role_assigned"}
VIA_JIRA = "jira"  # the `via` of a change Jira's webhook made: it is not sent back to Jira


def active(policy: Policy | None) -> bool:
    """Whether anything follows the timeline: with no webhook, Jira or Confluence, commits cost nothing extra."""
    return policy is not None and bool(policy.webhooks or policy.jira.enabled or policy.confluence.enabled)


@event.listens_for(TimelineEvent, "after_insert")
def _collect(_mapper: Any, _conn: Any, fact: TimelineEvent) -> None:
    session = object_session(fact)
    if session is not None and active(session.info.get(OUTBOX)):
        session.info.setdefault(_FACTS, []).append(fact)


def _on_commit(session: Session) -> None:
    """Before the jobs table's own listener writes the transaction's jobs (this one is inserted first)."""
    policy: Policy | None = session.info.get(OUTBOX)
    if policy is None or not active(policy):
        return
    session.flush()  # facts added since the last flush get their ids (and land in _FACTS)
    facts: list[TimelineEvent] = session.info.pop(_FACTS, [])
    if not facts:
        return
    added = False
    for fact in facts:
        inc = session.get(Incident, fact.incident_id)
        if inc is None or inc.drill:
            continue
        added |= _follow(session, policy, inc, fact)
    if added:
        session.flush()
        deliveries = session.info.pop(_DELIVERIES, [])
        for delivery in deliveries:
            enqueue(session, kind="webhook_deliver", incident_id=delivery.incident_id, now=delivery.created_at,
                    payload={"delivery": delivery.id}, dedupe_key=f"webhook_deliver:{delivery.id}", max_attempts=1000)


def _follow(session: Session, policy: Policy, inc: Incident, fact: TimelineEvent) -> bool:
    """What one fact causes; True when it added webhook deliveries."""
    now = fact.at
    kind = fact.kind
    jira = policy.jira
    if jira.enabled and (not inc.private or jira.private_incidents):
        if kind == "action_added":
            enqueue(session, kind="jira_create_issue", incident_id=inc.id, now=now,  # type: ignore[arg-type]
                    payload={"item": fact.data.get("item")}, dedupe_key=f"jira_create_issue:{fact.data.get('item')}")
        elif kind == "action_done" and fact.via != VIA_JIRA:
            enqueue(session, kind="jira_transition", incident_id=inc.id, now=now,  # type: ignore[arg-type]
                    payload={"item": fact.data.get("item")})
        if jira.incident_issues and kind in INCIDENT_ISSUE_KINDS:
            enqueue(session, kind="jira_incident_sync", incident_id=inc.id, now=now)  # type: ignore[arg-type]
    wiki = policy.confluence
    if kind == "pir_exported" and wiki.enabled and (not inc.private or wiki.private_incidents):
        enqueue(session, kind="confluence_publish", incident_id=inc.id, now=now,  # type: ignore[arg-type]
                payload={"actor": fact.actor})
    name = EVENT_OF.get(kind)
    if name is None:
        return False
    added = False
    for hook in policy.webhooks:
        if name not in hook.events or (inc.private and not hook.private_safe):
            continue
        delivery = WebhookDelivery(incident_id=inc.id, destination=hook.name, event_id=f"evt_{uuid.uuid4().hex}",
                                   event=name, fact_id=fact.id, created_at=now)
        session.add(delivery)
        session.info.setdefault(_DELIVERIES, []).append(delivery)
        added = True
    return added


def _forget(session: Session) -> None:
    session.info.pop(_FACTS, None)
    session.info.pop(_DELIVERIES, None)


event.listen(Session, "before_commit", _on_commit, insert=True)
event.listen(Session, "after_rollback", _forget)
