"""The App Home and the metrics at scale: how long building one Home view and one chart takes.

Writes N incidents declared over the last 90 days (a quarter of them drills or open, with 6 timeline
events each, 200 open ones, 100 open action items for the viewer) into a fresh database, then times,
over several rounds, what the publish_home job does before calling Slack (`home.load`: the open
incidents, the viewer's, their action items and the 30/90-day metrics; then `home_view`) and what the
chart route does (`metrics.period` + `metrics_chart`), and prints the view's size; next to them, as the
baseline, loading the open incidents alone (all the Home tab did before the metrics).

    .venv/bin/python bench/home_metrics.py [--incidents 5000] [--rounds 10] [--pg-url postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout

from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import models  # noqa: E402,F401  (registers the tables)
from bot.home import service as home
from bot.home.blocks import home_view  # noqa: E402
from bot.incidents import service as incidents
from bot.metrics import service as metrics
from bot.metrics.chart import metrics_chart  # noqa: E402
from bot.metrics.figures import for_policy  # noqa: E402
from bot.policy import default_policy  # noqa: E402
from models import ActionItem, Incident, TimelineEvent  # noqa: E402
from models.db import make_engine, make_sessionmaker  # noqa: E402

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
VIEWER = "UVIEWER"


async def seed(sessionmaker: models.db.Sessionmaker, n: int) -> None:
    incidents, events = [], []
    for i in range(1, n + 1):
        declared = NOW - timedelta(minutes=(i * 90 * 24 * 60) // n)
        is_open = i <= 200
        incidents.append(Incident(
            id=i, number=i, title=f"Incident {i}: card payments failing", severity=1 + i % 4,
            status="investigating" if is_open else "resolved", declared_by="U1", commander_id=VIEWER if i % 3 else "U2",
            created_at=declared, updated_at=declared, ack_started_at=declared, ack_seconds=60 + i % 900,
            ack_breached_at=declared + timedelta(minutes=10) if i % 7 == 0 else None,
            mitigated_at=None if is_open else declared + timedelta(minutes=30 + i % 60),
            resolved_at=None if is_open else declared + timedelta(minutes=90 + i % 300), drill=i % 10 == 0))
        for minutes, kind in ((0, "declared"), (12, "update"), (27, "update_reminder"), (30, "update"),
                              (44, "update_reminder"), (95, "resolved")):
            events.append(TimelineEvent(incident_id=i, at=declared + timedelta(minutes=minutes), actor="bot",
                                        kind=kind, text=kind))
    async with sessionmaker() as session, session.begin():
        session.add_all(incidents)
    async with sessionmaker() as session, session.begin():
        session.add_all(events)
        session.add_all(ActionItem(incident_id=1 + k, description=f"Follow-up {k}", owner_id=VIEWER,
                                   due_date=date(2026, 1, 1) + timedelta(days=k % 30), created_by="U1",
                                   created_at=NOW) for k in range(100))


async def run(url: str, n: int, rounds: int) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
        await conn.run_sync(SQLModel.metadata.create_all)
    sessionmaker = make_sessionmaker(engine)
    await seed(sessionmaker, n)
    policy = default_policy()
    home_ms, chart_ms, base_ms, old_ms, size, blocks = [], [], [], [], 0, 0
    for _ in range(rounds):
        started = time.perf_counter()  # what every Home view did on the previous main: the panels each time
        async with sessionmaker() as session:
            await home.my_incidents(session, viewer=VIEWER, now=NOW)
            await incidents.list_open(session, viewer=VIEWER)
            rows = await metrics.load(session, since=NOW - timedelta(days=90))
            [for_policy(rows, policy, days=days, now=NOW) for days in (30, 90)]
        old_ms.append((time.perf_counter() - started) * 1000)
    for _ in range(rounds):
        started = time.perf_counter()
        async with sessionmaker() as session:
            await incidents.list_open(session, viewer=VIEWER)
        base_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        async with sessionmaker() as session:
            data = await home.load(session, viewer=VIEWER, policy=policy, now=NOW)
        view = home_view(data, policy, "https://incident-bot.example.com")
        home_ms.append((time.perf_counter() - started) * 1000)
        size, blocks = len(json.dumps(view)), len(view["blocks"])
        started = time.perf_counter()
        async with sessionmaker() as session:
            figures = await metrics.period(session, policy=policy, now=NOW, days=90)
        metrics_chart(figures, policy)
        chart_ms.append((time.perf_counter() - started) * 1000)
    backend = url.split(":")[0]
    print(f"{backend}: {n} incidents ({data.panels[1].total} counted in 90 days), 200 open, 100 action items")
    warm = home_ms[1:] or home_ms
    print(f"  Home view (load + build), 200 open: median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms "
          f"(metrics panels reused); the first after a change {home_ms[0]:.0f} ms (panels computed); "
          f"{blocks} blocks, {size / 1024:.1f} kB of JSON")
    print(f"  previous main, the panels computed for every view: median {statistics.median(old_ms):.0f} ms")
    print(f"  90-day chart (query + PNG): median {statistics.median(chart_ms):.0f} ms, max {max(chart_ms):.0f} ms")
    print(f"  baseline, the open incidents alone (all the Home tab loaded before): "
          f"median {statistics.median(base_ms):.0f} ms, max {max(base_ms):.0f} ms")
    async with engine.begin() as conn:
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg-url", help="also run on this PostgreSQL database (its tables are recreated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.incidents, args.rounds))
    if args.pg_url:
        asyncio.run(run(args.pg_url, args.incidents, args.rounds))


if __name__ == "__main__":
    main()
