"""The metrics against a hand-computed fixture: incidents of every severity written into the database
with known timestamps (a drill, one outside the 30-day window, one outside both, acknowledgements,
breaches, mitigations, resolutions, update reminders), and the pure parts on their own.

Expected figures are worked out by hand in the comments, not with the code under test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import InvalidInput
from bot.metrics import figures as metrics
from bot.metrics import service
from bot.policy import default_policy
from models.db import make_sessionmaker
from tests.metrics.conftest import NOW, Spec, insert

FIXTURE = [
    # SEV-1, 2 days ago, its ack clock started 5 min before declaration (an alert).
    # ack 720 s; mitigated 25 min after declaration = 30 min after the start = 1800 s;
    # resolved at +85 = 90 min after the start = 5400 s. Update periods: update +10 (on time),
    # reminder +25 (missed), reminder +40 (missed), update +45 (on time), resolution and its update
    # at +85 (on time: the update came with the resolution) → 3 of 5.
    Spec(1, 1, 2, start_early=5, ack_seconds=720, breach_at=5, mitigated_at=25, resolved_at=85,
         events=[(0, "declared"), (10, "update"), (25, "update_reminder"), (40, "update_reminder"),
                 (40, "update_escalation"), (45, "update"), (85, "resolved"), (85, "update")]),
    # SEV-2, 5 days ago: ack 240 s, mitigated 3600 s, resolved 7200 s; 2 of 2 periods on time.
    Spec(2, 2, 5, status="closed", ack_seconds=240, mitigated_at=60, resolved_at=120,
         events=[(0, "declared"), (20, "update"), (30, "severity_changed"), (50, "update"), (120, "resolved")]),
    # SEV-2, 10 days ago: ack 2400 s after a breach at +30; never mitigated; resolved at +120,
    # reopened at +200, resolved again at +220 → 13200 s. Periods: reminder +30 (missed), update +40
    # (on time), resolved; reopened, update +210 (on time), resolved → 2 of 3.
    Spec(3, 2, 10, ack_seconds=2400, breach_at=30, resolved_at=220,
         events=[(0, "declared"), (30, "update_reminder"), (40, "update"), (120, "resolved"), (200, "reopened"),
                 (210, "update"), (220, "resolved")]),
    # SEV-3, 20 days ago, still open: ack 60 s; one update on time → 1 of 1.
    Spec(4, 3, 20, status="investigating", ack_seconds=60, events=[(0, "declared"), (100, "update")]),
    # SEV-4, 25 days ago, never acknowledged, resolved after 1800 s; no update cadence: its update
    # does not count in punctuality.
    Spec(5, 4, 25, resolved_at=30, events=[(0, "declared"), (10, "update")]),
    # A drill, 1 day ago: must not count anywhere.
    Spec(6, 1, 1, drill=True, ack_seconds=5000, breach_at=10, mitigated_at=20, resolved_at=30,
         events=[(0, "declared"), (15, "update_reminder"), (16, "update_escalation"), (30, "resolved")]),
    # SEV-2, 40 days ago (only in 90 days): ack 100 s, mitigated 600 s, resolved 2400 s;
    # reminder at +30 (missed) → 0 of 1.
    Spec(7, 2, 40, ack_seconds=100, mitigated_at=10, resolved_at=40,
         events=[(0, "declared"), (30, "update_reminder"), (40, "resolved")]),
    # SEV-1, 100 days ago: in neither window.
    Spec(8, 1, 100, ack_seconds=9999, breach_at=10, mitigated_at=20, resolved_at=30,
         events=[(0, "declared"), (15, "update_reminder")]),
]


async def _figures(engine: AsyncEngine, days: int) -> metrics.Metrics:
    sessionmaker = make_sessionmaker(engine)
    await insert(sessionmaker, FIXTURE)
    async with sessionmaker() as session:
        return await service.period(session, policy=default_policy(), now=NOW, days=days)


async def test_thirty_days_match_the_hand_computed_figures(engine: AsyncEngine) -> None:
    m = await _figures(engine, 30)
    assert (m.days, m.since, m.until) == (30, NOW - timedelta(days=30), NOW)
    assert m.by_severity == {1: 1, 2: 2, 3: 1, 4: 1} and m.total == 5
    # acknowledge: 720, 240, 2400, 60 → mean 3420 / 4 = 855; p90 = the ceil(3.6) = 4th smallest = 2400
    assert m.acknowledge == metrics.Stat(4, 855.0, 2400.0)
    # mitigate: 1800, 3600 → mean 2700; p90 = the 2nd = 3600
    assert m.mitigate == metrics.Stat(2, 2700.0, 3600.0)
    # resolve: 5400, 7200, 13200, 1800 → mean 27600 / 4 = 6900; p90 = 13200
    assert m.resolve == metrics.Stat(4, 6900.0, 13200.0)
    assert (m.ack_breaches, m.missed_updates, m.escalated_updates) == (2, 3, 1)
    # periods: 3/5 + 2/2 + 2/3 + 1/1 = 8 of 11
    assert (m.punctual_periods, m.counted_periods) == (8, 11)
    assert m.punctuality == pytest.approx(8 / 11)
    # weeks from NOW - 30 days: the SEV-4 (25 days ago) in the first, SEV-3 (20) in the second,
    # SEV-2 (10) in the third, SEV-2 (5) in the fourth, SEV-1 (2) in the last (2 days long)
    assert [w.start for w in m.weeks] == [NOW - timedelta(days=30 - 7 * i) for i in range(5)]
    assert [w.counts for w in m.weeks] == [
        {1: 0, 2: 0, 3: 0, 4: 1}, {1: 0, 2: 0, 3: 1, 4: 0}, {1: 0, 2: 1, 3: 0, 4: 0},
        {1: 0, 2: 1, 3: 0, 4: 0}, {1: 1, 2: 0, 3: 0, 4: 0}]


async def test_ninety_days_add_the_older_incident_but_never_the_drill(engine: AsyncEngine) -> None:
    m = await _figures(engine, 90)
    assert m.by_severity == {1: 1, 2: 3, 3: 1, 4: 1} and m.total == 6
    # acknowledge: 720, 240, 2400, 60, 100 → mean 3520 / 5 = 704; p90 = the ceil(4.5) = 5th = 2400
    assert m.acknowledge == metrics.Stat(5, 704.0, 2400.0)
    # mitigate: 1800, 3600, 600 → mean 2000; p90 = the 3rd = 3600
    assert m.mitigate == metrics.Stat(3, 2000.0, 3600.0)
    # resolve: 5400, 7200, 13200, 1800, 2400 → mean 30000 / 5 = 6000; p90 = 13200
    assert m.resolve == metrics.Stat(5, 6000.0, 13200.0)
    assert (m.ack_breaches, m.missed_updates, m.escalated_updates) == (2, 4, 1)
    assert (m.punctual_periods, m.counted_periods) == (8, 12)
    assert len(m.weeks) == 13 and sum(sum(w.counts.values()) for w in m.weeks) == 6


async def test_no_incidents_gives_empty_figures(engine: AsyncEngine) -> None:
    async with make_sessionmaker(engine)() as session:
        m = await service.period(session, policy=default_policy(), now=NOW, days=30)
    assert m.total == 0 and m.by_severity == {1: 0, 2: 0, 3: 0, 4: 0}
    assert m.acknowledge == metrics.Stat(0, None, None) and m.punctuality is None


# -- the pure parts ---------------------------------------------------------------------------------

def test_p90_is_the_nearest_rank() -> None:
    assert metrics.percentile(list(range(1, 21)), 0.9) == 18  # ceil(18.0) = 18th of 20
    assert metrics.percentile([5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 0.9) == 9  # 9th of 10, order does not matter
    assert metrics.percentile([7, 3, 5], 0.9) == 7  # ceil(2.7) = 3rd of 3
    assert metrics.percentile([42], 0.9) == 42
    assert metrics.percentile([], 0.9) is None
    assert metrics.stat([60, 120, 600]) == metrics.Stat(3, 260.0, 600.0)


def test_update_periods() -> None:
    t0 = NOW
    at = [t0 + timedelta(minutes=m) for m in range(10)]
    # an update after a reminder starts a new period: missed, then on time
    assert metrics.update_periods([(at[0], "declared"), (at[1], "update_reminder"), (at[2], "update")]) == (1, 2)
    # a period ended by resolution counts neither way; nothing after it counts until reopened
    assert metrics.update_periods([(at[0], "declared"), (at[1], "resolved"), (at[2], "update_reminder")]) == (0, 0)
    # the update posted with the resolution, at the same instant, is on time whatever the row order
    assert metrics.update_periods([(at[0], "declared"), (at[3], "resolved"), (at[3], "update")]) == (1, 1)
    # escalations and other kinds are not periods
    assert metrics.update_periods([(at[0], "update_escalation"), (at[1], "severity_changed")]) == (0, 0)


def test_the_window_is_by_declaration_and_ignores_what_happens_after_now() -> None:
    start = NOW - timedelta(days=3)
    row = metrics.Row(severity=2, declared_at=start, started_at=start, ack_seconds=30,
                      mitigated_at=NOW + timedelta(hours=1), resolved_at=NOW - timedelta(days=2),
                      events=((start + timedelta(minutes=30), "update_reminder"), (NOW + timedelta(minutes=1),
                                                                                    "update_reminder")))
    old = metrics.Row(severity=1, declared_at=NOW - timedelta(days=31), started_at=NOW - timedelta(days=31),
                      resolved_at=NOW - timedelta(days=1))
    fresh = metrics.Row(severity=2, declared_at=NOW - timedelta(minutes=1), started_at=NOW - timedelta(minutes=1),
                        ack_seconds=120)  # acknowledged a minute after NOW: not yet, as of NOW
    m = metrics.compute([row, old, fresh], days=30, now=NOW, levels=(1, 2), cadenced=(1, 2))
    assert m.by_severity == {1: 0, 2: 2}
    assert m.acknowledge == metrics.Stat(1, 30.0, 30.0)
    assert m.mitigate.n == 0 and m.resolve == metrics.Stat(1, 86400.0, 86400.0)
    assert (m.missed_updates, m.counted_periods, m.punctual_periods) == (1, 1, 0)


@pytest.mark.parametrize(("raw", "days"), [("", 30), ("30d", 30), (" 90D ", 90), ("90", 90), ("30", 30)])
def test_period_argument(raw: str, days: int) -> None:
    assert metrics.parse_period(raw) == days


@pytest.mark.parametrize("raw", ["7d", "month", "90 days", "-30d", "30d 90d"])
def test_bad_period_argument_names_the_usage(raw: str) -> None:
    with pytest.raises(InvalidInput, match=r"Usage: `/incident stats \[30d\|90d\]`"):
        metrics.parse_period(raw)
