"""What the public status page shows, derived from published customer messages only.

An incident is on the page while its latest published message is not `resolved` and it is not
closed; each component shows the worst state that the active incidents' latest messages give it.
The history lists the public incidents with messages published in the last `history_days` days.
Private incidents are left out in the query itself, so nothing about them can reach the page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.comms.statuspage.client import IMPACT, worst
from bot.core.clock import utc
from bot.impact.fields import summary as impact_summary
from bot.policy import Policy
from models import PUBLIC_LABELS, STATE_LABELS, ExternalMessage, Incident, IncidentComms, IncidentImpact

OVERALL = {"operational": "All systems operational", "degraded_performance": "Degraded performance",
           "partial_outage": "Partial outage", "major_outage": "Major outage"}


@dataclass(frozen=True)
class Component:
    key: str
    name: str
    state: str


@dataclass(frozen=True)
class Update:
    status: str
    text: str
    published_at: datetime


@dataclass(frozen=True)
class PublicIncident:
    incident_id: int  # ours, never shown
    ref: str  # the public reference: a random name of its own, nothing else about it
    title: str
    status: str  # the latest published status
    impact: str  # the worst component state of its latest message
    components: tuple[str, ...]  # names
    states: dict[str, str]  # component key -> state, from its latest message
    started_at: datetime  # its first published message
    resolved_at: datetime | None
    updates: tuple[Update, ...]  # newest first
    scope: str = ""  # the impact's public-safe fields (payment methods, regions) while it is active


@dataclass(frozen=True)
class PageState:
    title: str
    generated_at: datetime
    overall: str
    components: tuple[Component, ...]
    active: tuple[PublicIncident, ...]
    history: tuple[PublicIncident, ...]
    history_days: int


def _incident(policy: Policy, incident_id: int, ref: str, msgs: list[ExternalMessage], cutoff: datetime,
              active: bool, closed_at: datetime | None) -> PublicIncident:
    latest = msgs[-1]
    shown = msgs if active else [m for m in msgs if utc(m.published_at) >= cutoff]
    names = policy.comms.components
    resolved = latest.kind == "resolved" or not active  # a closed incident is over, whatever was said last
    resolved_at = utc(latest.published_at) if latest.kind == "resolved" else (utc(closed_at) if closed_at else None)
    return PublicIncident(
        incident_id=incident_id, ref=ref, title=latest.title, status="resolved" if resolved else latest.kind,
        impact="operational" if resolved else worst(list(latest.components.values())),
        components=tuple(names[k].name for k in latest.components if k in names),
        states={k: "operational" for k in latest.components} if resolved else dict(latest.components),
        started_at=utc(msgs[0].published_at),
        resolved_at=resolved_at if resolved else None,
        updates=tuple(Update(m.kind, m.text, utc(m.published_at)) for m in reversed(shown)))


async def page_state(session: AsyncSession, policy: Policy, now: datetime) -> PageState:
    now = utc(now)
    days = policy.comms.history_days
    cutoff = now - timedelta(days=days)
    rows = (await session.execute(
        select(ExternalMessage, IncidentComms.public_ref, Incident.status, Incident.closed_at)
        .join(Incident, Incident.id == ExternalMessage.incident_id)
        .join(IncidentComms, IncidentComms.incident_id == Incident.id)
        .where(Incident.private.is_(False), Incident.drill.is_(False), ExternalMessage.published_at <= now,
               or_(ExternalMessage.published_at >= cutoff, Incident.status != "closed"))
        .order_by(ExternalMessage.incident_id, ExternalMessage.published_at, ExternalMessage.id))).all()
    by_incident: dict[int, tuple[str, str, datetime | None, list[ExternalMessage]]] = {}
    for msg, ref, status, closed_at in rows:
        by_incident.setdefault(msg.incident_id, (ref or "", status, closed_at, []))[3].append(msg)
    states: dict[str, list[str]] = {}
    active, history = [], []
    for incident_id, (ref, status, closed_at, msgs) in by_incident.items():
        latest = msgs[-1]
        is_active = latest.kind != "resolved" and status != "closed"
        if is_active:
            for key, state in latest.components.items():
                states.setdefault(key, []).append(state)
        if is_active or any(utc(m.published_at) >= cutoff for m in msgs):
            (active if is_active else history).append(
                _incident(policy, incident_id, ref, msgs, cutoff, is_active, closed_at))
    if active:  # only the public-safe impact fields (bot/impact/fields.py PUBLIC_FIELDS), only while active
        scopes = dict((await session.execute(select(IncidentImpact.incident_id, IncidentImpact.values).where(
            IncidentImpact.incident_id.in_([i.incident_id for i in active])))).all())
        active = [replace(i, scope=impact_summary(scopes.get(i.incident_id) or {}, public_only=True))
                  for i in active]
    components = tuple(Component(key, c.name, worst(states.get(key, []))) for key, c in policy.comms.components.items())
    return PageState(
        title=policy.comms.page_title, generated_at=now,
        overall=worst([c.state for c in components]), components=components,
        active=tuple(sorted(active, key=lambda i: i.started_at, reverse=True)),
        history=tuple(sorted(history, key=lambda i: i.updates[0].published_at, reverse=True)),
        history_days=days)


def _iso(dt: datetime | None) -> str | None:
    return utc(dt).isoformat().replace("+00:00", "Z") if dt else None


def _incident_json(inc: PublicIncident) -> dict[str, Any]:
    return {
        "id": inc.ref, "name": inc.title, "status": inc.status, "status_label": PUBLIC_LABELS[inc.status],
        "impact": IMPACT[inc.impact], "components": list(inc.components),
        "started_at": _iso(inc.started_at), "resolved_at": _iso(inc.resolved_at), "scope": inc.scope or None,
        "updates": [{"status": u.status, "body": u.text, "published_at": _iso(u.published_at)} for u in inc.updates],
    }


def as_json(page: PageState) -> dict[str, Any]:
    """Shaped like Statuspage's public summary: page, status, components, incidents, plus the history."""
    return {
        "page": {"name": page.title, "updated_at": _iso(page.generated_at)},
        "status": {"indicator": IMPACT[page.overall], "description": OVERALL[page.overall]},
        "components": [{"id": c.key, "name": c.name, "status": c.state, "status_label": STATE_LABELS[c.state]}
                       for c in page.components],
        "incidents": [_incident_json(i) for i in page.active],
        "history": {"days": page.history_days, "incidents": [_incident_json(i) for i in page.history]},
    }


def describe(data: dict[str, Any]) -> str:
    """One line for a terminal from /status.json: the overall state, what is not operational, and the
    current incidents (the demo prints it after each step)."""
    parts = [data["status"]["description"]]
    hurt = [f"{c['name']}: {c['status_label'].lower()}" for c in data["components"] if c["status"] != "operational"]
    if hurt:
        parts.append(", ".join(hurt))
    parts += [f"“{i['name']}” ({i['status_label']})" for i in data["incidents"]]
    past = len(data["history"]["incidents"])
    if past:
        parts.append(f"{past} past incident{'s' if past != 1 else ''}")
    return " · ".join(parts)
