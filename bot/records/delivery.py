"""Sending webhook deliveries: in order per incident and destination, retried with the worker's backoff,
given up after GIVE_UP and then reported, never dropped silently.

A delivery's job first waits (NotReady, which costs no attempt) while an earlier delivery of the same
incident to the same destination is still pending, so a receiver sees an incident's events in the order
they happened. A 2xx answer delivers it; 429 waits as long as Retry-After says; a 5xx, a timeout or a
refused connection is retried with backoff (2 s, 4 s, … capped at 10 minutes); any other 4xx fails it at
once. A delivery still failing GIVE_UP after its event fails for good: the row says `failed` with the last
error, the timeline gets a job_failed fact, and the IC and the channel are told (as for any failed job);
the incident's later deliveries then go on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.jobs.context import ClaimedJob, GaveUp, JobContext, NotReady, RateLimited
from bot.records import webhooks
from models import Incident, TimelineEvent, WebhookDelivery

GIVE_UP = timedelta(hours=1)
TIMEOUT = aiohttp.ClientTimeout(total=10)



async def webhook_deliver(ctx: JobContext) -> None:
    delivery_id = int(ctx.job.payload["delivery"])
    async with ctx.sessionmaker() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != "pending":
            return
        earlier = (await session.execute(select(WebhookDelivery.id).where(
            WebhookDelivery.destination == delivery.destination, WebhookDelivery.incident_id == delivery.incident_id,
            WebhookDelivery.state == "pending", WebhookDelivery.id < delivery.id).limit(1))).scalar_one_or_none()
        fact = await session.get(TimelineEvent, delivery.fact_id)
        inc = await session.get(Incident, delivery.incident_id)
    if earlier is not None:
        raise NotReady(f"webhook delivery {delivery_id} waits behind delivery {earlier}")
    hook = next((h for h in ctx.policy.webhooks if h.name == delivery.destination), None)
    if hook is None or fact is None or inc is None:
        async with ctx.finish() as session:
            await _set(session, delivery_id, "skipped", "the destination is no longer in the policy")
        return
    now = utc(ctx.clock.now())
    if now - utc(delivery.created_at) > GIVE_UP:
        raise GaveUp(f"gave up delivering {delivery.event} to webhook {hook.name!r} after "
                     f"{int(GIVE_UP.total_seconds() // 60)} minutes; last error: {delivery.last_error or 'none'}")
    raw = webhooks.body(delivery, fact, inc)
    stamp = int(now.timestamp())
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http, \
                http.post(hook.url, data=raw, headers=webhooks.headers(hook.secret, stamp, raw, delivery)) as resp:
            status = resp.status
            retry_after = resp.headers.get("Retry-After")
    except (aiohttp.ClientError, TimeoutError) as exc:
        await _attempted(ctx, delivery_id, f"{type(exc).__name__}: {exc}"[:300])
        raise ConnectionError(f"webhook {hook.name!r}: {type(exc).__name__}") from exc
    if 200 <= status < 300:
        async with ctx.finish() as session:
            row = await session.get(WebhookDelivery, delivery_id)
            assert row is not None
            row.state, row.delivered_at, row.attempts = "delivered", now, row.attempts + 1
        return
    await _attempted(ctx, delivery_id, f"HTTP {status}")
    if status == 429:
        raise RateLimited(f"webhook {hook.name!r} answered HTTP 429", retry_after)
    if status >= 500 or status == 408:
        raise ConnectionError(f"webhook {hook.name!r} answered HTTP {status}")
    raise GaveUp(f"webhook {hook.name!r} refused {delivery.event} with HTTP {status}")


async def _attempted(ctx: JobContext, delivery_id: int, error: str) -> None:
    async with ctx.sessionmaker() as session, session.begin():
        row = await session.get(WebhookDelivery, delivery_id)
        if row is not None:
            row.attempts += 1
            row.last_error = error


async def _set(session: AsyncSession, delivery_id: int, state: str, error: str) -> None:
    row = await session.get(WebhookDelivery, delivery_id)
    if row is not None and row.state == "pending":
        row.state, row.last_error = state, error[:2000]


async def delivery_failed(session: AsyncSession, job: ClaimedJob, error: str, _now: datetime) -> None:
    """The worker failed the job for good: the delivery says so, and the incident's later ones go on."""
    await _set(session, int(job.payload["delivery"]), "failed", error)
