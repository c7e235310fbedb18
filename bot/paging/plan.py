"""What an incident's changes ask of the pager, written as jobs in the change's own transaction.

An incident pages once: its Page row (primary key: the incident) is created when it is declared at, or
raised to, a severity the policy pages, and the trigger job's dedupe key names the incident and the
trigger's number, so replicas, retries and a double click never page twice. A change that came from the
pager itself (`via` is the pager) is not sent back to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.jobs.table import enqueue
from bot.policy import Policy
from models import PAGERS, Incident, Page

OPEN_PAGE = ("pending", "triggered", "acknowledged")


async def page_of(session: AsyncSession, incident_id: int | None, *, for_update: bool = False) -> Page | None:
    if incident_id is None:
        return None
    return await session.get(Page, incident_id, with_for_update=for_update or None)


def _trigger(session: AsyncSession, page: Page, now: datetime) -> None:
    enqueue(session, kind="page_trigger", incident_id=page.incident_id, now=now,
            payload={"trigger": page.triggers}, dedupe_key=f"page_trigger:{page.incident_id}:{page.triggers}",
            max_attempts=20)


async def on_severity(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> Page | None:
    """Declared at, or raised to, a severity that pages: page now, unless it was paged already."""
    assert inc.id is not None
    name = policy.severity(inc.severity).name
    found = policy.paging.route_for(name, inc.surface)
    if found is None or not inc.is_open:
        return None
    # a new incident (not flushed yet: its declaration is written in one batch) has no page
    page = None if inc in session.new else await page_of(session, inc.id, for_update=True)
    if page is not None:
        return page
    route_name, route = found
    page = Page(incident_id=inc.id, pager=route.pager, route=route_name, service=route.service, dedup_key=inc.key,
                created_at=now, updated_at=now)
    session.add(page)
    _trigger(session, page, now)
    return page


async def on_acknowledged(session: AsyncSession, inc: Incident, now: datetime, *, via: str) -> None:
    page = await page_of(session, inc.id, for_update=True)
    if page is None or page.status not in ("pending", "triggered"):
        return
    page.status, page.updated_at = "acknowledged", now
    page.acknowledged_at = page.acknowledged_at or now
    if via not in PAGERS:
        enqueue(session, kind="page_acknowledge", incident_id=inc.id, now=now, payload={"trigger": page.triggers})


async def on_resolved(session: AsyncSession, inc: Incident, now: datetime, *, via: str) -> None:
    page = await page_of(session, inc.id, for_update=True)
    if page is None or page.status not in OPEN_PAGE:
        return
    page.status, page.resolved_at, page.updated_at = "resolved", now, now
    if via not in PAGERS:
        enqueue(session, kind="page_resolve", incident_id=inc.id, now=now, payload={"trigger": page.triggers})


async def on_reopened(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """Reopening pages again: the same key opens a new incident (or alert) in the pager."""
    page = await page_of(session, inc.id, for_update=True)
    if page is None:
        await on_severity(session, policy, inc, now)
        return
    if page.status in OPEN_PAGE:
        return
    page.triggers += 1
    page.status, page.error, page.updated_at = "pending", None, now
    page.acknowledged_at = page.acknowledged_by = page.resolved_at = page.remote_id = None
    page.escalation_level = 1
    _trigger(session, page, now)


async def on_breach(session: AsyncSession, inc: Incident, now: datetime) -> None:
    """Unacknowledged past the breach: the pager escalates to its next level too."""
    page = await page_of(session, inc.id, for_update=True)
    if page is None or page.status not in ("pending", "triggered"):
        return
    page.escalation_level += 1
    enqueue(session, kind="page_escalate", incident_id=inc.id, now=now,
            payload={"level": page.escalation_level, "trigger": page.triggers},
            dedupe_key=f"page_escalate:{inc.id}:{page.triggers}:{page.escalation_level}")


def ask_oncall(session: AsyncSession, now: datetime, reply: dict[str, Any]) -> None:
    """`/incident oncall`: the pagers are asked by a job, which answers privately."""
    enqueue(session, kind="oncall_report", incident_id=None, now=utc(now), payload={"reply": reply})
