"""The drill's job kinds: a scripted event coming due, its message, and the drill report."""

from __future__ import annotations

from bot.drills import blocks as views
from bot.drills import service as drills
from bot.jobs.context import JobContext, channel_of


async def drill_event(ctx: JobContext) -> None:
    assert ctx.job.incident_id is not None
    async with ctx.finish() as session:
        await drills.fire(session=session, clock=ctx.clock, policy=ctx.policy, incident_id=ctx.job.incident_id,
                          payload=ctx.job.payload)


async def drill_message(ctx: JobContext) -> None:
    p = ctx.job.payload
    inc = await ctx.incident()
    await ctx.post(channel_of(inc), views.event_message(p["event"], p["text"]))


async def drill_report(ctx: JobContext) -> None:
    """The report in the drill's channel, or to `to` (whoever started it) by DM."""
    inc = await ctx.incident()
    channel = ctx.job.payload.get("to") or channel_of(inc)
    await ctx.post(channel, views.report(inc, ctx.job.payload["data"]))
