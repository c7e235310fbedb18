"""Reading the incidents a period's metrics are computed from (bot/metrics/figures.py computes them),
and asking for them in a channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.impact import service as impact
from bot.jobs.table import enqueue
from bot.metrics.figures import EVENT_KINDS, Metrics, Row, for_policy
from bot.policy import Policy
from models import Incident, TimelineEvent

# -- reading ----------------------------------------------------------------------------------------

async def load(session: AsyncSession, *, since: datetime, public_only: bool = False) -> list[Row]:
    """Every non-drill incident declared since `since` (`public_only`: leaving out the private ones),
    with its timeline events of EVENT_KINDS (columns, not ORM objects: a Home view reads thousands)."""
    wanted = [Incident.created_at >= utc(since), Incident.drill.is_(False)]
    if public_only:
        wanted.append(Incident.private.is_(False))
    declared = select(Incident.id).where(*wanted).scalar_subquery()
    events: dict[int, list[tuple[datetime, str]]] = {}
    rows = await session.execute(
        select(TimelineEvent.incident_id, TimelineEvent.at, TimelineEvent.kind)
        .where(TimelineEvent.incident_id.in_(declared), TimelineEvent.kind.in_(EVENT_KINDS))
        .order_by(TimelineEvent.at, TimelineEvent.id))
    for incident_id, at, kind in rows.all():
        events.setdefault(incident_id, []).append((utc(at), kind))
    incidents = await session.execute(
        select(Incident.id, Incident.severity, Incident.created_at, Incident.ack_started_at, Incident.ack_seconds,
               Incident.ack_breached_at, Incident.mitigated_at, Incident.resolved_at, Incident.detected_at)
        .where(Incident.id.in_(declared)).order_by(Incident.id))
    return [Row(severity=severity, declared_at=created, started_at=started or created, ack_seconds=ack_seconds,
                ack_breached_at=breached, mitigated_at=mitigated, resolved_at=resolved,
                events=tuple(events.get(incident_id, ())), detected_at=detected)
            for incident_id, severity, created, started, ack_seconds, breached, mitigated, resolved, detected
            in incidents.all()]


async def period(session: AsyncSession, *, policy: Policy, now: datetime, days: int,
                 public_only: bool = False) -> Metrics:
    since = utc(now) - timedelta(days=days)
    rows = await load(session, since=since, public_only=public_only)
    figures = for_policy(rows, policy, days=days, now=now)
    if not public_only:  # amounts are about single incidents: never on the public chart
        figures = replace(figures, amounts=await impact.amount_per_quarter(session, since))
    return figures


# -- asking for them in a channel ---------------------------------------------------------------------

async def request_stats(*, session: AsyncSession, clock: Clock, days: int, channel: str, user: str,
                  response_url: str | None = None) -> None:
    """Queue the metrics message (then its chart) for `channel`, as of now."""
    now = utc(clock.now())
    enqueue(session, kind="post_stats", now=now, payload={
        "days": days, "channel": channel, "user": user, "at": now.timestamp(), "response_url": response_url})
