"""The playbook's job kinds: post the checklist below the summary card, redraw it after a tick."""

from __future__ import annotations

from bot.jobs.context import JobContext, NotReady, channel_of, post_once
from bot.playbooks import blocks as views
from bot.playbooks import service as playbooks
from models import Checklist, Incident


async def _checklist(ctx: JobContext) -> tuple[Incident, Checklist | None]:
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        return inc, await playbooks.checklist_of(session, inc.id)  # type: ignore[arg-type]


async def post_checklist(ctx: JobContext) -> None:
    """The playbook's checklist, below the summary card once that is posted; it is stored with the
    ts of its message."""
    inc, checklist = await _checklist(ctx)
    channel = channel_of(inc)
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
    await ctx.update(channel_of(inc), checklist.message_ts, text, blocks)
