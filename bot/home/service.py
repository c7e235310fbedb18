"""The App Home tab: queue a fresh view for one user, and gather what it shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.home.data import PERIODS, HomeData
from bot.incidents.service import list_open
from bot.jobs.table import enqueue
from bot.metrics import service as metrics
from bot.metrics.figures import for_policy
from bot.pir.records import actions_of
from bot.policy import Policy
from models import OPEN_STATUSES, ROLES, Incident

RECENTLY_RESOLVED = timedelta(days=7)  # how long a resolved incident stays under "My incidents"


async def refresh(*, session: AsyncSession, clock: Clock, user_id: str) -> None:
    enqueue(session, kind="publish_home", now=clock.now(), payload={"user": user_id})


async def my_incidents(session: AsyncSession, *, viewer: str, now: datetime) -> list[Incident]:
    """Open incidents, and those resolved in the last RECENTLY_RESOLVED, that the viewer declared or
    holds a role in; open ones first, newest first."""
    roles = [getattr(Incident, column) == viewer for column, _ in ROLES.values()]
    recent = and_(Incident.status == "resolved", Incident.resolved_at >= utc(now) - RECENTLY_RESOLVED)
    rows = await session.execute(
        select(Incident).where(or_(Incident.status.in_(OPEN_STATUSES), recent),
                               or_(Incident.declared_by == viewer, *roles))
        .order_by(Incident.number.desc()))
    return sorted(rows.scalars(), key=lambda inc: not inc.is_open)


async def load(session: AsyncSession, *, viewer: str, policy: Policy, now: datetime) -> HomeData:
    now = utc(now)
    rows = await metrics.load(session, since=now - timedelta(days=max(PERIODS)))
    return HomeData(
        viewer=viewer, now=now,
        open_incidents=await list_open(session, viewer=viewer),
        mine=await my_incidents(session, viewer=viewer, now=now),
        actions=await actions_of(session, owner=viewer),
        panels=[for_policy(rows, policy, days=days, now=now) for days in PERIODS],
    )
