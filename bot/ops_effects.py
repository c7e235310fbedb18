"""Job kinds of the timeline, the playbooks and the drills."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.blocks import playbooks as views
from bot.effects import GaveUp, JobContext, NotReady, _channel
from bot.services import drills, playbooks, timeline
from models import Checklist, Incident


async def read_pinned(ctx: JobContext) -> None:
    """A 📌 reaction names a message but carries no text: read it from the channel's history."""
    inc = await ctx.incident()
    ts = ctx.job.payload["ts"]
    resp = await ctx.client.conversations_history(channel=_channel(inc), latest=ts, inclusive=True, limit=1)
    found = [m for m in resp.get("messages") or [] if m.get("ts") == ts]
    message = found[0] if found else {}
    async with ctx.finish() as session:
        await timeline.fill_pinned(session=session, event_id=int(ctx.job.payload["event"]),
                                   author=message.get("user"),
                                   text=message.get("text") or ("(the message is gone)" if not found else ""))


async def _checklist(ctx: JobContext) -> tuple[Incident, Checklist, str, list[dict[str, Any]]]:
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        checklist = await playbooks.checklist_of(session, inc.id)  # type: ignore[arg-type]
    if checklist is None:
        raise GaveUp(f"{inc.key} has no checklist")
    text, blocks = views.checklist_message(inc, checklist, ctx.policy)
    return inc, checklist, text, blocks


async def post_checklist(ctx: JobContext) -> None:
    """Below the summary card: the checklist waits until the card is posted."""
    inc, checklist, text, blocks = await _checklist(ctx)
    channel = _channel(inc)
    if not inc.card_ts:
        raise NotReady(f"{inc.key} has no summary card yet")
    if checklist.message_ts:  # posted before a crash lost the job's completion: update, never repost
        await ctx.client.chat_update(channel=channel, ts=checklist.message_ts, text=text, blocks=blocks)
        return
    resp = await ctx.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    async with ctx.finish() as session:
        fresh = await session.get(Checklist, checklist.id)
        assert fresh is not None
        fresh.message_ts = resp["ts"]


async def refresh_checklist(ctx: JobContext) -> None:
    inc, checklist, text, blocks = await _checklist(ctx)
    if not checklist.message_ts:
        raise NotReady(f"the checklist of {inc.key} is not posted yet")
    await ctx.client.chat_update(channel=_channel(inc), ts=checklist.message_ts, text=text, blocks=blocks)


async def drill_event(ctx: JobContext) -> None:
    assert ctx.job.incident_id is not None
    async with ctx.finish() as session:
        await drills.fire("drill_event", session=session, clock=ctx.clock, policy=ctx.policy,
                          incident_id=ctx.job.incident_id, payload=ctx.job.payload)


EFFECTS: dict[str, Callable[[JobContext], Awaitable[None]]] = {
    "read_pinned": read_pinned,
    "drill_event": drill_event,
    "post_checklist": post_checklist,
    "refresh_checklist": refresh_checklist,
}

DESCRIPTIONS: dict[str, str] = {
    "read_pinned": "read a pinned message",
    "drill_event": "post a drill's scripted event",
    "post_checklist": "post the playbook checklist",
    "refresh_checklist": "update the playbook checklist",
}
