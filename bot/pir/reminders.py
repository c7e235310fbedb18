"""The review's reminders: to its owner before the due time and after it, daily; to an action item's
owner once its due day has passed.

Timers follow bot/clocks: a job per reminder with a dedupe key naming what it is for; when one fires it
checks the review (or the item) as it is now and does nothing if it no longer applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.records import get
from bot.jobs.table import enqueue
from bot.pir.records import epoch, review_for
from bot.policy import Policy
from bot.timeline.facts import record
from models import ActionItem, Incident, Pir


def overdue_at(due: date) -> datetime:
    """An item is overdue once its due day has ended (UTC)."""
    return datetime.combine(due + timedelta(days=1), time(0, 0), UTC)


def plan_review(session: AsyncSession, policy: Policy, inc: Incident, review: Pir, now: datetime) -> None:
    assert review.due_at is not None
    due = utc(review.due_at)
    key = f"{inc.id}:{epoch(due)}"
    if policy.pir.remind_before is not None and due - policy.pir.remind_before > now:
        enqueue(session, kind="pir_due_soon", incident_id=inc.id, now=now, due_at=due - policy.pir.remind_before,
                payload={"due": epoch(due)}, dedupe_key=f"pir_due_soon:{key}")
    enqueue(session, kind="pir_overdue", incident_id=inc.id, now=now, due_at=max(due, now),
            payload={"due": epoch(due), "n": 1}, dedupe_key=f"pir_overdue:{key}:1")


def plan_action(session: AsyncSession, item: ActionItem, now: datetime) -> None:
    enqueue(session, kind="action_overdue", incident_id=item.incident_id, now=now, due_at=overdue_at(item.due_date),
            payload={"item": item.id, "n": 1}, dedupe_key=f"action_overdue:{item.id}:1")


async def fire(kind: str, *, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    now = utc(clock.now())
    inc = await get(session, incident_id, for_update=True)
    if kind == "action_overdue":
        await _action_overdue(session, policy, inc, now, payload)
        return
    review = await review_for(session, incident_id, for_update=True)
    if (review is None or review.state != "open" or review.due_at is None or inc.status != "resolved"
            or epoch(review.due_at) != payload.get("due")):
        return  # completed, reopened, or re-planned since
    if kind == "pir_due_soon":
        record(session, inc, now, "bot", "pir_reminder", owner=review.owner_id)
        reminder = "due_soon"
    else:
        n = int(payload.get("n") or 1)
        record(session, inc, now, "bot", "pir_overdue", owner=review.owner_id, n=n)
        reminder = "overdue"
        if policy.pir.overdue_every is not None:
            enqueue(session, kind="pir_overdue", incident_id=incident_id, now=now,
                    due_at=now + policy.pir.overdue_every, payload={"due": payload.get("due"), "n": n + 1},
                    dedupe_key=f"pir_overdue:{incident_id}:{payload.get('due')}:{n + 1}")
    enqueue(session, kind="pir_remind", incident_id=incident_id, now=now,
            payload={"user": review.owner_id, "reminder": reminder, "due": epoch(review.due_at)})


async def _action_overdue(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                          payload: dict[str, Any]) -> None:
    item = await session.get(ActionItem, int(payload.get("item") or 0))
    if item is None or item.status != "open" or now < overdue_at(item.due_date):
        return
    n = int(payload.get("n") or 1)
    record(session, inc, now, "bot", "action_overdue", item=item.id, owner=item.owner_id, n=n)
    enqueue(session, kind="action_reminder", incident_id=inc.id, now=now, payload={"item": item.id})
    if policy.pir.action_overdue_every is not None:
        enqueue(session, kind="action_overdue", incident_id=inc.id, now=now,
                due_at=now + policy.pir.action_overdue_every, payload={"item": item.id, "n": n + 1},
                dedupe_key=f"action_overdue:{item.id}:{n + 1}")
