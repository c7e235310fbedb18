"""Incident metrics for a period (the last 30 or 90 days): counts by severity, time to acknowledge,
mitigate and resolve, SLA breaches and update punctuality, and the weekly counts the chart draws.

Pure computation over the rows bot/metrics/service.py reads (`load` is the one function that reads the
database), so the figures are unit-tested against hand-computed fixtures.

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

from bot.core.clock import utc
from bot.core.errors import InvalidInput
from bot.policy import Policy

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
    detected_at: datetime | None = None  # the earliest evidence (bot/impact), when there was some


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
    amounts: dict[str, dict[str, float]] = field(default_factory=dict)  # quarter -> currency -> amount affected
    detect: Stat = Stat(0, None, None)  # from the earliest evidence to the declaration

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
        raise InvalidInput("I can't show stats for `{raw}`. " + USAGE, values={"raw": raw.strip()[:40]})
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
    detect: list[float] = []
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
        if row.detected_at is not None:
            detect.append(max(0.0, (declared - utc(row.detected_at)).total_seconds()))
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
                   escalated_updates=escalated, punctual_periods=punctual, counted_periods=counted, weeks=weeks,
                   detect=stat(detect))


def for_policy(rows: Iterable[Row], policy: Policy, *, days: int, now: datetime) -> Metrics:
    return compute(rows, days=days, now=now, levels=policy.levels,
                   cadenced=[s.level for s in policy.severities if s.update_cadence is not None])
