"""Job kinds of alert triage: post a group's triage message, refresh it in place.

Both render the group as it is when they run. A refresh clears the group's "queued" mark before
it reads, so an alert arriving while it runs queues the next one: nothing shown is ever stale for
longer than one update interval, and a storm never holds more than one refresh per group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.alerts import service as alerts
from bot.alerts.blocks import (
    incident_line,
    reported_message,
    triage_message,
    triage_text,
)
from bot.core.clock import utc
from bot.jobs.context import GaveUp, JobContext, NotReady, channel_of
from models import AlertChannel, AlertGroup, Incident


async def _take(ctx: JobContext) -> tuple[AlertGroup, Incident | None, list[dict[str, Any]], str, datetime]:
    """Claim what is to be shown: the group's state now, with its changes marked as shown."""
    gid = ctx.job.payload.get("group")
    now = utc(ctx.clock.now())
    async with ctx.sessionmaker() as session, session.begin():
        group = await session.get(AlertGroup, gid, with_for_update=True)
        if group is None:
            raise GaveUp(f"alert group {gid} no longer exists")
        inc = await session.get(Incident, group.incident_id) if group.incident_id is not None else None
        if inc is not None and not inc.channel_id:
            raise NotReady(f"{inc.key} has no channel yet to link from the alert")
        group.dirty = False
        group.refresh_queued = False
        group.shown_at = now
        if inc is not None and inc.channel_id and group.count > group.reported_count and group.status == "firing":
            more = group.count - group.reported_count
            group.reported_count = group.count
            alerts.tell_incident(session, group, now, "repeated", more=more, count=group.count)
    return group, inc, triage_message(group, inc, ctx.policy), triage_text(group), now


async def _keep_pace(ctx: JobContext, channel: str) -> None:
    """Posts are scheduled a post_interval apart, but a worker that fell behind finds several due
    at once: wait out the rest of the interval since the channel's last triage post."""
    async with ctx.sessionmaker() as session:
        row = await session.get(AlertChannel, channel)
    if row is None or row.last_post_at is None:
        return
    interval = ctx.policy.alerts.post_interval
    wait = (utc(row.last_post_at) + interval - utc(ctx.clock.now())).total_seconds()
    if wait > 0:
        await ctx.clock.sleep(min(wait, interval.total_seconds()))


async def post_triage(ctx: JobContext) -> None:
    group, inc, blocks, text, now = await _take(ctx)
    if not group.channel_id:
        return
    if group.message_ts:  # posted before a crash lost the job's completion: update, never repost
        await ctx.update(group.channel_id, group.message_ts, text, blocks)
        return
    await _keep_pace(ctx, group.channel_id)
    ts = await ctx.post(group.channel_id, text, blocks)
    async with ctx.finish() as session:
        fresh = await session.get(AlertGroup, group.id, with_for_update=True)
        assert fresh is not None
        pace = await session.get(AlertChannel, group.channel_id)
        if pace is not None:
            pace.last_post_at = utc(ctx.clock.now())
        fresh.message_ts, fresh.channel_id = ts, ctx.posted_in or group.channel_id
        if fresh.dirty:  # alerts arrived while it was being posted
            alerts.queue_refresh(session, ctx.policy, fresh, now)


async def alert_line(ctx: JobContext) -> None:
    """A line about an attached alert in its incident's channel."""
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        group = await session.get(AlertGroup, ctx.job.payload.get("group"))
    if group is None:
        raise GaveUp(f"alert group {ctx.job.payload.get('group')} no longer exists")
    await ctx.post(channel_of(inc), incident_line(group, ctx.job.payload))


async def post_reported_message(ctx: JobContext) -> None:
    """The Slack message an incident was declared from, quoted in the incident's channel."""
    inc = await ctx.incident()
    await ctx.post(channel_of(inc), reported_message(ctx.job.payload))


async def refresh_triage(ctx: JobContext) -> None:
    group, _, blocks, text, _ = await _take(ctx)
    if not group.channel_id or not group.message_ts:
        return  # not posted yet: the post shows the latest state
    await ctx.update(group.channel_id, group.message_ts, text, blocks)
