"""The App Home tab: queue a fresh view for one user, and gather what it shows.

The metrics panels are the same for everyone and cost most of a view (every incident of the last 90
days with its timeline): they are kept per database and reused while nothing they count has changed
(the newest timeline event, the incidents' count and last change are the same) and `now` has moved
less than PANELS_FRESH, so a burst of Home views after a change computes them once."""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.home.data import PERIODS, HomeData
from bot.incidents.service import list_open
from bot.jobs.table import enqueue
from bot.metrics import service as metrics
from bot.metrics.figures import Metrics, for_policy
from bot.pir.records import actions_of
from bot.policy import Policy
from models import OPEN_STATUSES, ROLES, Incident, TimelineEvent

RECENTLY_RESOLVED = timedelta(days=7)  # how long a resolved incident stays under "My incidents"
PANELS_FRESH = timedelta(seconds=60)
# database engine -> (what the panels were computed from, when, the panels)
_panels: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], datetime, list[Metrics]]] = weakref.WeakKeyDictionary()


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
    return HomeData(
        viewer=viewer, now=now,
        open_incidents=await list_open(session, viewer=viewer),
        mine=await my_incidents(session, viewer=viewer, now=now),
        actions=await actions_of(session, owner=viewer),
        panels=await panels(session, policy=policy, now=now),
    )


async def panels(session: AsyncSession, *, policy: Policy, now: datetime) -> list[Metrics]:
    """The metrics panels of PERIODS, computed again only when what they count has changed."""
    state = (await session.execute(select(func.max(TimelineEvent.id), func.count(TimelineEvent.id)))).one()
    incidents = (await session.execute(select(func.count(Incident.id), func.max(Incident.updated_at)))).one()
    key = (tuple(state), tuple(incidents), tuple(policy.levels),
           tuple(s.update_cadence for s in policy.severities))
    engine = session.bind.sync_engine if session.bind is not None else None
    kept = _panels.get(engine) if engine is not None else None
    if kept is not None and kept[0] == key and timedelta(0) <= now - kept[1] < PANELS_FRESH:
        return kept[2]
    rows = await metrics.load(session, since=now - timedelta(days=max(PERIODS)))
    computed = [for_policy(rows, policy, days=days, now=now) for days in PERIODS]
    if engine is not None:
        _panels[engine] = (key, now, computed)
    return computed
