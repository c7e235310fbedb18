"""The intake's job kind: apply a stored request (bot/intake/service.py) in the transaction that finishes
the job, so it is applied exactly once; a refusal reaches the person privately (response_url, else DM)."""

from __future__ import annotations

import logging

from bot.core import text as t
from bot.core.errors import IncidentBotError
from bot.intake import service as intake
from bot.jobs.context import JobContext, reply_privately

log = logging.getLogger(__name__)


async def apply(ctx: JobContext) -> None:
    payload = ctx.job.payload
    try:
        async with ctx.finish() as session:
            await intake.apply(session=session, policy=ctx.policy, settings=ctx.settings, at=ctx.job.created_at,
                               payload=payload)
    except IncidentBotError as exc:  # nothing was applied; the job is done once the person knows
        log.info("refused stored %s: %s", payload.get("service"), exc.message)
        text = exc.render(person=t.user, text=t.escape, group=lambda g: f"<!subteam^{g}>")
        await reply_privately(ctx, payload.get("reply") or {}, text)
