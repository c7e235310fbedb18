"""Playbooks: at declaration the incident's type picks a playbook (chosen on the declare form, else
guessed from the title and surface), whose immediate actions are posted in the channel as a checklist.
Ticking or unticking an action records who and when on the timeline and redraws the checklist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, NotFound
from bot.core.records import get, require_open
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import record
from models import Checklist, Incident


def incident_type(policy: Policy, chosen: str | None, title: str, surface: str | None,
                  hints: Iterable[str] = ()) -> str:
    """The chosen type, else the one the title, the surface and an alert's labels (`hints`) point at."""
    if chosen:
        if chosen not in policy.playbooks.types:
            raise InvalidInput(f"The incident type is one of {', '.join(policy.playbooks.types)}.",
                               field="incident_type")
        return chosen
    return policy.playbooks.guess(title, surface, hints)


def new_checklist(policy: Policy, inc: Incident, now: datetime) -> Checklist:
    """The playbook's immediate actions for the incident's type, none ticked yet. The worker writes it
    when it posts it below the summary card (bot/playbooks/effects.py), so declaring stays one short
    transaction."""
    assert inc.id is not None
    key = inc.incident_type or "other"
    return Checklist(incident_id=inc.id, kind="mitigation", playbook=key, created_at=now, updated_at=now,
                     items=[{"label": a, "done_by": None, "done_at": None} for a in policy.playbooks.get(key).actions])


async def checklist_of(session: AsyncSession, incident_id: int, *, for_update: bool = False) -> Checklist | None:
    stmt = select(Checklist).where(Checklist.incident_id == incident_id, Checklist.kind == "mitigation")
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def tick(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, toggled: dict[int, bool],
               via: str) -> int:
    """Apply what one person ticked (True) and unticked (False), by item index; returns how many changed."""
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    checklist = await checklist_of(session, incident_id, for_update=True)
    if checklist is None:
        raise NotFound(f"{inc.key} has no checklist.")
    now = utc(clock.now())
    items = [dict(item) for item in checklist.items]
    changed = 0
    for index, done in sorted(toggled.items()):
        if not 0 <= index < len(items) or bool(items[index]["done_by"]) == done:
            continue  # someone else already did the same, or a stale index
        item = items[index]
        item["done_by"], item["done_at"] = (actor, now.isoformat()) if done else (None, None)
        record(session, inc, now, actor, "checklist_ticked" if done else "checklist_unticked", via,
               item=index, label=item["label"], checklist=checklist.kind)
        changed += 1
    if changed:
        checklist.items, checklist.updated_at = items, now
        enqueue(session, kind="refresh_checklist", incident_id=incident_id, now=now)
    return changed
