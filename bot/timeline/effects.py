"""The timeline's job kinds: a change's line in the incident channel, and reading a message pinned
with a reaction."""

from __future__ import annotations

from types import SimpleNamespace

from slack_sdk.errors import SlackApiError

from bot.jobs.context import JobContext, channel_of, slack_error
from bot.timeline import service as timeline
from bot.timeline.blocks import fact_line

NO_HISTORY = "(its text could not be read: the app lacks the channels:history / groups:history scope)"


async def post_fact(ctx: JobContext) -> None:
    """The fact the job carries, worded now (bot.timeline.blocks.fact_line), in the incident channel."""
    inc = await ctx.incident()
    fact = SimpleNamespace(**ctx.job.payload)
    await ctx.post(channel_of(inc), fact_line(inc, fact))


async def read_pinned(ctx: JobContext) -> None:
    """A 📌 reaction names a message but carries no text: read it from the channel's history."""
    inc = await ctx.incident()
    ts = ctx.job.payload["ts"]
    try:
        resp = await ctx.client.conversations_history(channel=channel_of(inc), latest=ts, inclusive=True, limit=1)
    except SlackApiError as exc:
        if slack_error(exc) != "missing_scope":
            raise
        resp, unreadable = {}, True  # the history scopes are optional (bot/core/scopes.py)
    else:
        unreadable = False
    found = [m for m in resp.get("messages") or [] if m.get("ts") == ts]
    message = found[0] if found else {}
    gone = NO_HISTORY if unreadable else "(the message is gone)"
    async with ctx.finish() as session:
        await timeline.fill_pinned(session=session, event_id=int(ctx.job.payload["event"]),
                                   author=message.get("user"),
                                   text=message.get("text") or (gone if not found else ""))
