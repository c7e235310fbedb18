"""The review's job kinds: its card, reminders, action-item messages and the document upload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot import pir_doc
from bot.blocks import ids
from bot.blocks import pir as views
from bot.blocks.kit import mrkdwn, plain
from bot.effects import GaveUp, JobContext, NotReady, _channel, post_once
from bot.services import pir
from bot.services.pir import actions_of, review_for
from models import ActionItem, Incident, Pir


async def _card(ctx: JobContext) -> tuple[Incident, Pir, str, list[dict[str, Any]]]:
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        review = await review_for(session, inc.id)  # type: ignore[arg-type]
        items = [item for item, _ in await actions_of(session, incident_id=inc.id, open_only=False)]
    if review is None:
        raise GaveUp(f"{inc.key} has no review")
    text, blocks = views.pir_card(inc, review, items)
    return inc, review, text, blocks


async def pir_card(ctx: JobContext) -> None:
    """Post the review's card in the channel (once per incident: its dedupe key says so)."""
    inc, review, text, blocks = await _card(ctx)
    ts = await post_once(ctx, channel=_channel(inc), ts=review.card_ts, text=text, blocks=blocks)
    if ts is None:
        return
    async with ctx.finish() as session:
        fresh = await session.get(Pir, review.id)
        assert fresh is not None
        fresh.card_ts = ts


async def pir_card_refresh(ctx: JobContext) -> None:
    inc, review, text, blocks = await _card(ctx)
    if not review.card_ts:
        raise NotReady(f"the review card of {inc.key} is not posted yet")
    await ctx.client.chat_update(channel=_channel(inc), ts=review.card_ts, text=text, blocks=blocks)


async def pir_remind(ctx: JobContext) -> None:
    """A DM to the review's owner, with the form one click away."""
    p = ctx.job.payload
    assert ctx.job.incident_id is not None
    blocks = [{"type": "section", "text": mrkdwn(p["text"])},
              {"type": "actions", "block_id": ids.pir_block_id(ctx.job.incident_id),
               "elements": [{"type": "button", "action_id": ids.PIR_FILL, "text": plain("Fill in the PIR"),
                             "style": "primary", "value": str(ctx.job.incident_id)}]}]
    await ctx.client.chat_postMessage(channel=p["user"], text=p["text"], blocks=blocks)


async def _item(ctx: JobContext) -> tuple[ActionItem, Incident]:
    async with ctx.sessionmaker() as session:
        item = await session.get(ActionItem, int(ctx.job.payload["item"]))
        inc = await session.get(Incident, item.incident_id) if item else None
    if item is None or inc is None:
        raise GaveUp(f"action item {ctx.job.payload.get('item')} no longer exists")
    return item, inc


async def action_assigned(ctx: JobContext) -> None:
    item, inc = await _item(ctx)
    text, blocks = views.action_assigned(item, inc, item.created_by)
    await ctx.client.chat_postMessage(channel=item.owner_id, text=text, blocks=blocks)


async def action_reminder(ctx: JobContext) -> None:
    item, inc = await _item(ctx)
    if item.status != "open":
        return
    text, blocks = views.action_reminder(item, inc)
    await ctx.client.chat_postMessage(channel=item.owner_id, text=text, blocks=blocks)


async def action_done_message(ctx: JobContext) -> None:
    """The message whose Mark done button was clicked now says the item is done."""
    item, inc = await _item(ctx)
    p = ctx.job.payload
    text, blocks = views.action_done_message(item, inc)
    await ctx.client.chat_update(channel=p["channel"], ts=p["ts"], text=text, blocks=blocks)


async def pir_export(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = _channel(inc)

    async def names(users: set[str]) -> dict[str, str]:
        return await pir_doc.slack_names(ctx.client, users)

    async with ctx.sessionmaker() as session:
        body = await pir_doc.document(session, ctx.policy, inc.id, names)  # type: ignore[arg-type]
    who = ctx.job.payload.get("actor")
    comment = f":page_facing_up: The review document of *{inc.key}*" + (f", as asked by <@{who}>" if who else "")
    await ctx.client.files_upload_v2(channel=channel, content=body, filename=pir_doc.filename(inc),
                                     title=f"{inc.key} post-incident review", initial_comment=comment)


def _timer(kind: str) -> Callable[[JobContext], Awaitable[None]]:
    async def fire(ctx: JobContext) -> None:
        assert ctx.job.incident_id is not None
        async with ctx.finish() as session:
            await pir.fire(kind, session=session, clock=ctx.clock, policy=ctx.policy,
                           incident_id=ctx.job.incident_id, payload=ctx.job.payload)

    fire.__name__ = kind
    return fire


EFFECTS: dict[str, Callable[[JobContext], Awaitable[None]]] = {
    "pir_card": pir_card,
    "pir_card_refresh": pir_card_refresh,
    "pir_remind": pir_remind,
    "pir_export": pir_export,
    "action_assigned": action_assigned,
    "action_reminder": action_reminder,
    "action_done_message": action_done_message,
    **{kind: _timer(kind) for kind in pir.TIMER_KINDS},
}

DESCRIPTIONS: dict[str, str] = {
    "pir_card": "post the review card",
    "pir_card_refresh": "update the review card",
    "pir_remind": "remind the review's owner",
    "pir_export": "upload the review document",
    "action_assigned": "tell the owner about an action item",
    "action_reminder": "remind about an overdue action item",
    "action_done_message": "mark the action item done in its message",
    "pir_due_soon": "remind that the review is due soon",
    "pir_overdue": "remind that the review is overdue",
    "action_overdue": "remind about an overdue action item",
}
