"""The incident's job kinds: its channel (created, people invited, topic), the summary card (posted,
pinned, redrawn), the announcement, and private replies to whoever declared it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.impact import service as impact
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
from bot.policy import Policy
from bot.regulatory import service as regulatory
from bot.timeline.facts import record
from models import GroupMember, Incident, IncidentMember, Page


async def _created_before(ctx: JobContext, name: str) -> dict[str, Any] | None:
    """The channel an earlier attempt of this job created, when a crash kept it from recording so: the
    one of that name the bot itself created (the incident's number makes the name its own)."""
    me = (await ctx.client.auth_test()).get("user_id")
    cursor = None
    while True:
        resp = await ctx.client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                                   limit=1000, cursor=cursor)
        for channel in resp.get("channels") or []:
            if channel.get("name") == name and channel.get("creator") == me:
                return dict(channel)
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None

ADMINS_EVERY = timedelta(minutes=10)  # how stale the incident admins' membership may be


async def create_channel(ctx: JobContext) -> None:
    inc = await ctx.incident()
    if inc.channel_id:
        return
    created: dict[str, Any] | None = None
    for attempt in range(25):
        name = channel_name(inc.number, inc.title, attempt)
        try:
            created = (await ctx.client.conversations_create(name=name, is_private=inc.private))["channel"]
            break
        except SlackApiError as exc:
            if slack_error(exc) != "name_taken":
                raise
            if ctx.job.attempts > 1:  # run again after a crash: the channel may be the one we made
                created = await _created_before(ctx, name)
                if created is not None:
                    break
    else:
        raise GaveUp(f"every channel name for {inc.key} is taken")
    assert created is not None
    channel_id, channel = created["id"], created["name"]
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


async def _card(ctx: JobContext, inc: Incident) -> list[dict[str, Any]]:
    """The card with its paging, impact and regulatory lines, as they are now."""
    assert inc.id is not None
    async with ctx.sessionmaker() as session:
        page = await session.get(Page, inc.id)
        values = await impact.current(session, inc.id)
        decided = await regulatory.classifications(session, inc.id)
        reports = await regulatory.reports(session, inc.id)
    return cards.card(inc, ctx.policy, page, impact=values, decided=decided, reports=reports, now=ctx.clock.now())


async def post_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    ts = await post_once(ctx, channel=channel_of(inc), ts=inc.card_ts, text=cards.card_text(inc, ctx.policy),
                         blocks=await _card(ctx, inc))
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
    await ctx.update(channel, inc.card_ts, cards.card_text(inc, ctx.policy), await _card(ctx, inc))


async def announce(ctx: JobContext) -> None:
    inc = await ctx.incident()
    if not inc.announce_channel or inc.announce_ts:
        return
    # a public announcement channel the bot was never added to is joined, then posted in
    ts = await ctx.post(inc.announce_channel, cards.announcement(inc, ctx.policy), join=True)
    async with ctx.finish() as session:
        fresh = await session.get(Incident, inc.id)
        assert fresh is not None
        fresh.announce_ts = ts


async def respond(ctx: JobContext) -> None:
    """Tell whoever declared something privately (bot.incidents.blocks.notice)."""
    p = ctx.job.payload
    await reply_privately(ctx, p, cards.notice(await ctx.incident(), ctx.policy, p))


async def failure_notice(ctx: JobContext) -> None:
    """A job failed for good: the incident channel and its IC hear it, and the operators' channel."""
    p = ctx.job.payload
    inc = await ctx.incident() if ctx.job.incident_id is not None else None
    operators = ctx.policy.escalation.operators_channel
    if inc is not None:
        text = cards.failure_notice(inc, p["what"], p["error"], to_operators=False)
        if inc.channel_id:
            await ctx.post(inc.channel_id, text)
        if inc.commander_id:
            await ctx.post(inc.commander_id, text)
    if operators:
        await ctx.post(operators, cards.failure_notice(inc, p["what"], p["error"], to_operators=True), join=True)


async def role_handover(ctx: JobContext) -> None:
    """Whoever held a role hears who holds it now."""
    inc = await ctx.incident()
    await ctx.post(ctx.job.payload["from"], cards.handover(inc, ctx.job.payload))


async def sync_admins(ctx: JobContext) -> None:
    """Reread the incident-admins and compliance user groups the policy names (at start, then every
    ADMINS_EVERY)."""
    groups = synced_groups(ctx.policy)
    now = utc(ctx.clock.now())
    users = {group: list((await ctx.client.usergroups_users_list(usergroup=group)).get("users") or [])
             for group in groups}
    async with ctx.finish() as session:
        for group, members in users.items():
            await session.execute(delete(GroupMember).where(GroupMember.group_id == group))
            session.add_all(GroupMember(group_id=group, user_id=u, synced_at=now) for u in sorted(set(members)))
        if groups:
            plan_admins_sync(session, now + ADMINS_EVERY)


def synced_groups(policy: Policy) -> list[str]:
    """The user groups whose members the permissions need: the incident admins, the compliance owners."""
    return list(dict.fromkeys(g for g in (policy.permissions.admins, policy.regulatory.compliance_group) if g))


def plan_admins_sync(session: AsyncSession, when: datetime) -> None:
    slot = int(when.timestamp()) // int(ADMINS_EVERY.total_seconds())
    enqueue(session, kind="sync_admins", now=when, due_at=when, dedupe_key=f"sync_admins:{slot}")
