"""Incident metrics for a period (the last 30 or 90 days): counts by severity, time to acknowledge,
mitigate and resolve, SLA breaches and update punctuality, and the weekly counts the chart draws.

`load` is the one function that reads the database; everything else is pure computation over the
rows it returns, so the figures are unit-tested against hand-computed fixtures.

Definitions (the README's "App Home and metrics" section repeats them for users):
- An incident counts in a period when it was *declared* in it (`created_at`), whatever its status now;
  drills never count.
- Every duration starts at the start of the acknowledgement clock (`ack_started_at`, else
  `created_at`): time to acknowledge is `ack_seconds`, to mitigate `mitigated_at - start`, to resolve
  `resolved_at - start`; an incident without that moment yet is left out of that figure.
- p90 is the nearest-rank 90th percentile: the smallest value at least 90% of the values are <=.
- SLA breaches: incidents whose acknowledgement SLA was breached (`ack_breached_at`), missed update
  periods (`update_reminder` events) and updates escalated after a second missed period
  (`update_escalation` events).
- Update punctuality: the timeline of each incident whose severity has an update cadence is cut into
  update periods. A period starts at declaration, at reopening and right after each update or update
  reminder; it ends with an update (punctual), with an update reminder (missed: the update was not
  posted before its due time), or with resolution (not counted: nothing was due). Punctuality is
  punctual / (punctual + missed). An update posted in the same instant as the resolution counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, utc
from bot.errors import InvalidInput
from bot.jobs import enqueue
from bot.policy import Policy
from models import Incident, TimelineEvent

PERIODS = {"30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
USAGE = "Usage: `/incident stats [30d|90d]` (default 30d): incident metrics for the last 30 or 90 days."
EVENT_KINDS = ("declared", "update", "update_reminder", "update_escalation", "resolved", "reopened")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Row:
    """One incident as the metrics see it, with its timeline events of EVENT_KINDS in order.
    Every datetime is aware (the tables give back aware UTC)."""

    severity: int
    declared_at: datetime
    started_at: datetime
    ack_seconds: int | None = None
    ack_breached_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    events: tuple[tuple[datetime, str], ...] = ()


@dataclass(frozen=True)
class Stat:
    """Mean and p90 of a duration, in seconds, over `n` incidents (None when n is 0)."""

    n: int
    mean: float | None
    p90: float | None


@dataclass(frozen=True)
class Week:
    start: datetime
    counts: dict[int, int]


@dataclass(frozen=True)
class Metrics:
    days: int
    since: datetime
    until: datetime
    by_severity: dict[int, int]
    acknowledge: Stat
    mitigate: Stat
    resolve: Stat
    ack_breaches: int
    missed_updates: int
    escalated_updates: int
    punctual_periods: int
    counted_periods: int
    weeks: list[Week] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def punctuality(self) -> float | None:
        return self.punctual_periods / self.counted_periods if self.counted_periods else None


def parse_period(raw: str) -> int:
    """`""`, `30d`, `90d` (also `30`, `90`) → days; anything else → InvalidInput with the usage."""
    word = (raw or "").strip().lower() or DEFAULT_PERIOD
    if word.isdigit():
        word += "d"
    if word not in PERIODS:
        raise InvalidInput(f"I can't show stats for `{raw.strip()[:40]}`. {USAGE}")
    return PERIODS[word]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest rank: the ceil(q·n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def stat(values: Sequence[float]) -> Stat:
    if not values:
        return Stat(0, None, None)
    return Stat(len(values), sum(values) / len(values), percentile(values, 0.9))


def update_periods(events: Iterable[tuple[datetime, str]]) -> tuple[int, int]:
    """(punctual, counted) update periods of one incident's timeline; see the module docstring."""
    punctual = counted = 0
    running = True  # the first period starts at declaration
    # at one instant an update comes before the resolution it carried
    for _, kind in sorted(events, key=lambda e: (e[0], _kind_rank(e[1]))):
        if kind in ("declared", "reopened"):
            running = True
        elif kind == "update" and running:
            punctual, counted = punctual + 1, counted + 1
        elif kind == "update_reminder" and running:
            counted += 1
        elif kind == "resolved":
            running = False
    return punctual, counted


def _kind_rank(kind: str) -> int:
    return 1 if kind == "resolved" else 0


def _seconds(start: datetime, end: datetime | None, now: datetime) -> float | None:
    if end is None or utc(end) > now:
        return None
    return max(0.0, (utc(end) - utc(start)).total_seconds())


def compute(rows: Iterable[Row], *, days: int, now: datetime, levels: Sequence[int],
            cadenced: Iterable[int] = ()) -> Metrics:
    """The figures for incidents declared in the `days` before `now`. `levels` are the policy's
    severities (each gets a count, zero included); `cadenced` those that have an update cadence."""
    now = utc(now)
    since = now - timedelta(days=days)
    cadence = set(cadenced)
    by_severity = dict.fromkeys(levels, 0)
    weeks = [Week(since + i * WEEK, dict.fromkeys(levels, 0)) for i in range(math.ceil(days / 7))]
    ack: list[float] = []
    mitigate: list[float] = []
    resolve: list[float] = []
    breaches = missed = escalated = punctual = counted = 0
    for row in rows:
        declared = utc(row.declared_at)
        if not since <= declared <= now:
            continue
        by_severity[row.severity] = by_severity.get(row.severity, 0) + 1
        week = weeks[min(len(weeks) - 1, int((declared - since) / WEEK))]
        week.counts[row.severity] = week.counts.get(row.severity, 0) + 1
        if row.ack_seconds is not None and utc(row.started_at) + timedelta(seconds=row.ack_seconds) <= now:
            ack.append(float(row.ack_seconds))
        for values, end in ((mitigate, row.mitigated_at), (resolve, row.resolved_at)):
            took = _seconds(row.started_at, end, now)
            if took is not None:
                values.append(took)
        if row.ack_breached_at is not None and utc(row.ack_breached_at) <= now:
            breaches += 1
        events = [(at, kind) for at, kind in row.events if at <= now]
        kinds = [kind for _, kind in events]
        missed += kinds.count("update_reminder")
        escalated += kinds.count("update_escalation")
        if row.severity in cadence:
            on_time, periods = update_periods(events)
            punctual, counted = punctual + on_time, counted + periods
    return Metrics(days=days, since=since, until=now, by_severity=by_severity, acknowledge=stat(ack),
                   mitigate=stat(mitigate), resolve=stat(resolve), ack_breaches=breaches, missed_updates=missed,
                   escalated_updates=escalated, punctual_periods=punctual, counted_periods=counted, weeks=weeks)


def for_policy(rows: Iterable[Row], policy: Policy, *, days: int, now: datetime) -> Metrics:
    return compute(rows, days=days, now=now, levels=policy.levels,
                   cadenced=[s.level for s in policy.severities if s.update_cadence is not None])


# -- reading ----------------------------------------------------------------------------------------

async def load(session: AsyncSession, *, since: datetime) -> list[Row]:
    """Every non-drill incident declared since `since`, with its timeline events of EVENT_KINDS
    (columns, not ORM objects: a Home view reads thousands of these)."""
    declared = (select(Incident.id)
                .where(Incident.created_at >= utc(since), Incident.drill.is_(False))
                .scalar_subquery())
    events: dict[int, list[tuple[datetime, str]]] = {}
    rows = await session.execute(
        select(TimelineEvent.incident_id, TimelineEvent.at, TimelineEvent.kind)
        .where(TimelineEvent.incident_id.in_(declared), TimelineEvent.kind.in_(EVENT_KINDS))
        .order_by(TimelineEvent.at, TimelineEvent.id))
    for incident_id, at, kind in rows.all():
        events.setdefault(incident_id, []).append((utc(at), kind))
    incidents = await session.execute(
        select(Incident.id, Incident.severity, Incident.created_at, Incident.ack_started_at, Incident.ack_seconds,
               Incident.ack_breached_at, Incident.mitigated_at, Incident.resolved_at)
        .where(Incident.id.in_(declared)).order_by(Incident.id))
    return [Row(severity=severity, declared_at=created, started_at=started or created, ack_seconds=ack_seconds,
                ack_breached_at=breached, mitigated_at=mitigated, resolved_at=resolved,
                events=tuple(events.get(incident_id, ())))
            for incident_id, severity, created, started, ack_seconds, breached, mitigated, resolved in incidents.all()]


async def period(session: AsyncSession, *, policy: Policy, now: datetime, days: int) -> Metrics:
    rows = await load(session, since=utc(now) - timedelta(days=days))
    return for_policy(rows, policy, days=days, now=now)


# -- asking for them in a channel ---------------------------------------------------------------------

def request_stats(*, session: AsyncSession, clock: Clock, days: int, channel: str, user: str,
                  response_url: str | None = None) -> None:
    """Queue the metrics message (then its chart) for `channel`, as of now."""
    now = utc(clock.now())
    enqueue(session, kind="post_stats", now=now, payload={
        "days": days, "channel": channel, "user": user, "at": now.timestamp(), "response_url": response_url})
