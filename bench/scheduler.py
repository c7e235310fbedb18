"""The job scheduler under a large backlog: idle cost, a burst of reminders, and their lateness.

For each backend (a SQLite file, and a fresh PostgreSQL database that is dropped at the end), this
script declares N open SEV-3 incidents through the real `incidents.declare` service (their channels
are made directly in the Slack emulator this script hosts, and the setup jobs declare queued are
marked done, so the worker starts idle with 2N acknowledgement and update timers hours away), then
runs the real job worker (`Worker.run_forever`, SystemClock) in a child process of its own so its
CPU time is its own, and measures:

* idle: the worker's CPU seconds per minute with nothing due, beside the same worker on an empty
  database (the baseline: what polling costs with no backlog); on PostgreSQL also the CPU of the
  server's processes, where the queries' work is done;
* burst: M update reminders planned (by `clocks._plan_update`, as an update or a snooze plans one)
  to come due at the same instant T; the time from T until the M-th reminder reached the emulator,
  the lateness (emulator receipt - T) of each, and whether every incident got exactly one.

    .venv/bin/python bench/scheduler.py [--incidents 5000] [--burst 1000] [--idle-seconds 20]
        [--concurrency 4] [--batch 50] [--poll-interval 5] [--backends sqlite,postgresql]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--pg-db scheduler_bench] [--profile DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a plain script from a checkout, like bench/ack_latency.py

from sqlalchemy import func, select, update  # noqa: E402

from bot.clocks import service as clocks
from bot.core.clock import SystemClock  # noqa: E402
from bot.emulator import SlackEmulator  # noqa: E402
from bot.incidents import service as incidents
from bot.incidents.naming import channel_name  # noqa: E402
from bot.jobs import table as jobs
from bot.jobs.worker import Worker  # noqa: E402
from bot.policy import default_policy  # noqa: E402
from models import Incident, Job, TimelineEvent  # noqa: E402
from models.db import make_engine, make_sessionmaker  # noqa: E402
from models.migrate import upgrade  # noqa: E402

BENCH_DB = "scheduler_bench"  # the PostgreSQL database this script creates and drops; nothing else is touched
REMINDER = "update on *INC-"  # in the text of every update reminder (bot.blocks.clocks.update_reminder)
SEVERITY = 3  # SEV-3: ack reminder and update reminder 4 h out, no role watch, no escalation
SEED_BATCH = 250
WORKER_DEFAULTS = {name: p.default for name, p in inspect.signature(Worker.__init__).parameters.items()
                   if name in ("batch", "concurrency", "poll_interval")}


# -- the worker, in a child process ---------------------------------------------------------------

async def worker_child(args: argparse.Namespace) -> None:
    """The real worker against the database and the emulator. Answers commands on stdin with one
    JSON line each: `now` (a snapshot at once), `snap` (a snapshot as the next idle poll ends, so a
    window between two snaps is a whole number of poll cycles), `stop`."""
    import logging

    from slack_sdk.web.async_client import AsyncWebClient

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    engine = make_engine(args.database)
    notifier = jobs.Notifier()
    sessionmaker = make_sessionmaker(engine, info={jobs.WAKE: notifier.wake})  # as Runtime.create does
    client = AsyncWebClient(token=args.token, base_url=args.api_url)  # as bot.app.make_client builds it
    worker = Worker(sessionmaker=sessionmaker, clock=SystemClock(), client=client, policy=default_policy(),
                    notifier=notifier, batch=args.batch, concurrency=args.concurrency,
                    poll_interval=args.poll_interval)

    # Count the loop's queries by wrapping the module functions the worker calls (bot.jobs.claim,
    # bot.jobs.next_due); the worker itself is unchanged. next_due runs once per idle cycle.
    counts = {"claims": 0, "claimed": 0, "polls": 0}
    polled = asyncio.Event()
    claim, next_due = jobs.claim, jobs.next_due

    async def counted_claim(*a: Any, **kw: Any) -> Any:
        got = await claim(*a, **kw)
        counts["claims"] += 1
        counts["claimed"] += len(got)
        return got

    async def counted_next_due(*a: Any, **kw: Any) -> Any:
        due = await next_due(*a, **kw)
        counts["polls"] += 1
        polled.set()
        return due

    jobs.claim, jobs.next_due = counted_claim, counted_next_due  # type: ignore[assignment]

    def snapshot() -> dict[str, Any]:
        return {"wall": time.time(), "cpu": time.process_time(), **counts}

    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    polled.clear()
    await polled.wait()  # the first idle poll: started
    print(json.dumps({"ready": True, **snapshot()}), flush=True)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "stop":
            break
        if line == "snap":
            polled.clear()
            await polled.wait()
        print(json.dumps(snapshot()), flush=True)
    stop.set()
    await task
    await engine.dispose()


class WorkerProcess:
    def __init__(self, database: str, emu: SlackEmulator, args: argparse.Namespace) -> None:
        self.cmd = [sys.executable, str(Path(__file__).resolve()), "--worker-child", "--database", database,
                    "--api-url", emu.api_url, "--token", emu.bot_token, "--batch", str(args.batch),
                    "--concurrency", str(args.concurrency), "--poll-interval", str(args.poll_interval)]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> dict[str, Any]:
        self.proc = await asyncio.create_subprocess_exec(*self.cmd, stdin=asyncio.subprocess.PIPE,
                                                         stdout=asyncio.subprocess.PIPE, cwd=str(ROOT))
        return await self._read()

    async def _read(self) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=120)
        if not line:
            raise SystemExit(f"the worker process exited ({await self.proc.wait()})")
        return json.loads(line)

    async def ask(self, command: str) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"{command}\n".encode())
        await self.proc.stdin.drain()
        return await self._read()

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b"stop\n")
            await self.proc.stdin.drain()
            await asyncio.wait_for(self.proc.wait(), timeout=20)
        except (TimeoutError, ConnectionError):
            self.proc.kill()
            await self.proc.wait()


# -- measuring ------------------------------------------------------------------------------------

def postgres_cpu() -> dict[int, float] | None:
    """CPU seconds of each `postgres` process this machine shows (server, backends, background
    workers; from /proc/<pid>/schedstat, in nanoseconds); None when there are none to see (a server
    elsewhere). Each postgres process is single-threaded, so its main thread's time is all of it."""
    cpu: dict[int, float] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            with open(f"/proc/{pid}/schedstat") as f:
                cpu[int(pid)] = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
    return cpu or None


def pg_spent(a: dict[int, float] | None, b: dict[int, float] | None) -> float | None:
    """CPU the postgres processes used between two readings: a process that started in between
    counts whole (its start-up is part of the cost), one that exited counts nothing."""
    if a is None or b is None:
        return None
    return sum(cpu - a.get(pid, 0.0) for pid, cpu in b.items())


@dataclass
class Snap:
    worker: dict[str, Any]
    me: float = field(default_factory=time.process_time)  # this process: the emulator
    pg: dict[int, float] | None = None

    @classmethod
    def take(cls, worker: dict[str, Any], postgres: bool) -> Snap:
        return cls(worker, pg=postgres_cpu() if postgres else None)


def per_minute(a: Snap, b: Snap) -> tuple[float, float | None, float]:
    """Worker CPU s/min, PostgreSQL server CPU s/min, and worker CPU ms per idle poll."""
    wall = b.worker["wall"] - a.worker["wall"]
    cpu = b.worker["cpu"] - a.worker["cpu"]
    polls = max(1, b.worker["polls"] - a.worker["polls"])
    spent = pg_spent(a.pg, b.pg)
    pg = spent / wall * 60 if spent is not None else None
    return cpu / wall * 60, pg, cpu / polls * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Result:
    backend: str
    seed_seconds: float = 0.0
    pending_timers: int = 0
    idle_empty: tuple[float, float | None, float] = (0.0, None, 0.0)
    idle_full: tuple[float, float | None, float] = (0.0, None, 0.0)
    idle_window: float = 0.0
    burst: int = 0
    sent: int = 0
    lateness: list[float] = field(default_factory=list)
    timers_fired: tuple[float, float] = (0.0, 0.0)  # first, last finished_at - T
    duplicates: int = 0
    missing: int = 0
    unexpected: int = 0
    failed_jobs: int = 0
    next_planned: int = 0
    burst_cpu: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# -- one backend ----------------------------------------------------------------------------------

async def idle(worker: WorkerProcess, seconds: float, poll: float,
               pg: bool) -> tuple[tuple[float, float | None, float], float]:
    """CPU per idle minute over a whole number of poll cycles, from the end of the worker's first
    poll (its start-up and first queries excluded) to the end of a later one."""
    a = Snap.take(await worker.start(), pg)
    cycles = max(1, round(seconds / poll))
    b = None
    for _ in range(cycles):
        b = Snap.take(await worker.ask("snap"), pg)
    assert b is not None
    return per_minute(a, b), b.worker["wall"] - a.worker["wall"]


async def seed(sessionmaker: Any, emu: SlackEmulator, n: int, users: list[str]) -> None:
    """N open incidents through the real declare; channels made in the emulator, as create_channel
    would have; the jobs declare queued to set the channels up marked done. Their timers stay."""
    ws = emu.workspace
    policy = default_policy()
    clock = SystemClock()
    done = 0
    while done < n:
        async with sessionmaker() as session, session.begin():
            made = []
            for i in range(done, min(n, done + SEED_BATCH)):
                user = users[i % len(users)]
                inc = await incidents.declare(session=session, clock=clock, policy=policy, severity=SEVERITY,
                                              title=f"Card payments degraded in region {i % 17} ({i})",
                                              declared_by=user, source="monitoring", via="command")
                made.append((inc, user))
            for inc, user in made:
                name = channel_name(inc.number, inc.title)
                inc.channel_id = ws.add_channel(name, members=[user], bot_member=True)
                inc.channel_name = name
            await session.execute(update(Job).where(Job.state == "pending", Job.kind.not_in(clocks.TIMER_KINDS))
                                  .values(state="done", finished_at=clock.now())
                                  .execution_options(synchronize_session=False))
            done += len(made)


async def plan_burst(sessionmaker: Any, m: int, due: datetime) -> dict[int, str]:
    """The update reminders of the first M incidents all due at `due`: planned exactly as an update
    or a snooze plans one (same payload and dedupe key). Incident id -> its channel."""
    now = SystemClock().now()
    async with sessionmaker() as session, session.begin():
        chosen = (await session.execute(select(Incident).order_by(Incident.id).limit(m))).scalars().all()
        for inc in chosen:
            await clocks._plan_update(session, inc, now, due)
    return {inc.id: inc.channel_id for inc in chosen if inc.id is not None and inc.channel_id}


async def run_backend(name: str, url: str, emu: SlackEmulator, args: argparse.Namespace, users: list[str]) -> Result:
    res = Result(name)
    print(f"[{name}] migrating", file=sys.stderr, flush=True)
    await upgrade(url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    worker = WorkerProcess(url, emu, args)
    ws = emu.workspace
    try:
        # baseline: the same worker on the empty schema
        print(f"[{name}] idle, empty database ({args.idle_seconds:.0f}s)", file=sys.stderr, flush=True)
        pg = name == "PostgreSQL"
        res.idle_empty, _ = await idle(worker, args.idle_seconds, args.poll_interval, pg)
        await worker.stop()

        print(f"[{name}] declaring {args.incidents} incidents", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        await seed(sessionmaker, emu, args.incidents, users)
        res.seed_seconds = time.monotonic() - t0
        async with sessionmaker() as session:
            res.pending_timers = (await session.execute(
                select(func.count()).select_from(Job).where(Job.state == "pending"))).scalar_one()

        print(f"[{name}] idle, {args.incidents} incidents ({args.idle_seconds:.0f}s)", file=sys.stderr, flush=True)
        calls_before = len(ws.calls)
        res.idle_full, res.idle_window = await idle(worker, args.idle_seconds, args.poll_interval, pg)
        if len(ws.calls) != calls_before:
            res.notes.append(f"the idle worker called Slack {len(ws.calls) - calls_before} times")

        # burst: M reminders due together at T, far enough ahead that the worker has seen them and
        # sleeps exactly until T: on PostgreSQL the planning commit's NOTIFY wakes it at once, on
        # SQLite nothing can wake it from another process, so it finds them at its next poll
        print(f"[{name}] burst of {args.burst} reminders", file=sys.stderr, flush=True)
        due = datetime.fromtimestamp(math.ceil(time.time()) + args.poll_interval + 4, UTC)
        T = due.timestamp()
        channels = await plan_burst(sessionmaker, args.burst, due)
        committed = time.time()
        if committed > T - args.poll_interval:
            res.notes.append(f"planning committed {committed - (T - args.poll_interval):.1f}s too late: the "
                             "worker may have found the reminders up to a poll interval after T")
        res.burst = len(channels)
        start = Snap.take(await worker.ask("now"), pg)
        spy = None
        if args.profile:
            from bench.ack_latency import profile
            assert worker.proc is not None
            spy = profile(args.profile, worker.proc.pid, f"scheduler-burst-{name}")
        mark = len(ws.calls)
        deadline = time.time() + args.burst_timeout
        posts: list[Any] = []
        seen = mark
        while time.time() < deadline:
            new = ws.calls[seen:]
            seen += len(new)
            posts.extend(c for c in new if c.method == "chat.postMessage" and REMINDER in str(c.args.get("text")))
            if len(posts) >= res.burst:
                break
            await asyncio.sleep(0.02)
        if spy is not None:
            await spy()
        end = Snap.take(await worker.ask("snap"), pg)  # once the worker is idle again
        await asyncio.sleep(0.3)
        posts = [c for c in ws.calls[mark:] if c.method == "chat.postMessage" and REMINDER in str(c.args.get("text"))]
        others = [c for c in ws.calls[mark:] if c not in posts]
        if others:
            res.notes.append(f"{len(others)} other Slack calls during the burst")
        errors = [c for c in posts if not c.ok]
        if errors:
            res.notes.append(f"{len(errors)} reminder posts failed: {errors[0].error}")
        res.sent = len([c for c in posts if c.ok])
        per_channel: dict[str, int] = {}
        for c in posts:
            if c.ok:
                per_channel[str(c.args.get("channel"))] = per_channel.get(str(c.args.get("channel")), 0) + 1
        expected = set(channels.values())
        res.duplicates = sum(k - 1 for k in per_channel.values() if k > 1)
        res.missing = len(expected - set(per_channel))
        res.unexpected = len(set(per_channel) - expected)
        res.lateness = [c.at - T for c in posts if c.ok]
        wall = max(c.at for c in posts) - T if posts else 0.0
        res.burst_cpu = {
            "worker": (end.worker["cpu"] - start.worker["cpu"]) / wall if wall else None,
            "emulator": (end.me - start.me) / wall if wall else None,
            "postgres": (pg_spent(start.pg, end.pg) or 0.0) / wall if wall and pg else None,
        }

        cadence = default_policy().severity(SEVERITY).update_cadence
        assert cadence is not None
        async with sessionmaker() as session:
            fired = (await session.execute(
                select(func.min(Job.finished_at), func.max(Job.finished_at))
                .where(Job.kind == "update_reminder", Job.due_at == due, Job.state == "done"))).one()
            if fired[0] is not None:
                res.timers_fired = (fired[0].timestamp() - T, fired[1].timestamp() - T)
            res.failed_jobs = (await session.execute(
                select(func.count()).select_from(Job).where(Job.state == "failed"))).scalar_one()
            res.next_planned = (await session.execute(
                select(func.count()).select_from(Job)
                .where(Job.kind == "update_reminder", Job.state == "pending", Job.due_at >= due + cadence,
                       Job.incident_id.in_(list(channels)))
            )).scalar_one()
            events = (await session.execute(
                select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "update_reminder")
            )).scalar_one()
            if events != res.burst:
                res.notes.append(f"{events} update_reminder timeline events for {res.burst} reminders")
    finally:
        await worker.stop()
        await engine.dispose()
    return res


# -- PostgreSQL: a database of our own --------------------------------------------------------------

async def pg_database(admin_url: str, create: bool, name: str = BENCH_DB) -> str:
    """(Re)create, or drop, the bench's own database; returns its SQLAlchemy URL."""
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_url.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{base}/{name}"


# -- report ---------------------------------------------------------------------------------------

def report(results: list[Result], args: argparse.Namespace) -> None:
    def f(x: float | None, fmt: str = ".3f") -> str:
        return "-" if x is None else format(x, fmt)

    print(f"\nScheduler: {args.incidents} open SEV-3 incidents, burst of {args.burst} update reminders due at "
          f"the same instant; worker batch={args.batch} concurrency={args.concurrency} "
          f"poll_interval={args.poll_interval:g}s (defaults: batch={WORKER_DEFAULTS['batch']} "
          f"concurrency={WORKER_DEFAULTS['concurrency']} poll_interval={WORKER_DEFAULTS['poll_interval']:g}s)")
    head = (f"{'backend':<11}{'worker CPU s/idle min':>22}{'(empty DB)':>11}{'DB server':>10}"
            f"{'send all':>10}{'reminders/s':>12}{'late p50':>9}{'p99':>7}{'worst':>7}{'sent':>7}{'dupes':>6}"
            f"{'missing':>8}")
    print(head)
    print("-" * len(head))
    for r in results:
        late = r.lateness
        span = max(late) if late else None
        rate = len(late) / span if late and span else None
        print(f"{r.backend:<11}{f(r.idle_full[0]):>22}{f(r.idle_empty[0]):>11}{f(r.idle_full[1]):>10}"
              f"{f(span, '.2f') + 's':>10}{f(rate, '.0f'):>12}"
              f"{f(statistics.median(late) if late else None, '.2f'):>9}{f(pct(late, 99) if late else None, '.2f'):>7}"
              f"{f(span, '.2f'):>7}{r.sent:>7}{r.duplicates:>6}{r.missing:>8}")
    print("\nworker CPU s/idle min: the worker process's CPU (all threads) per minute with nothing due, over "
          "whole poll cycles;\n  (empty DB): the same worker on an empty schema, the baseline; DB server: CPU of "
          "all postgres processes\n  per idle minute (SQLite does that work inside the worker).")
    print("  A postgres connection closed during a window is not counted (none is while the worker's pool of 5, one of "
          "them\n  LISTENing, never overflows: concurrency <= 4).")
    print("send all: from the due time T until the emulator received the last reminder (so, with every reminder due "
          "at T, the worst\n  lateness too); late: emulator receipt - T, in seconds.")
    for r in results:
        late = r.lateness
        cpu = r.burst_cpu
        print(f"\n{r.backend}: declared {args.incidents} incidents in {r.seed_seconds:.1f}s "
              f"({args.incidents / r.seed_seconds:.0f}/s); {r.pending_timers} future timers pending.")
        print(f"  idle: {r.idle_full[2]:.1f} ms worker CPU per poll cycle ({r.idle_empty[2]:.1f} ms on the empty "
              f"database), window {r.idle_window:.1f}s.")
        if late:
            print(f"  burst: timers fired from +{r.timers_fired[0]:.2f}s to +{r.timers_fired[1]:.2f}s; first "
                  f"reminder reached Slack at +{min(late):.2f}s, last at +{max(late):.2f}s. "
                  f"CPU busy during the burst: worker {f(cpu.get('worker'), '.0%')}, emulator "
                  f"{f(cpu.get('emulator'), '.0%')}" + (f", postgres {f(cpu.get('postgres'), '.0%')}"
                                                        if cpu.get("postgres") is not None else "") + " of one core.")
            if min(late) >= r.timers_fired[1]:
                print("  no reminder reached Slack before every timer had fired: the post_channel job a timer queues "
                      "is due at its\n  firing time, so the claim's (due_at, id) order puts it behind every timer "
                      "still due at T.")
        print(f"  correctness: {r.sent} of {r.burst} reminders posted, duplicates {r.duplicates}, missing "
              f"{r.missing}, to other channels {r.unexpected}; failed jobs {r.failed_jobs}; next reminder planned "
              f"for {r.next_planned} of {r.burst}.")
        if cpu.get("emulator") and cpu["emulator"] > 0.85:
            print("  note: the emulator (one thread) was near a full core: it may have limited the burst.")
        for note in r.notes:
            print(f"  note: {note}")


async def main(args: argparse.Namespace) -> None:
    emu = SlackEmulator()
    await emu.start()
    users = [emu.workspace.add_user(f"oncall{i}") for i in range(20)]
    backends = [b.strip().lower() for b in args.backends.split(",") if b.strip()]
    results = []
    try:
        for backend in backends:
            if backend == "sqlite":
                with tempfile.TemporaryDirectory(prefix="scheduler-bench-") as tmp:
                    results.append(await run_backend("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", emu, args,
                                                     users))
            elif backend in ("postgresql", "postgres", "pg"):
                url = await pg_database(args.pg_url, create=True, name=args.pg_db)
                try:
                    results.append(await run_backend("PostgreSQL", url, emu, args, users))
                finally:
                    # its own database is dropped; one named with --pg-db is left there, empty
                    await pg_database(args.pg_url, create=args.pg_db != BENCH_DB, name=args.pg_db)
            else:
                raise SystemExit(f"unknown backend {backend!r}")
    finally:
        await emu.stop()
    report(results, args)


def parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=5000)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--idle-seconds", type=float, default=20.0, help="each idle window (rounded to poll cycles)")
    ap.add_argument("--burst-timeout", type=float, default=300.0)
    ap.add_argument("--concurrency", type=int, default=WORKER_DEFAULTS["concurrency"])
    ap.add_argument("--batch", type=int, default=WORKER_DEFAULTS["batch"])
    ap.add_argument("--poll-interval", type=float, default=WORKER_DEFAULTS["poll_interval"])
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                    help=f"an admin connection; the bench creates and drops its own database {BENCH_DB!r} there")
    # the worker child
    ap.add_argument("--profile", help="a directory: py-spy samples of the worker during the burst, summarised")
    ap.add_argument("--pg-db", default=BENCH_DB,
                    help="the database the bench (re)creates (and drops, when it is its own)")
    ap.add_argument("--worker-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--database", help=argparse.SUPPRESS)
    ap.add_argument("--api-url", help=argparse.SUPPRESS)
    ap.add_argument("--token", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.worker_child and args.burst > args.incidents:
        ap.error("--burst cannot exceed --incidents")
    return args


if __name__ == "__main__":
    parsed = parse()
    asyncio.run(worker_child(parsed) if parsed.worker_child else main(parsed))
