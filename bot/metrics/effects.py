"""`/incident stats` job kinds: the metrics message in the channel it was asked in, then its chart.

Two jobs, so a failed upload is retried without posting the message twice. Both compute the figures
as of the moment the command was typed (`at` in the payload), so a retry shows the same numbers.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.jobs.context import JobContext, enqueue, reply_privately, slack_error
from bot.metrics import service as metrics
from bot.metrics.blocks import CANNOT_POST, stats_message
from bot.metrics.chart import metrics_chart

# Slack's answers meaning the bot cannot post where the command was typed (a private channel or a
# DM it is not part of, an archived channel): the user hears why instead.
_CANNOT_POST = ("channel_not_found", "not_in_channel", "is_archived", "restricted_action",
                "method_not_supported_for_channel_type")


async def _figures(ctx: JobContext) -> metrics.Metrics:
    p = ctx.job.payload
    async with ctx.sessionmaker() as session:
        return await metrics.period(session, policy=ctx.policy, now=datetime.fromtimestamp(p["at"], UTC),
                                    days=int(p["days"]))


async def _post(ctx: JobContext, channel: str, text: str, blocks: list) -> bool:
    """Post in `channel`, joining it first when it is a public channel the bot is not in yet."""
    try:
        await ctx.post(channel, text, blocks, join=True)
        return True
    except SlackApiError as exc:
        if slack_error(exc) not in _CANNOT_POST:
            raise
        return False


async def post_stats(ctx: JobContext) -> None:
    p = ctx.job.payload
    figures = await _figures(ctx)
    text, blocks = stats_message(figures, ctx.policy, p.get("user"))
    posted = await _post(ctx, p["channel"], text, blocks)
    now = ctx.clock.now()
    async with ctx.finish() as session:
        if posted:
            enqueue(session, kind="stats_chart", now=now, payload=p)
        else:
            enqueue(session, kind="stats_refused", now=now,
                    payload={"response_url": p.get("response_url"), "user": p.get("user")})


async def stats_refused(ctx: JobContext) -> None:
    """Whoever asked hears why the figures did not appear where they typed the command."""
    await reply_privately(ctx, ctx.job.payload, CANNOT_POST)


async def stats_chart(ctx: JobContext) -> None:
    p = ctx.job.payload
    figures = await _figures(ctx)
    png = await asyncio.to_thread(metrics_chart, figures, ctx.policy)  # ~30 ms of CPU: off the event loop
    day = f"{figures.until:%Y-%m-%d}"
    await ctx.client.files_upload_v2(channel=p["channel"], content=png, filename=f"incident-metrics-{figures.days}d-"
                                     f"{day}.png", title=f"Incidents per week by severity, last {figures.days} days "
                                     f"(to {day})")
