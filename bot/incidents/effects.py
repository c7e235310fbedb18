"""The incident's job kinds: its channel (created, people invited, topic), the summary card (posted,
pinned, redrawn), the announcement, and private replies to whoever declared it."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.incidents import blocks as cards
from bot.incidents.naming import channel_name
from bot.jobs.context import (
    ClaimedJob,
    GaveUp,
    JobContext,
    NotReady,
    channel_of,
    enqueue,
    post_once,
    reply_privately,
    slack_error,
)
from bot.timeline.facts import record
from models import Incident, IncidentMember


async def create_channel(ctx: JobContext) -> None:
    inc = await ctx.incident()
    if inc.channel_id:
        return
    for attempt in range(25):
        name = channel_name(inc.number, inc.title, attempt)
        try:
            resp = await ctx.client.conversations_create(name=name, is_private=inc.private)
            break
        except SlackApiError as exc:
            if slack_error(exc) != "name_taken":
                raise
    else:
        raise GaveUp(f"every channel name for {inc.key} is taken")
    channel_id, channel = resp["channel"]["id"], resp["channel"]["name"]
    now = ctx.clock.now()
    async with ctx.finish() as session:
        fresh = await session.get(Incident, inc.id)
        assert fresh is not None
        fresh.channel_id, fresh.channel_name = channel_id, channel
        record(session, fresh, utc(now), "bot", "channel_created", channel=channel_id)
        members = (await session.execute(
            select(IncidentMember.user_id).where(IncidentMember.incident_id == inc.id))).scalars().all()
        enqueue(session, kind="invite", incident_id=inc.id, now=now, payload={"users": sorted(members)})
        enqueue(session, kind="set_topic", incident_id=inc.id, now=now)
        enqueue(session, kind="post_card", incident_id=inc.id, now=now)
        if fresh.announce_channel:
            enqueue(session, kind="announce", incident_id=inc.id, now=now)
        reply = ctx.job.payload.get("reply") or {}
        enqueue(session, kind="respond", incident_id=inc.id, now=now, payload={**reply, "notice": "ready"})


async def channel_failed(session: AsyncSession, job: ClaimedJob, error: str, now: datetime) -> None:
    """The channel could not be created, for good: whoever declared hears it, with what Slack said."""
    reply = job.payload.get("reply") or {}
    enqueue(session, kind="respond", incident_id=job.incident_id, now=now,
            payload={**reply, "notice": "channel_failed", "error": error})


async def invite(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = channel_of(inc)
    problems = []
    for user in ctx.job.payload.get("users", []):
        try:
            await ctx.client.conversations_invite(channel=channel, users=user)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error in ("already_in_channel", "cant_invite_self"):
                continue
            if error in ("user_not_found", "user_is_restricted", "cant_invite", "user_is_ultra_restricted"):
                problems.append((user, error))
                continue
            raise
    async with ctx.finish() as session:
        for user, error in problems:
            record(session, inc, utc(ctx.clock.now()), "bot", "invite_failed", user=user, error=error)


async def set_topic(ctx: JobContext) -> None:
    inc = await ctx.incident()
    await ctx.client.conversations_setTopic(channel=channel_of(inc), topic=cards.topic(inc, ctx.policy))


async def post_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    ts = await post_once(ctx, channel=channel_of(inc), ts=inc.card_ts, text=cards.card_text(inc, ctx.policy),
                         blocks=cards.card(inc, ctx.policy))
    if ts is None:
        return
    async with ctx.finish() as session:
        fresh = await session.get(Incident, inc.id)
        assert fresh is not None
        fresh.card_ts = ts
        enqueue(session, kind="pin_card", incident_id=inc.id, now=ctx.clock.now())
        # the playbook's checklist goes right below the card (bot.playbooks)
        enqueue(session, kind="post_checklist", incident_id=inc.id, now=ctx.clock.now(),
                dedupe_key=f"post_checklist:{inc.id}")


async def pin_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    try:
        await ctx.client.pins_add(channel=channel_of(inc), timestamp=inc.card_ts)
    except SlackApiError as exc:
        if slack_error(exc) != "already_pinned":
            raise


async def refresh_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = channel_of(inc)
    if not inc.card_ts:
        raise NotReady(f"{inc.key} has no card yet")
    await ctx.client.chat_update(channel=channel, ts=inc.card_ts, text=cards.card_text(inc, ctx.policy),
                                 blocks=cards.card(inc, ctx.policy))


async def announce(ctx: JobContext) -> None:
    inc = await ctx.incident()
    if not inc.announce_channel or inc.announce_ts:
        return
    text = cards.announcement(inc, ctx.policy)
    try:
        resp = await ctx.client.chat_postMessage(channel=inc.announce_channel, text=text)
    except SlackApiError as exc:
        if slack_error(exc) != "not_in_channel":
            raise
        # A public announcement channel the bot was never added to: join it, then post.
        await ctx.client.conversations_join(channel=inc.announce_channel)
        resp = await ctx.client.chat_postMessage(channel=inc.announce_channel, text=text)
    async with ctx.finish() as session:
        fresh = await session.get(Incident, inc.id)
        assert fresh is not None
        fresh.announce_ts = resp["ts"]


async def respond(ctx: JobContext) -> None:
    """Tell whoever declared something privately (bot.incidents.blocks.notice)."""
    p = ctx.job.payload
    await reply_privately(ctx, p, cards.notice(await ctx.incident(), ctx.policy, p))

