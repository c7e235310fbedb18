"""An alert storm against the real bot, with grouping on and then off, in one run.

The bot runs as `incident-bot serve` (HTTP mode, job worker in the same process, SQLite unless
--database) against the Slack emulator this script hosts, with Slack's rate limits on. The script
plays Alertmanager: N alerts (default 10,000) over F fingerprints (default 20), one alert per
webhook request, paced to arrive within one minute from C concurrent senders. It prints ingestion
throughput, webhook latency (p50/p99/max), how many alerts were stored, and what reached Slack:
triage messages posted and updated, 429s, and messages still queued when the observation ends
(with grouping off each alert is its own message, at Slack's one message a second per channel).

    .venv/bin/python bench/alert_storm.py [--alerts 10000] [--fingerprints 20] [--seconds 60]
                                          [--concurrency 20] [--settle 45] [--database URL]

With --database (PostgreSQL), give a fresh database: both runs upgrade it and the second starts
by emptying the alert tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ack_latency import free_port, pct, quiesce, wait_healthy  # noqa: E402
from bot.emulator import SlackEmulator  # noqa: E402

TOKEN = "storm-bench-token"
_COUNT = re.compile(r"\*Count\*\\n(\d+) alert")


def alert(fingerprint: str, i: int) -> bytes:
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "incident-bot", "groupKey": f"{{}}:{{fp=\"{fingerprint}\"}}",
        "groupLabels": {"alertname": f"Gateway{fingerprint}"}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "https://alertmanager.example.com", "truncatedAlerts": 0,
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": f"Gateway{fingerprint}", "severity": "critical", "service": "payment-gateway",
                       "instance": f"gw-{i % 7}:9102"},
            "annotations": {"summary": f"Payment gateway {fingerprint} failing health checks"},
            "startsAt": "2026-11-26T09:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://prometheus.example.com/graph", "fingerprint": fingerprint,
        }],
    }).encode()


@dataclass
class Result:
    label: str
    sent: int
    errors: int
    wall: float
    latencies: list[float]
    stored: int
    groups: int
    posts: int
    updates: int
    ratelimited: int
    queued_posts: int
    settle: float
    shown: int  # alerts counted on the triage messages as Slack shows them at the end
    floor: list[float]  # GET /healthz latencies at the same pace, then its wall time (baseline), or []


async def count_rows(database: str) -> tuple[int, int, int, int]:
    """Alerts stored, groups, triage posts still queued, alert jobs pending (posts and refreshes)."""
    from sqlalchemy import func, select

    from models import Alert, AlertGroup, Job
    from models.db import make_engine, make_sessionmaker

    engine = make_engine(database)
    try:
        async with make_sessionmaker(engine)() as s:
            stored = (await s.execute(select(func.count()).select_from(Alert))).scalar_one()
            groups = (await s.execute(select(func.count()).select_from(AlertGroup))).scalar_one()
            queued = (await s.execute(select(func.count()).select_from(Job).where(
                Job.kind == "alert_post", Job.state == "pending"))).scalar_one()
            pending = (await s.execute(select(func.count()).select_from(Job).where(
                Job.kind.in_(("alert_post", "alert_refresh")), Job.state == "pending"))).scalar_one()
    finally:
        await engine.dispose()
    return stored, groups, queued, pending


async def storm(args: argparse.Namespace, emu: SlackEmulator, channel: str, grouping: bool, tmp: str) -> Result:
    database = args.database or f"sqlite+aiosqlite:///{tmp}/storm-{'on' if grouping else 'off'}.db"
    policy = Path(tmp) / f"policy-{grouping}.toml"
    policy.write_text(f"[alerts]\ngrouping = {'true' if grouping else 'false'}\nchannel = \"{channel}\"\n")
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": emu.bot_token, "SLACK_SIGNING_SECRET": "storm-secret",
           "SLACK_API_URL": emu.api_url, "DATABASE_URL": database, "LOG_LEVEL": "ERROR",
           "ALERTS_ALERTMANAGER_TOKEN": TOKEN, "INCIDENT_POLICY": str(policy), "PYTHONPATH": str(ROOT)}
    env.pop("SLACK_APP_TOKEN", None)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, cwd=tmp,
                   stdout=subprocess.DEVNULL)
    if args.database:
        await _empty_alert_tables(args.database)
    calls_before = len(emu.workspace.calls)
    messages_before = len(emu.workspace.messages_in(channel))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=tmp)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        url = f"http://127.0.0.1:{port}/alerts/alertmanager"
        rng = random.Random(5)
        fingerprints = [f"fp{i:02d}" for i in range(args.fingerprints)]
        bodies = [alert(rng.choice(fingerprints), i) for i in range(args.alerts)]
        interval = args.seconds / args.alerts
        latencies: list[float] = []
        errors = 0
        next_index = iter(range(args.alerts))
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

        floor: list[float] = []
        if grouping:  # the baseline: the same pace and senders against the bot's GET /healthz, no database
            floor_start, floor_next = time.perf_counter(), iter(range(args.alerts))

            async def pinger(http: aiohttp.ClientSession) -> None:
                for i in floor_next:
                    delay = floor_start + i * interval - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    t0 = time.perf_counter()
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        await resp.read()
                    floor.append((time.perf_counter() - t0) * 1000)

            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as http:
                await asyncio.gather(*(pinger(http) for _ in range(args.concurrency)))
            floor.append(time.perf_counter() - floor_start)  # the wall time, last
        start = time.perf_counter()

        async def sender(http: aiohttp.ClientSession) -> None:
            nonlocal errors
            for i in next_index:
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                t0 = time.perf_counter()
                async with http.post(url, data=bodies[i], headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency)) as http:
            await asyncio.gather(*(sender(http) for _ in range(args.concurrency)))
        wall = time.perf_counter() - start
        t_settle = time.monotonic()
        await quiesce(emu.workspace, quiet=3.0, limit=args.settle)
        # then until the last refreshes (one update interval after the storm) are done, within the limit
        while time.monotonic() - t_settle < args.settle and (await count_rows(database))[3]:
            await asyncio.sleep(1.0)
        settle = time.monotonic() - t_settle
        calls = emu.workspace.calls[calls_before:]
        stored, groups, queued, _ = await count_rows(database)
        shown = sum(int(m.group(1)) for msg in emu.workspace.messages_in(channel)[messages_before:]
                    if (m := _COUNT.search(json.dumps(msg.blocks))))
        return Result(
            label="grouping on" if grouping else "grouping off", sent=args.alerts, errors=errors, wall=wall,
            latencies=latencies, stored=stored, groups=groups,
            posts=sum(1 for c in calls if c.method == "chat.postMessage" and c.ok),
            updates=sum(1 for c in calls if c.method == "chat.update" and c.ok),
            ratelimited=sum(1 for c in calls if c.status == 429), queued_posts=queued, settle=settle,
            shown=shown, floor=floor)
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 20)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _empty_alert_tables(database: str) -> None:
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(database)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE alert, alert_stream, alert_channel, alert_group, job CASCADE"))
    finally:
        await engine.dispose()


def report(results: list[Result], args: argparse.Namespace) -> None:
    db = "SQLite" if not args.database else args.database.split("://")[0]
    print(f"\nAlert storm: {args.alerts} Alertmanager alerts over {args.fingerprints} fingerprints, one per request, "
          f"paced over {args.seconds:.0f}s from {args.concurrency} senders; database {db}; Slack rate limits on")
    head = (f"{'run':<14}{'alerts/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}{'stored':>8}"
            f"{'groups':>7}{'posted':>7}{'updated':>8}{'429s':>6}{'queued':>7}{'shown':>7}")
    print(head)
    for r in results:
        lat = r.latencies or [0.0]
        print(f"{r.label:<14}{r.sent / r.wall:>9.0f}{pct(lat, 50):>8.1f}{pct(lat, 99):>8.1f}{max(lat):>8.1f}"
              f"{r.errors:>7}{r.stored:>8}{r.groups:>7}{r.posts:>7}{r.updates:>8}{r.ratelimited:>6}"
              f"{r.queued_posts:>7}{r.shown:>7}")
        if r.floor:
            f = r.floor[:-1]
            print(f"{'  /healthz':<14}{len(f) / r.floor[-1]:>9.0f}{pct(f, 50):>8.1f}{pct(f, 99):>8.1f}{max(f):>8.1f}"
                  "   (baseline: the bot's GET /healthz at the same pace, no database)")
    print("\nposted/updated: chat.postMessage / chat.update calls that succeeded by the end of the observation "
          f"(up to {args.settle:.0f}s after the last alert, until Slack calls stop for 3s and no triage job is "
          "pending); queued: triage "
          "messages still waiting for their slot in the channel's one-a-second pace; shown: the alerts counted on "
          "the triage messages as they read in Slack at the end.")
    for r in results:
        print(f"  {r.label}: sending took {r.wall:.1f}s, observed {r.settle:.1f}s after")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alerts", type=int, default=10_000)
    ap.add_argument("--fingerprints", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--settle", type=float, default=45.0, help="longest wait for Slack calls to stop after a storm")
    ap.add_argument("--database", help="DATABASE_URL for the bot (default: a fresh SQLite file per run)")
    args = ap.parse_args()

    emu = SlackEmulator()
    await emu.start()
    emu.rate_limits = True
    ws = emu.workspace
    oncall = ws.add_user("oncall")
    channel = ws.add_channel("alerts-payments", members=[oncall], bot_member=True)
    results: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="alert-storm-") as tmp:
        try:
            for grouping in (True, False):
                results.append(await storm(args, emu, channel, grouping, tmp))
        finally:
            await emu.stop()
    report(results, args)


if __name__ == "__main__":
    asyncio.run(main())
