"""The durable jobs table: enqueue in the caller's transaction, claim with a lease, finish or retry.

A service writes its Slack effects as jobs in the same transaction as the state change, so a crash
or a Slack outage never loses one. Workers claim due jobs atomically: PostgreSQL skips rows another
worker has locked (FOR UPDATE SKIP LOCKED); SQLite serialises writers (BEGIN IMMEDIATE), so the
conditional update of the lease is atomic there. A job whose lease runs out (its worker died) is
claimed again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, event, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.core.clock import utc
from models import Job
from models.db import Sessionmaker

WAKE = "wake_worker"  # session.info key of the callback that wakes the worker after a commit
_ENQUEUED = "jobs_enqueued"
_PENDING = "jobs_pending"
# PostgreSQL delivers a NOTIFY at commit (and drops it on rollback): other processes' workers wake
# at once instead of at their next poll, e.g. `serve --no-worker` beside `incident-bot worker`.
PG_CHANNEL = "incident_bot_jobs"


class Notifier:
    """Wakes a sleeping worker in this process when a transaction that enqueued jobs commits."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def wake(self) -> None:
        self.event.set()


@event.listens_for(Session, "before_commit")
def _write_jobs(session: Session) -> None:
    """Write the transaction's jobs in one statement, after the rows they point at are flushed.
    (This runs inside the async session's greenlet, where the sync API may do I/O.)"""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(_NOTIFY)  # delivered at commit, to every listening worker
    session.execute(_INSERTS["postgresql" if dialect == "postgresql" else "sqlite"], rows)
    session.info[_ENQUEUED] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_ENQUEUED, False):
        wake: Callable[[], None] | None = session.info.get(WAKE)
        if wake is not None:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_ENQUEUED, None)
    session.info.pop(_PENDING, None)


@asynccontextmanager
async def listen(sessionmaker: Sessionmaker, notifier: Notifier) -> AsyncIterator[None]:
    """On PostgreSQL, wake `notifier` whenever any process commits jobs; elsewhere, nothing."""
    engine = sessionmaker.kw.get("bind")
    if engine is None or engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection

        def on_notify(*_: Any) -> None:
            notifier.wake()

        await raw.add_listener(PG_CHANNEL, on_notify)
        try:
            yield
        finally:
            if not raw.is_closed():
                await raw.remove_listener(PG_CHANNEL, on_notify)


def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    now: datetime,
    incident_id: int | None = None,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 8,
) -> None:
    """Add a job to the caller's transaction; all of a transaction's jobs are written together
    when it commits. With a dedupe_key, a job whose key exists already (pending or long since
    run) is silently not added: that is what makes a reminder fire once."""
    now = utc(now)
    session.info.setdefault(_PENDING, []).append(dict(
        kind=kind, incident_id=incident_id, payload=payload or {}, due_at=utc(due_at) if due_at else now,
        state="pending", attempts=0, max_attempts=max_attempts, dedupe_key=dedupe_key, created_at=now,
    ))


_NOTIFY = text(f"SELECT pg_notify('{PG_CHANNEL}', '')")
_INSERTS = {
    "postgresql": postgresql.insert(Job.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"]),
    "sqlite": sqlite.insert(Job.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"]),
}


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    incident_id: int | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    created_at: datetime
    due_at: datetime | None = None  # when it was due: how late a reminder ran (bot.ops.telemetry)


async def claim(sessionmaker: Sessionmaker, *, worker_id: str, now: datetime, lease: timedelta,
                limit: int, incident_ids: list[int] | None = None) -> list[ClaimedJob]:
    """Due jobs, oldest first, leased to `worker_id`; with `incident_ids`, only those incidents' (the
    follow-ups of jobs just run, e.g. the message a timer queued)."""
    now = utc(now)
    wanted = [Job.state == "pending", Job.due_at <= now, or_(Job.locked_until.is_(None), Job.locked_until <= now)]
    if incident_ids is not None:
        wanted.append(Job.incident_id.in_(incident_ids))
    due = (
        select(Job.id)
        .where(*wanted)
        .order_by(Job.due_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(Job)
        .where(Job.id.in_(due.scalar_subquery()))
        .values(locked_by=worker_id, locked_until=now + lease, attempts=Job.attempts + 1)
        .returning(Job.id, Job.kind, Job.incident_id, Job.payload, Job.attempts, Job.max_attempts,
                   Job.created_at, Job.due_at)
        .execution_options(synchronize_session=False)
    )
    async with sessionmaker() as session, session.begin():
        rows = (await session.execute(stmt)).all()
    jobs = [ClaimedJob(*row) for row in rows]
    return sorted(jobs, key=lambda j: j.id)


def _owned(job_id: int, worker_id: str) -> Any:
    return and_(Job.id == job_id, Job.locked_by == worker_id)


async def mark_done(session: AsyncSession, job: ClaimedJob, *, worker_id: str, now: datetime) -> bool:
    """Finish a job in the caller's transaction; False if this worker no longer holds its lease."""
    res = await session.execute(
        update(Job).where(_owned(job.id, worker_id))
        .values(state="done", finished_at=utc(now), locked_by=None, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


async def mark_batch_done(session: AsyncSession, job_ids: list[int], *, worker_id: str, now: datetime) -> int:
    """Finish jobs in the caller's transaction; how many of them this worker still held."""
    res = await session.execute(
        update(Job).where(Job.id.in_(job_ids), Job.locked_by == worker_id)
        .values(state="done", finished_at=utc(now), locked_by=None, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False))
    return res.rowcount


async def mark_all_done(sessionmaker: Sessionmaker, job_ids: list[int], *, worker_id: str, now: datetime) -> None:
    """Finish the jobs this worker still holds, in one transaction (the effects that recorded nothing)."""
    if not job_ids:
        return
    async with sessionmaker() as session, session.begin():
        await mark_batch_done(session, job_ids, worker_id=worker_id, now=now)


async def reschedule(session: AsyncSession, job: ClaimedJob, *, worker_id: str, due_at: datetime,
                     error: str, count_attempt: bool = True) -> None:
    values: dict[str, Any] = dict(due_at=utc(due_at), locked_by=None, locked_until=None, last_error=error[:2000])
    if not count_attempt:
        values["attempts"] = Job.attempts - 1
    await session.execute(update(Job).where(_owned(job.id, worker_id)).values(**values)
                          .execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, job: ClaimedJob, *, worker_id: str, now: datetime, error: str) -> bool:
    """Fail a job for good; False if this worker no longer holds its lease (another one runs it)."""
    res = await session.execute(
        update(Job).where(_owned(job.id, worker_id))
        .values(state="failed", finished_at=utc(now), locked_by=None, locked_until=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


async def renew(sessionmaker: Sessionmaker, *, worker_id: str, job_ids: list[int], now: datetime,
                lease: timedelta) -> None:
    """Extend the leases of the jobs this worker is running: a worker that died stops renewing, and its
    jobs are claimed again within one lease."""
    if not job_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Job).where(Job.id.in_(job_ids), Job.locked_by == worker_id)
                              .values(locked_until=utc(now) + lease).execution_options(synchronize_session=False))


async def push_back(session: AsyncSession, *, incident_id: int, after_id: int, due_at: datetime) -> None:
    """Keep an incident's effects in order: its later jobs that are due before `due_at` wait for it too
    (a rate-limited message must not be overtaken by the next one)."""
    await session.execute(
        update(Job).where(Job.incident_id == incident_id, Job.state == "pending", Job.id > after_id,
                          Job.due_at < utc(due_at), Job.locked_by.is_(None))
        .values(due_at=utc(due_at)).execution_options(synchronize_session=False))


async def next_due(sessionmaker: Sessionmaker) -> datetime | None:
    """When the next job can be claimed: its due time, or when the lease another worker holds runs out."""
    ready = case((Job.locked_until > Job.due_at, Job.locked_until), else_=Job.due_at)
    async with sessionmaker() as session:
        return (await session.execute(
            select(func.min(ready)).where(Job.state == "pending"))).scalar_one_or_none()
