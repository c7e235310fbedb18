"""The durable job loop: claim due jobs, run their effects, retry with backoff, record failures.

Jobs of one incident run in order within a batch; different incidents run concurrently. A job
that fails for good is written on its incident's timeline and in the log. The loop sleeps until
the next job is due, a commit in this process wakes it, or the poll interval passes (other
replicas' commits cannot wake it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update

from bot.config import Settings
from bot.core.clock import Clock, utc
from bot.core.inflight import InFlight
from bot.jobs import registry
from bot.jobs import table as jobs
from bot.jobs.context import GaveUp, JobContext, NotReady, RateLimited, slack_error
from bot.jobs.table import ClaimedJob, Notifier
from bot.ops import logs, telemetry
from bot.policy import Policy
from models import Incident, TimelineEvent
from models.db import Sessionmaker

log = logging.getLogger(__name__)

# Slack errors worth another try; any other `ok: false` answer will not change on retry.
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
NOT_READY_DELAY = 3.0
YIELD_LIMIT = 0.5
QUIET = 0.02  # seconds without a request before a job runs (while requests keep coming: at most YIELD_LIMIT)
NOT_READY_GIVE_UP = timedelta(hours=6)
# A job's lease: renewed by the heartbeat while it runs, so a dead worker's jobs are taken back this soon.
LEASE = timedelta(seconds=9)
FAILURE_NOTICE = "failure_notice"  # the job kind that tells people a job failed for good
MAX_RATE_LIMIT_WAIT = 3600.0  # seconds; a Retry-After beyond this is read as this


def backoff(attempt: int) -> float:
    """Seconds before retry n: 2, 4, 8 … capped at 10 minutes."""
    return float(min(2 ** attempt, 600))


@dataclass(frozen=True)
class Outcome:
    """What to do with a job whose effect raised: retry after `delay` (a rate limit waits as long as it
    is told and never counts as a failed attempt), or fail it for good."""

    retry: bool
    delay: float
    message: str
    rate_limited: bool = False


def _seconds(raw: Any, default: float) -> float:
    try:
        return min(max(float(raw), 1.0), MAX_RATE_LIMIT_WAIT) if raw not in (None, "") else default
    except (TypeError, ValueError):
        return default


def classify(exc: BaseException, attempt: int) -> Outcome:
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = slack_error(exc)
        if status == 429 or error == "ratelimited":
            retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            return Outcome(True, _seconds(retry_after, backoff(attempt)), f"ratelimited (Retry-After {retry_after})",
                           rate_limited=True)
        if status >= 500 or error in TRANSIENT_ERRORS:
            return Outcome(True, backoff(attempt), f"Slack answered {error}")
        return Outcome(False, 0.0, f"Slack answered {error}")
    if isinstance(exc, GaveUp):
        return Outcome(False, 0.0, str(exc))
    if isinstance(exc, RateLimited) or getattr(exc, "rate_limited", False):
        # a vendor (or a response_url) said "slow down": wait as told, however often
        return Outcome(True, _seconds(getattr(exc, "retry_after", None), backoff(attempt)),
                       f"{type(exc).__name__}: {exc}", rate_limited=True)
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        # a service besides Slack that said when to come back (e.g. Statuspage's Retry-After on a 503)
        delay = getattr(exc, "retry_after", None) or backoff(attempt)
        return Outcome(True, delay, f"{type(exc).__name__}: {exc}")
    return Outcome(True, backoff(attempt), f"unexpected {type(exc).__name__}: {exc}")


class Worker:
    def __init__(self, *, sessionmaker: Sessionmaker, clock: Clock, client: AsyncWebClient, policy: Policy,
                 notifier: Notifier | None = None, worker_id: str | None = None, batch: int = 50,
                 lease: timedelta = LEASE, poll_interval: float = 5.0, concurrency: int = 4,
                 effects: dict[str, Callable[[JobContext], Awaitable[None]]] | None = None,
                 inflight: InFlight | None = None, settings: Settings | None = None) -> None:
        self.sessionmaker, self.clock, self.client, self.policy = sessionmaker, clock, client, policy
        self.notifier = notifier or Notifier()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch, self.lease, self.poll_interval, self.concurrency = batch, lease, poll_interval, concurrency
        self.effects = effects or registry.effects()
        self.inflight = inflight
        self.settings = settings
        self.running: set[int] = set()  # the jobs this worker holds now, whose leases it renews
        self.started = False
        self.batch_effects = registry.batch_effects() if effects is None else {}
        self._done: list[int] = []  # effects that ran and recorded nothing: marked done together

    async def run_once(self) -> int:
        """Claim one batch of due jobs and run it; the number of jobs run."""
        if not self.started:
            async with self.sessionmaker() as session, session.begin():
                registry.on_start(session, self.policy, utc(self.clock.now()))
            self.started = True
        claimed = await jobs.claim(self.sessionmaker, worker_id=self.worker_id, now=self.clock.now(),
                                   lease=self.lease, limit=self.batch)
        by_incident: dict[int | None, list[ClaimedJob]] = defaultdict(list)
        for job in claimed:
            by_incident[job.incident_id].append(job)
        self.running |= {j.id for j in claimed}
        try:
            fired = await self._run_batched(by_incident)
            if fired:
                # what the batch queued (a timer's message) runs now, before the next batch of timers
                more = await jobs.claim(self.sessionmaker, worker_id=self.worker_id, now=self.clock.now(),
                                        lease=self.lease, limit=self.batch * 4, incident_ids=sorted(fired))
                self.running |= {j.id for j in more}
                claimed += more
                for job in more:
                    by_incident[job.incident_id].append(job)
                for group in by_incident.values():
                    group.sort(key=lambda j: j.id)
        except BaseException:
            self.running -= {j.id for j in claimed}
            raise

        # A few incidents at a time: enough to hide Slack's latency, few enough that a burst of jobs
        # never crowds out the acks this process also serves.
        gate = asyncio.Semaphore(self.concurrency)

        async def run_in_order(group: list[ClaimedJob]) -> None:
            async with gate:
                for n, job in enumerate(group):
                    await self._yield_to_requests()
                    waited = await self._run(job)
                    if waited is not None and job.incident_id is not None:
                        # rate limited: the incident's next effects wait behind it, in order
                        await self._hold_back(group[n + 1:], job, waited)
                        return

        try:
            await asyncio.gather(*(run_in_order(g) for g in by_incident.values() if g))
        finally:
            # what ran is finished even when another group raised (while the leases are still ours)
            done, self._done = self._done, []
            try:
                await jobs.mark_all_done(self.sessionmaker, done, worker_id=self.worker_id, now=self.clock.now())
            finally:
                self.running -= {j.id for j in claimed}
        return len(claimed)

    async def _run_batched(self, by_incident: dict[int | None, list[ClaimedJob]]) -> set[int]:
        """The jobs of a kind with a batch effect (the timers) that lead their incident's queue, all in
        ONE transaction that also finishes them; the incidents they were for. When that transaction
        fails, they stay in their queues and run one by one."""
        picked: dict[Any, list[ClaimedJob]] = defaultdict(list)  # batch effect -> its jobs
        taken: dict[int | None, int] = {}
        for key, group in by_incident.items():
            n = 0
            while n < len(group) and group[n].kind in self.batch_effects and group[n].incident_id is not None:
                picked[self.batch_effects[group[n].kind]].append(group[n])
                n += 1
            if n:
                taken[key] = n
        if not picked:
            return set()
        ids = [j.id for js in picked.values() for j in js]
        try:
            async with self.sessionmaker() as session, session.begin():
                for batch_effect, batch in picked.items():
                    await batch_effect(session=session, clock=self.clock, policy=self.policy,
                                       jobs=sorted(batch, key=lambda j: j.id))
                held = await jobs.mark_batch_done(session, ids, worker_id=self.worker_id, now=self.clock.now())
                if held != len(ids):
                    raise GaveUp("lost the lease of a job in the batch")
        except Exception:
            log.warning("job worker: a batch of %s timers failed; running them one by one", len(ids), exc_info=True)
            return set()
        now = self.clock.now()
        for js in picked.values():
            for job in js:
                telemetry.job_started(job.kind, job.due_at or job.created_at, now)
        for key, n in taken.items():
            del by_incident[key][:n]
        self.running -= set(ids)
        return {key for key in taken if key is not None}

    async def _hold_back(self, rest: list[ClaimedJob], job: ClaimedJob, until: datetime) -> None:
        async with self.sessionmaker() as session, session.begin():
            for later in rest:
                await jobs.reschedule(session, later, worker_id=self.worker_id, due_at=until, count_attempt=False,
                                      error="waiting behind a rate-limited effect of the same incident")
            assert job.incident_id is not None
            await jobs.push_back(session, incident_id=job.incident_id, after_id=job.id, due_at=until)
        self.running -= {j.id for j in rest}

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        """Renew the leases of running jobs, a third of a lease apart, until told to stop."""
        every = max(self.lease.total_seconds() / 3, 0.5)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                pass
            try:
                await jobs.renew(self.sessionmaker, worker_id=self.worker_id, job_ids=sorted(self.running),
                                 now=self.clock.now(), lease=self.lease)
            except Exception:  # the database is away for a moment: the next beat tries again
                log.warning("job worker %s: could not renew its leases", self.worker_id, exc_info=True)

    async def _yield_to_requests(self) -> None:
        """Let requests from Slack go first: they hold a user waiting on an ack, a job does not. A job
        waits until no request has been running for QUIET seconds (a closed-loop load is idle for a
        moment between two group commits, and the next requests are already on their way). Bounded by
        YIELD_LIMIT, so a steady stream of requests slows jobs down without stopping them; the work
        queues durably and catches up after."""
        if self.inflight is None:
            return
        deadline = time.monotonic() + YIELD_LIMIT
        while (left := deadline - time.monotonic()) > 0:
            if self.inflight.count:
                await self.inflight.idle(timeout=left)
                continue
            quiet = time.monotonic() - self.inflight.last_busy
            if quiet >= QUIET:
                return
            await asyncio.sleep(min(QUIET - quiet, left))

    async def drain(self, *, max_batches: int = 10_000) -> int:
        """Run until nothing is due now (tests and the demo); the number of jobs run."""
        total = 0
        for _ in range(max_batches):
            n = await self.run_once()
            if n == 0:
                break
            total += n
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("job worker %s started", self.worker_id)
        beating = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(beating))
        # One HTTP session (kept-alive connections) for every Slack call while the loop runs, instead of
        # a new session and connection per call; once it is closed the client makes its own again.
        http = None
        if getattr(self.client, "session", "absent") is None:
            http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=getattr(self.client, "timeout", 30)))
            self.client.session = http
        try:
            async with jobs.listen(self.sessionmaker, self.notifier):
                await self._loop(stop)
        finally:
            beating.set()
            await heartbeat
            if http is not None:
                await http.close()
        log.info("job worker %s stopped", self.worker_id)

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # cleared before looking, so a commit that lands while we look still wakes the sleep below
            self.notifier.event.clear()
            try:
                if await self.run_once():
                    continue
                delay = self.poll_interval
                due = await jobs.next_due(self.sessionmaker)
                if due is not None:
                    delay = max(0.0, min(delay, (utc(due) - self.clock.now()).total_seconds()))
            except Exception:  # the database is unreachable: keep the loop alive and try again
                log.exception("job worker: claiming failed")
                delay = self.poll_interval
            waits = [asyncio.ensure_future(self.notifier.event.wait()), asyncio.ensure_future(stop.wait())]
            _, pending = await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            for w in pending:
                w.cancel()

    async def _run(self, job: ClaimedJob) -> datetime | None:
        """Run one job. When a rate limit made it wait: until when (else None)."""
        effect = self.effects.get(job.kind)
        logs.for_job(job.id)
        telemetry.job_started(job.kind, job.due_at or job.created_at, self.clock.now())
        ctx = JobContext(job=job, client=self.client, sessionmaker=self.sessionmaker, clock=self.clock,
                         policy=self.policy, worker_id=self.worker_id, settings=self.settings)
        try:
            if effect is None:
                raise GaveUp(f"no effect for job kind {job.kind!r}")
            await effect(ctx)
            if not ctx.finished:
                self._done.append(job.id)  # marked done with the rest of the batch, in one transaction
        except NotReady as exc:
            await self._not_ready(job, str(exc))
        except Exception as exc:
            outcome = classify(exc, job.attempts)
            due = self.clock.now() + timedelta(seconds=outcome.delay)
            if outcome.rate_limited:
                log.info("job %s (%s) rate limited, waiting %.0fs: %s", job.id, job.kind, outcome.delay,
                         outcome.message)
                telemetry.job_retried(job.kind, rate_limited=True)
                async with self.sessionmaker() as session, session.begin():
                    await jobs.reschedule(session, job, worker_id=self.worker_id, due_at=due, error=outcome.message,
                                          count_attempt=False)
                return due
            if outcome.retry and job.attempts < job.max_attempts:
                log.warning("job %s (%s) attempt %s failed, retrying in %.0fs: %s",
                            job.id, job.kind, job.attempts, outcome.delay, outcome.message)
                telemetry.job_retried(job.kind)
                async with self.sessionmaker() as session, session.begin():
                    await jobs.reschedule(session, job, worker_id=self.worker_id, due_at=due, error=outcome.message)
            else:
                await self._fail(job, outcome.message, exc)
        return None

    async def _not_ready(self, job: ClaimedJob, message: str) -> None:
        now = self.clock.now()
        if utc(now) - job.created_at > NOT_READY_GIVE_UP:
            await self._fail(job, f"gave up waiting: {message}", None)
            return
        async with self.sessionmaker() as session, session.begin():
            await jobs.reschedule(session, job, worker_id=self.worker_id, error=message, count_attempt=False,
                                  due_at=now + timedelta(seconds=NOT_READY_DELAY))

    async def _fail(self, job: ClaimedJob, message: str, exc: BaseException | None) -> None:
        what = registry.describe(job.kind)
        log.error("job %s (%s) failed after %s attempts: %s", job.id, job.kind, job.attempts, message,
                  exc_info=exc if exc is not None and not isinstance(exc, (SlackApiError, GaveUp)) else None)
        now = utc(self.clock.now())
        async with self.sessionmaker() as session, session.begin():
            if not await jobs.mark_failed(session, job, worker_id=self.worker_id, now=now, error=message):
                return  # its lease ran out and another worker has it: that one decides
            telemetry.job_failed(job.kind)
            if job.incident_id is not None:
                session.add(TimelineEvent(incident_id=job.incident_id, at=now, actor="bot", kind="job_failed",
                                          via="system", data={"job": job.id, "kind": job.kind,
                                                              "attempts": job.attempts, "what": what,
                                                              "error": message}))
                await session.execute(update(Incident).where(Incident.id == job.incident_id)
                                      .values(failed_effects=Incident.failed_effects + 1))
                jobs.enqueue(session, kind="refresh_card", incident_id=job.incident_id, now=now)
            if job.kind != FAILURE_NOTICE:  # a notice that cannot be delivered is only logged
                jobs.enqueue(session, kind=FAILURE_NOTICE, incident_id=job.incident_id, now=now,
                             payload={"kind": job.kind, "what": what, "error": message})
            known = registry.KINDS.get(job.kind)
            if known is not None and known.on_failure is not None:
                await known.on_failure(session, job, message, now)
