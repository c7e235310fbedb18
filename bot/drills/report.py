"""How a drill went, as figures: the drill ends when it is resolved, and its report goes to the
channel and to whoever started it (bot/drills/blocks.py words it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import as_payload, record
from models import ROLES, Checklist, Incident, TimelineEvent


async def figures(session: AsyncSession, inc: Incident, now: datetime) -> dict[str, Any]:
    """Acknowledgement, update punctuality, checklist and roles, in drill time."""
    assert inc.id is not None
    kinds = list((await session.execute(select(TimelineEvent.kind).where(
        TimelineEvent.incident_id == inc.id))).scalars())
    checklist = (await session.execute(select(Checklist).where(Checklist.incident_id == inc.id))).scalars().first()
    speed = inc.clock_speed or 1
    start = utc(inc.ack_started_at or inc.created_at)
    return {
        "ack_seconds": int((utc(inc.acknowledged_at) - start).total_seconds() * speed) if inc.acknowledged_at else None,
        "ack_breached": inc.ack_breached_at is not None,
        "updates": kinds.count("update"),
        "reminders": kinds.count("update_reminder"),
        "checklist_done": sum(1 for item in checklist.items if item.get("done_by")) if checklist else 0,
        "checklist_total": len(checklist.items) if checklist else 0,
        "roles_filled": [role for role in ROLES if inc.role_holder(role)],
        "roles_open": [role for role in ROLES if not inc.role_holder(role)],
        "length_seconds": int((utc(now) - start).total_seconds() * speed),
    }


async def on_resolve(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """A drill ends when it is resolved: the report goes to the channel and to whoever started it."""
    if not inc.drill:
        return
    fact = record(session, inc, now, "bot", "drill_report", **await figures(session, inc, now))
    for to in (None, inc.declared_by):
        enqueue(session, kind="drill_report", incident_id=inc.id, now=now, payload={**as_payload(fact), "to": to})
