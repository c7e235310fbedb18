"""Prometheus metrics (prometheus_client), served on METRICS_PORT by `serve` and by `worker`.

Counters and histograms are counted where things happen (one call each: the worker, the Slack client,
the HTTP routes); the queue and the open incidents are read from the database at each scrape, so every
replica reports the same queue and a stuck worker shows even when no process is running jobs.

    incident_bot_jobs_due{kind}                       pending jobs whose due time has come
    incident_bot_jobs_overdue{kind}                   ...due for longer than OVERDUE (the worker is behind)
    incident_bot_oldest_due_job_age_seconds           age of the oldest due job (0 when none is due)
    incident_bot_job_attempts_total{kind}             every run of a job's effect
    incident_bot_job_retries_total{kind}              runs that failed and will be retried
    incident_bot_job_rate_limited_total{kind}         runs a vendor's 429 postponed (not counted as attempts)
    incident_bot_job_failures_total{kind}             jobs that failed for good
    incident_bot_vendor_calls_total{vendor,method,result}   Slack and other vendors' API calls (result: ok,
                                                      ratelimited, or the error / HTTP status)
    incident_bot_ack_latency_seconds{listener}        Slack request in → HTTP answer out
    incident_bot_reminder_lateness_seconds{kind}      reminder ran this long after its due time
    incident_bot_webhook_requests_total{source,result}  alert webhooks by answer (accepted, refused, ...)
    incident_bot_open_incidents{severity}             open incidents (drills excluded)
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from bot.core.clock import Clock, utc
from bot.core.health import database_reachable
from models import Incident, Job
from models.db import Sessionmaker
from models.incidents import OPEN_STATUSES

log = logging.getLogger(__name__)
OVERDUE = timedelta(minutes=1)
REMINDER_KINDS = frozenset({"ack_reminder", "ack_breach", "update_reminder", "role_watch", "resolved_message_reminder",
                            "pir_due_soon", "pir_overdue", "pir_remind", "action_overdue", "action_reminder"})
_LATENCY = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
_LATENESS = (1, 5, 15, 30, 60, 120, 300, 900, 3600)

JOBS_DUE = Gauge("incident_bot_jobs_due", "Pending jobs whose due time has come", ["kind"])
JOBS_OVERDUE = Gauge("incident_bot_jobs_overdue", f"Pending jobs due for over {int(OVERDUE.total_seconds())}s",
                     ["kind"])
OLDEST_DUE = Gauge("incident_bot_oldest_due_job_age_seconds", "Age of the oldest due job (0 when none is due)")
ATTEMPTS = Counter("incident_bot_job_attempts", "Runs of a job's effect", ["kind"])
RETRIES = Counter("incident_bot_job_retries", "Job runs that failed and will be retried", ["kind"])
RATE_LIMITED = Counter("incident_bot_job_rate_limited", "Job runs postponed by a vendor's rate limit", ["kind"])
FAILURES = Counter("incident_bot_job_failures", "Jobs that failed for good", ["kind"])
CALLS = Counter("incident_bot_vendor_calls", "Calls to Slack's and other vendors' APIs",
                ["vendor", "method", "result"])
ACK_LATENCY = Histogram("incident_bot_ack_latency_seconds", "From a Slack request's arrival to the answer",
                        ["listener"], buckets=_LATENCY)
REMINDER_LATENESS = Histogram("incident_bot_reminder_lateness_seconds", "How late a reminder ran after its due time",
                              ["kind"], buckets=_LATENESS)
WEBHOOKS = Counter("incident_bot_webhook_requests", "Alert webhooks received, by answer", ["source", "result"])
OPEN_INCIDENTS = Gauge("incident_bot_open_incidents", "Open incidents (drills excluded)", ["severity"])

# Every metric name as exposed, for the dashboard and alert rules' test (deploy/ must name only these).
NAMES = ("incident_bot_jobs_due", "incident_bot_jobs_overdue", "incident_bot_oldest_due_job_age_seconds",
         "incident_bot_job_attempts_total", "incident_bot_job_retries_total", "incident_bot_job_rate_limited_total",
         "incident_bot_job_failures_total", "incident_bot_vendor_calls_total", "incident_bot_ack_latency_seconds",
         "incident_bot_reminder_lateness_seconds", "incident_bot_webhook_requests_total",
         "incident_bot_open_incidents")


# -- the hooks (one call per event) -----------------------------------------------------------------
def job_started(kind: str, due_at: datetime, now: datetime) -> None:
    ATTEMPTS.labels(kind).inc()
    if kind in REMINDER_KINDS:
        REMINDER_LATENESS.labels(kind).observe(max(0.0, (utc(now) - utc(due_at)).total_seconds()))


def job_retried(kind: str, *, rate_limited: bool = False) -> None:
    (RATE_LIMITED if rate_limited else RETRIES).labels(kind).inc()


def job_failed(kind: str) -> None:
    FAILURES.labels(kind).inc()


def vendor_call(vendor: str, method: str, result: str) -> None:
    CALLS.labels(vendor, method, result[:40]).inc()


def webhook(source: str, status: int) -> None:
    result = {200: "accepted", 401: "refused", 503: "unavailable"}.get(status, "rejected" if status < 500 else "error")
    WEBHOOKS.labels(source, result).inc()


def acked(listener: str, seconds: float) -> None:
    ACK_LATENCY.labels(listener).observe(seconds)


_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def listener_of(body: dict[str, Any]) -> str:
    """A bounded name for what a Slack request is: `command:/incident`, `block_actions:<action_id>`,
    `view_submission:<callback_id>`, `event:<type>`, `shortcut:<callback_id>`."""
    def name(value: Any) -> str:
        m = _NAME.match(str(value or "").lower())
        return m.group(0) if m else "other"

    if body.get("command"):
        return "command:" + ("/" + name(str(body["command"]).lstrip("/")))
    kind = str(body.get("type") or "")
    if kind == "event_callback":
        return "event:" + name((body.get("event") or {}).get("type"))
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return "block_actions:" + name(actions[0].get("action_id"))
    if kind in ("view_submission", "view_closed"):
        return f"{kind}:" + name((body.get("view") or {}).get("callback_id"))
    if kind in ("shortcut", "message_action"):
        return f"{kind}:" + name(body.get("callback_id"))
    return name(kind) if kind else "other"


class InstrumentedWebClient(AsyncWebClient):
    """The Slack Web API client, counting each call by method and result."""

    async def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            resp = await super().api_call(api_method, *args, **kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else None
            vendor_call("slack", api_method, "ratelimited" if status == 429 else str(error or status))
            raise
        except Exception as exc:
            vendor_call("slack", api_method, type(exc).__name__)
            raise
        vendor_call("slack", api_method, "ok")
        return resp


# -- the scrape ---------------------------------------------------------------------------------------
async def refresh(sessionmaker: Sessionmaker, clock: Clock) -> None:
    """Read the queue and the open incidents into their gauges."""
    now = utc(clock.now())
    async with sessionmaker() as session:
        due = (await session.execute(select(Job.kind, Job.due_at).where(Job.state == "pending", Job.due_at <= now)))
        rows = due.all()
        incidents = (await session.execute(
            select(Incident.severity, func.count()).where(Incident.status.in_(OPEN_STATUSES),  # type: ignore[attr-defined]
                                                          Incident.drill.is_(False))  # type: ignore[attr-defined]
            .group_by(Incident.severity))).all()
    by_kind: dict[str, int] = {}
    overdue: dict[str, int] = {}
    oldest = 0.0
    for kind, due_at in rows:
        by_kind[kind] = by_kind.get(kind, 0) + 1
        age = (now - utc(due_at)).total_seconds()
        oldest = max(oldest, age)
        if age > OVERDUE.total_seconds():
            overdue[kind] = overdue.get(kind, 0) + 1
    for gauge, counts in ((JOBS_DUE, by_kind), (JOBS_OVERDUE, overdue)):
        gauge.clear()
        for kind, n in counts.items():
            gauge.labels(kind).set(n)
    OLDEST_DUE.set(oldest)
    OPEN_INCIDENTS.clear()
    for severity, n in incidents:
        OPEN_INCIDENTS.labels(f"SEV-{severity}").set(n)


def metrics_app(sessionmaker: Sessionmaker, clock: Clock, registry: CollectorRegistry = REGISTRY) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        started = time.monotonic()
        try:
            await refresh(sessionmaker, clock)
        except Exception as exc:  # still expose the counters: the scrape shows the gauges went stale
            log.warning("metrics: could not read the queue from the database: %s", exc)
        body = generate_latest(registry)
        log.debug("metrics scrape in %.3fs", time.monotonic() - started)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:  # the worker's liveness: it serves no other HTTP
        try:
            async with sessionmaker() as session:
                await database_reachable(session)
        except Exception:
            return web.json_response({"ok": False, "database": "database unavailable"}, status=503)
        return web.json_response({"ok": True, "database": "ok"})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    return app


async def start_metrics(sessionmaker: Sessionmaker, clock: Clock, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    runner = web.AppRunner(metrics_app(sessionmaker, clock))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("metrics on http://%s:%s/metrics", host, port)
    return runner
