"""The clocks' job kinds: each timer coming due (acknowledgement reminder and breach, update reminder,
role watch), the messages the clocks post, and the leadership escalation with the summary card."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.blocks.kit import mrkdwn
from bot.clocks import blocks as views
from bot.clocks import service as clocks
from bot.core.clock import Clock
from bot.incidents import blocks as cards
from bot.jobs.context import ClaimedJob, JobContext, channel_of
from bot.policy import Policy

log = logging.getLogger(__name__)


async def notify_leadership(ctx: JobContext) -> None:
    """The escalation channel gets the summary card as it is now, mentioning the leadership group."""
    if not ctx.policy.escalation.channel:
        log.info("leadership escalation for incident %s: no escalation channel in the policy", ctx.job.incident_id)
        return
    inc = await ctx.incident()
    text = views.leadership_escalation(inc, ctx.policy, ctx.job.payload)
    blocks = [{"type": "section", "text": mrkdwn(text)}, *cards.card(inc, ctx.policy)]
    await ctx.post(ctx.policy.escalation.channel, text, blocks, join=True)


async def clock_message(ctx: JobContext) -> None:
    """A reminder or an escalation, in the incident channel or where the clock said (a channel, a DM)."""
    inc = await ctx.incident()
    p = ctx.job.payload
    text, blocks = views.message(inc, p)
    await ctx.post(p.get("to") or channel_of(inc), text, blocks, join=True)


def timer(kind: str) -> Callable[[JobContext], Awaitable[None]]:
    async def fire(ctx: JobContext) -> None:
        async with ctx.finish() as session:
            await clocks.fire(kind, session=session, clock=ctx.clock, policy=ctx.policy,
                              incident_id=ctx.job.incident_id, payload=ctx.job.payload)

    fire.__name__ = kind
    return fire


async def fire_many(*, session: AsyncSession, clock: Clock, policy: Policy, jobs: list[ClaimedJob]) -> None:
    """Timers that came due together, in the worker's one transaction that also finishes them: their
    messages are queued (and posted next, before the next batch of timers), the next timers planned."""
    await clocks.fire_many(session=session, clock=clock, policy=policy,
                           timers=[(job.kind, job.incident_id, job.payload) for job in jobs if job.incident_id])
