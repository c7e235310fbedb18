"""Job kinds of the timeline, the playbooks and the drills."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.blocks import playbooks as views
from bot.effects import JobContext, NotReady, _channel, post_once
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


async def _checklist(ctx: JobContext) -> tuple[Incident, Checklist | None]:
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        return inc, await playbooks.checklist_of(session, inc.id)  # type: ignore[arg-type]


async def post_checklist(ctx: JobContext) -> None:
    """The playbook's checklist, below the summary card once that is posted; it is stored with the
    ts of its message."""
    inc, checklist = await _checklist(ctx)
    channel = _channel(inc)
    if not inc.card_ts:
        raise NotReady(f"{inc.key} has no summary card yet")
    checklist = checklist or playbooks.new_checklist(ctx.policy, inc, ctx.clock.now())
    text, blocks = views.checklist_message(inc, checklist, ctx.policy)
    ts = await post_once(ctx, channel=channel, ts=checklist.message_ts, text=text, blocks=blocks)
    if ts is None:
        return
    async with ctx.finish() as session:
        stored = await playbooks.checklist_of(session, inc.id, for_update=True)  # type: ignore[arg-type]
        if stored is None:
            checklist.message_ts = ts
            session.add(checklist)
        else:
            stored.message_ts = ts


async def refresh_checklist(ctx: JobContext) -> None:
    inc, checklist = await _checklist(ctx)
    if checklist is None or not checklist.message_ts:
        raise NotReady(f"the checklist of {inc.key} is not posted yet")
    text, blocks = views.checklist_message(inc, checklist, ctx.policy)
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
