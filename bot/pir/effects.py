"""The review's job kinds: its card, reminders, action-item messages and the document upload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.jobs.context import GaveUp, JobContext, NotReady, channel_of, post_once
from bot.pir import blocks as views
from bot.pir import document as pir_doc
from bot.pir import reminders
from bot.pir.records import actions_of, review_for, review_page, tracker_links
from models import ActionItem, Incident, Pir


async def _card(ctx: JobContext) -> tuple[Incident, Pir, str, list[dict[str, Any]]]:
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        review = await review_for(session, inc.id)  # type: ignore[arg-type]
        items = [item for item, _ in await actions_of(session, incident_id=inc.id, open_only=False)]
        jira = await tracker_links(session, [i.id for i in items if i.id])
        page = await review_page(session, inc.id)  # type: ignore[arg-type]
    if review is None:
        raise GaveUp(f"{inc.key} has no review")
    text, blocks = views.pir_card(inc, review, items, jira=jira, page_url=page)
    return inc, review, text, blocks


async def pir_card(ctx: JobContext) -> None:
    """Post the review's card in the channel (once per incident: its dedupe key says so)."""
    inc, review, text, blocks = await _card(ctx)
    ts = await post_once(ctx, channel=channel_of(inc), ts=review.card_ts, text=text, blocks=blocks)
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
    await ctx.update(channel_of(inc), review.card_ts, text, blocks)


async def pir_remind(ctx: JobContext) -> None:
    """A DM to the review's owner, with the form one click away."""
    p = ctx.job.payload
    inc = await ctx.incident()
    text, blocks = views.review_reminder(inc, p["reminder"], p["due"])
    await ctx.post(p["user"], text, blocks)


async def pir_merged(ctx: JobContext) -> None:
    """The second of two people who edited the same answers hears that both texts are kept."""
    p = ctx.job.payload
    inc = await ctx.incident()
    await ctx.post(p["user"], views.merged_notice(inc, p["fields"], p["revision"]))


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
    await ctx.post(item.owner_id, text, blocks)


async def action_reminder(ctx: JobContext) -> None:
    item, inc = await _item(ctx)
    if item.status != "open":
        return
    text, blocks = views.action_reminder(item, inc)
    await ctx.post(item.owner_id, text, blocks)


async def action_done_message(ctx: JobContext) -> None:
    """The message whose Mark done button was clicked now says the item is done."""
    item, inc = await _item(ctx)
    p = ctx.job.payload
    text, blocks = views.action_done_message(item, inc)
    await ctx.update(p["channel"], p["ts"], text, blocks)


async def pir_export(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = channel_of(inc)

    async def names(users: set[str]) -> dict[str, str]:
        return await pir_doc.slack_names(ctx.client, users)

    async with ctx.sessionmaker() as session:
        body = await pir_doc.document(session, ctx.policy, inc.id, names)  # type: ignore[arg-type]
    await ctx.client.files_upload_v2(channel=channel, content=body, filename=pir_doc.filename(inc),
                                     title=f"{inc.key} post-incident review",
                                     initial_comment=views.exported_comment(inc, ctx.job.payload.get("actor")))


def timer(kind: str) -> Callable[[JobContext], Awaitable[None]]:
    async def fire(ctx: JobContext) -> None:
        assert ctx.job.incident_id is not None
        async with ctx.finish() as session:
            await reminders.fire(kind, session=session, clock=ctx.clock, policy=ctx.policy,
                           incident_id=ctx.job.incident_id, payload=ctx.job.payload)

    fire.__name__ = kind
    return fire
