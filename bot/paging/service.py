"""What the pager tells the bot, and who is on call.

`receive` takes one webhook event, already authenticated and parsed (handlers/web/paging.py): it is
taken once (its (pager, event id) row is the lock; a redelivery, to any replica, changes nothing), it
finds the page by its key (or the pager's incident id), and then

    acknowledged   the acknowledgement clock stops: time to acknowledge and who (their Slack user when
                   the pager's person is the on-call the bot looked up, else the pager's name for them)
    resolved       the incident resolves (and is not sent back to the pager)
    reassigned     the new assignee is recorded and looked up: the On-call Engineer role follows them
    escalated      the same, with the escalation level
    anything else  the pager's incident id is kept; nothing else changes

An event about an incident the bot does not know is kept (so its redelivery is a no-op too) and
answered as unknown: the pager gets a 2xx and never retries it into a loop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clocks import service as clocks
from bot.core.clock import Clock, utc
from bot.core.records import add_member, get
from bot.incidents import service as incidents
from bot.jobs.table import enqueue
from bot.paging import plan
from bot.paging.inbound import PagerSignal
from bot.policy import Policy
from bot.timeline.facts import announce, record
from models import Page, PagerEvent

Outcome = Literal["applied", "duplicate", "unknown", "ignored"]


async def _first_time(session: AsyncSession, signal: PagerSignal, now: datetime) -> bool:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PagerEvent.__table__)
    done = await session.execute(insert.values(pager=signal.pager, event_id=signal.event_id[:200], received_at=now)
                                 .on_conflict_do_nothing())
    return done.rowcount == 1


async def _find(session: AsyncSession, signal: PagerSignal) -> Page | None:
    matches = []
    if signal.key:
        matches.append(Page.dedup_key == signal.key)
    if signal.remote_id:
        matches.append(Page.remote_id == signal.remote_id)
    if not matches:
        return None
    rows = await session.execute(select(Page).where(Page.pager == signal.pager, or_(*matches))
                                 .order_by(Page.incident_id.desc()).with_for_update())
    return rows.scalars().first()


def _actor(page: Page, signal: PagerSignal) -> str:
    """The Slack user of the pager's person when the bot knows them (its on-call lookup), else the pager."""
    same = (signal.who_id and signal.who_id == page.oncall_pager_id) or (
        signal.who_email and page.oncall_email and signal.who_email.lower() == page.oncall_email.lower())
    return page.oncall_user if same and page.oncall_user else page.pager


async def receive(*, session: AsyncSession, clock: Clock, policy: Policy, signal: PagerSignal) -> Outcome:
    now = utc(clock.now())
    if not await _first_time(session, signal, now):
        return "duplicate"
    page = await _find(session, signal)
    if page is None:
        return "unknown"
    event = await session.get(PagerEvent, (signal.pager, signal.event_id[:200]))
    if event is not None:
        event.incident_id = page.incident_id
    if signal.remote_id and not page.remote_id:
        page.remote_id = signal.remote_id[:64]
    inc = await get(session, page.incident_id, for_update=True)
    who = (signal.who or signal.who_email or "")[:200] or None
    if signal.action == "acknowledged":
        if page.status in ("pending", "triggered"):
            page.status, page.acknowledged_at, page.acknowledged_by = "acknowledged", now, who
        if not inc.is_open or inc.acknowledged_at is not None:
            return "ignored"
        await clocks.acknowledge(session=session, clock=clock, incident_id=inc.id, actor=_actor(page, signal),
                                 via=page.pager, pager_person=who)
        return "applied"
    if signal.action == "resolved":
        if page.status != "resolved":
            page.status, page.resolved_at = "resolved", now
        if not inc.is_open:
            return "ignored"
        await incidents.change_status(session=session, clock=clock, policy=policy, incident_id=inc.id,
                                      status="resolved", actor=_actor(page, signal), via=page.pager)
        return "applied"
    if signal.action in ("reassigned", "escalated"):
        if signal.level:
            page.escalation_level = max(page.escalation_level, signal.level)
        to = (signal.assignee or signal.assignee_email or "")[:200] or None
        fact = record(session, inc, now, page.pager, f"pager_{signal.action}", page.pager, pager=page.pager,
                      by=who, to=to, level=signal.level)
        if inc.is_open:
            announce(session, inc, now, fact, topic=False)
            if signal.assignee_email or signal.assignee_id:
                enqueue(session, kind="oncall_lookup", incident_id=inc.id, now=now,
                        payload={"email": signal.assignee_email, "pager_id": signal.assignee_id, "name": to,
                                 "replace": True})
        page.updated_at = now
        return "applied"
    page.updated_at = now
    return "ignored"


async def set_oncall(*, session: AsyncSession, clock: Clock, incident_id: int, name: str | None, email: str | None,
                     pager_id: str | None, slack_user: str | None, replace: bool = False) -> bool:
    """The pager's on-call person, mapped to Slack by email: kept on the page, invited, and made the
    On-call Engineer when that role is empty (or `replace`: the pager reassigned it). True when the role changed."""
    now = utc(clock.now())
    page = await plan.page_of(session, incident_id, for_update=True)
    inc = await get(session, incident_id, for_update=True)
    if page is not None:
        page.oncall_name, page.oncall_email = (name or "")[:200] or None, (email or "")[:320] or None
        page.oncall_pager_id, page.oncall_user, page.updated_at = (pager_id or "")[:64] or None, slack_user, now
    if slack_user is None:
        record(session, inc, now, "bot", "oncall_unmapped", page.pager if page else "system",
               name=name, email=email)
        enqueue(session, kind="refresh_card", incident_id=incident_id, now=now)
        return False
    if not inc.is_open or inc.oncall_id == slack_user or (inc.oncall_id is not None and not replace):
        enqueue(session, kind="refresh_card", incident_id=incident_id, now=now)
        return False
    old, inc.oncall_id, inc.updated_at = inc.oncall_id, slack_user, now
    await add_member(session, incident_id, slack_user)
    enqueue(session, kind="invite", incident_id=incident_id, now=now, payload={"users": [slack_user]})
    fact = record(session, inc, now, page.pager if page else "bot", "role_assigned",
                  page.pager if page else "system", role="oncall", **{"from": old, "to": slack_user})
    announce(session, inc, now, fact, topic=False)
    return True


async def ask_oncall(*, session: AsyncSession, clock: Clock, reply: dict[str, str]) -> None:
    """`/incident oncall`: a job asks each route's pager and answers privately."""
    plan.ask_oncall(session, clock.now(), reply)
