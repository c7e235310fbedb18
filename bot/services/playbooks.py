"""Playbooks and the resolution gate.

At declaration the incident's type picks a playbook (chosen on the declare form, else guessed from the
title and surface), whose immediate actions are posted in the channel as a checklist. Ticking or
unticking an action records who and when on the timeline and redraws the checklist.

Resolving goes through the resolution checks (permanent fix, test transactions, monitoring,
settlements): any left unticked needs a reason, and both go on the timeline with the resolution.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.clock import Clock, utc
from bot.errors import InvalidInput, NotFound
from bot.jobs import enqueue
from bot.policy import Policy
from bot.services import incidents
from bot.services.common import Change, event, get, require_open
from models import Checklist, Incident

MAX_REASON = 1000


def incident_type(policy: Policy, chosen: str | None, title: str, surface: str | None) -> str:
    if chosen:
        if chosen not in policy.playbooks.types:
            raise InvalidInput(f"The incident type is one of {', '.join(policy.playbooks.types)}.",
                               field="incident_type")
        return chosen
    return policy.playbooks.guess(title, surface)


def new_checklist(policy: Policy, inc: Incident, now: datetime) -> Checklist:
    """The playbook's immediate actions for the incident's type, none ticked yet. The worker writes it
    when it posts it below the summary card (bot.ops_effects), so declaring stays one short transaction."""
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
        kind, verb = ("checklist_ticked", "done") if done else ("checklist_unticked", "not done after all")
        session.add(event(inc, now, actor, kind, f"{t.escape(item['label'])}: {verb}", via,
                          {"item": index, "label": item["label"], "checklist": checklist.kind}))
        changed += 1
    if changed:
        checklist.items, checklist.updated_at = items, now
        enqueue(session, kind="refresh_checklist", incident_id=incident_id, now=now)
    return changed


async def resolve_checked(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                          checked: list[int], reason: str | None, via: str) -> Change:
    """Resolve through the resolution checks; any unchecked one needs a reason."""
    checks = policy.resolution.checks
    done = sorted({i for i in checked if 0 <= i < len(checks)})
    missing = [label for i, label in enumerate(checks) if i not in done]
    why = (reason or "").strip()
    if len(why) > MAX_REASON:
        raise InvalidInput(f"Keep the reason to {MAX_REASON} characters.", field="reason")
    if missing and not why:
        raise InvalidInput(f"Say why you resolve with {len(missing)} check{'s' if len(missing) > 1 else ''} "
                           "not done.", field="reason")
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.status == "resolved":
        return Change(inc, False)
    now = utc(clock.now())
    text = (f"Resolution checks: {len(done)} of {len(checks)} done"
            + (f"; not done: {t.escape(', '.join(missing))}. Reason: {t.escape(why)}" if missing else ""))
    session.add(event(inc, now, actor, "resolution_checks", text, via,
                      {"done": [checks[i] for i in done], "not_done": missing, "reason": why or None}))
    return await incidents.resolve(session=session, clock=clock, policy=policy, incident_id=incident_id,
                                   actor=actor, via=via)
