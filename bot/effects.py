"""Job kind → Web API calls. Each effect reads the incident as it is now, calls Slack, and records
what Slack gave back (channel id, message ts) in the same transaction that finishes the job.

An effect raises NotReady when something it needs does not exist yet (the channel is still being
created); any Slack error propagates to the worker, which decides between retry and failure.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.blocks import card as cards
from bot.blocks import comms as comms_blocks
from bot.blocks.home import home_view
from bot.clock import Clock, utc
from bot.config import Settings
from bot.jobs import ClaimedJob, enqueue, mark_done
from bot.policy import Policy
from bot.services import clocks, home
from bot.services.naming import channel_name
from models import Incident, IncidentMember, TimelineEvent
from models.db import Sessionmaker

log = logging.getLogger(__name__)


class NotReady(Exception):
    """A prerequisite is missing for now (e.g. the channel); try again shortly without counting it."""


class GaveUp(Exception):
    """The effect cannot succeed, however often it is retried."""


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer was not JSON (a 5xx page)."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"


@dataclass
class JobContext:
    job: ClaimedJob
    client: AsyncWebClient
    sessionmaker: Sessionmaker
    clock: Clock
    policy: Policy
    worker_id: str
    finished: bool = field(default=False)
    settings: Settings | None = None  # for effects that call services besides Slack

    async def incident(self) -> Incident:
        async with self.sessionmaker() as session:
            inc = await session.get(Incident, self.job.incident_id)
        if inc is None:
            raise GaveUp(f"incident {self.job.incident_id} no longer exists")
        return inc

    @asynccontextmanager
    async def finish(self) -> AsyncIterator[AsyncSession]:
        """A transaction that also marks the job done: what the effect records and the job's
        completion commit together, or neither does."""
        async with self.sessionmaker() as session, session.begin():
            yield session
            if not await mark_done(session, self.job, worker_id=self.worker_id, now=self.clock.now()):
                raise GaveUp("lost the job's lease while running it")
        self.finished = True


def _channel(inc: Incident) -> str:
    if not inc.channel_id:
        raise NotReady(f"{inc.key} has no channel yet")
    return inc.channel_id


async def _timeline(session: AsyncSession, ctx: JobContext, inc: Incident, kind: str, text: str,
                    data: dict[str, Any] | None = None) -> None:
    assert inc.id is not None
    session.add(TimelineEvent(incident_id=inc.id, at=utc(ctx.clock.now()), actor="bot", kind=kind,
                              text=text, data=data or {}, via="system"))


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
        await _timeline(session, ctx, fresh, "channel_created", f"Channel <#{channel_id}> created")
        members = (await session.execute(
            select(IncidentMember.user_id).where(IncidentMember.incident_id == inc.id))).scalars().all()
        enqueue(session, kind="invite", incident_id=inc.id, now=now, payload={"users": sorted(members)})
        enqueue(session, kind="set_topic", incident_id=inc.id, now=now)
        enqueue(session, kind="post_card", incident_id=inc.id, now=now)
        if fresh.announce_channel:
            enqueue(session, kind="announce", incident_id=inc.id, now=now)
        reply = ctx.job.payload.get("reply") or {}
        enqueue(session, kind="respond", incident_id=inc.id, now=now,
                      payload={**reply, "text": f":white_check_mark: *{fresh.key}* is ready in <#{channel_id}>."})


async def invite(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = _channel(inc)
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
            await _timeline(session, ctx, inc, "invite_failed", f"Could not invite {t.user(user)}: {error}")


async def set_topic(ctx: JobContext) -> None:
    inc = await ctx.incident()
    await ctx.client.conversations_setTopic(channel=_channel(inc), topic=cards.topic(inc, ctx.policy))


async def post_once(ctx: JobContext, *, channel: str, ts: str | None, text: str,
                    blocks: list[dict[str, Any]]) -> str | None:
    """Post a message the caller records by its ts. With `ts` it was posted before a crash lost the
    job's completion: update it in place, never post a second copy. The new ts, or None."""
    if ts:
        await ctx.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        return None
    resp = await ctx.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    return str(resp["ts"])


async def post_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    ts = await post_once(ctx, channel=_channel(inc), ts=inc.card_ts, text=cards.card_text(inc, ctx.policy),
                         blocks=cards.card(inc, ctx.policy))
    if ts is None:
        return
    async with ctx.finish() as session:
        fresh = await session.get(Incident, inc.id)
        assert fresh is not None
        fresh.card_ts = ts
        enqueue(session, kind="pin_card", incident_id=inc.id, now=ctx.clock.now())
        # the playbook's checklist goes right below the card (bot.services.playbooks)
        enqueue(session, kind="post_checklist", incident_id=inc.id, now=ctx.clock.now(),
                dedupe_key=f"post_checklist:{inc.id}")


async def pin_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    try:
        await ctx.client.pins_add(channel=_channel(inc), timestamp=inc.card_ts)
    except SlackApiError as exc:
        if slack_error(exc) != "already_pinned":
            raise


async def refresh_card(ctx: JobContext) -> None:
    inc = await ctx.incident()
    channel = _channel(inc)
    if not inc.card_ts:
        raise NotReady(f"{inc.key} has no card yet")
    await ctx.client.chat_update(channel=channel, ts=inc.card_ts, text=cards.card_text(inc, ctx.policy),
                                 blocks=cards.card(inc, ctx.policy))


async def post_channel(ctx: JobContext) -> None:
    """A message in the incident's channel, or in `channel` (a user id makes it a DM)."""
    p = ctx.job.payload
    channel = p.get("channel") or _channel(await ctx.incident())
    kwargs: dict[str, Any] = {"channel": channel, "text": p["text"]}
    if p.get("blocks"):
        kwargs["blocks"] = p["blocks"]
    await ctx.client.chat_postMessage(**kwargs)


async def notify_leadership(ctx: JobContext) -> None:
    """The escalation channel gets the summary card as it is now, mentioning the leadership group."""
    escalation = ctx.policy.escalation
    if not escalation.channel:
        log.info("leadership escalation for incident %s: no escalation channel in the policy", ctx.job.incident_id)
        return
    inc = await ctx.incident()
    group = f"<!subteam^{escalation.leadership_group}> " if escalation.leadership_group else ""
    text = (f":rotating_light: {group}Leadership escalation: *{inc.key}* ({ctx.job.payload.get('reason')}) "
            f"· {t.channel(inc.channel_id, inc.channel_name)}")
    blocks = [{"type": "section", "text": cards.mrkdwn(text)}, *cards.card(inc, ctx.policy)]
    await ctx.client.chat_postMessage(channel=escalation.channel, text=text, blocks=blocks)


def _timer(kind: str) -> Callable[[JobContext], Awaitable[None]]:
    async def fire(ctx: JobContext) -> None:
        async with ctx.finish() as session:
            await clocks.fire(kind, session=session, clock=ctx.clock, policy=ctx.policy,
                              incident_id=ctx.job.incident_id, payload=ctx.job.payload)

    fire.__name__ = kind
    return fire


async def post_update(ctx: JobContext) -> None:
    inc = await ctx.incident()
    text, blocks = comms_blocks.update_message(inc, ctx.policy, ctx.job.payload)
    await ctx.client.chat_postMessage(channel=_channel(inc), text=text, blocks=blocks)


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
    """Tell one user something privately: through the command's response_url while it lives,
    else by DM (a response_url expires after 30 minutes and five uses)."""
    p = ctx.job.payload
    url = p.get("response_url")
    if url:
        resp = await AsyncWebhookClient(url).send(text=p["text"], response_type="ephemeral")
        if resp.status_code == 200:
            return
        if resp.status_code == 429 or resp.status_code >= 500:
            raise ConnectionError(f"response_url answered HTTP {resp.status_code}")
    if p.get("user"):
        await ctx.client.chat_postMessage(channel=p["user"], text=p["text"])


async def publish_home(ctx: JobContext) -> None:
    user = ctx.job.payload["user"]
    async with ctx.sessionmaker() as session:
        data = await home.load(session, viewer=user, policy=ctx.policy, now=ctx.clock.now())
    public_url = ctx.settings.public_url if ctx.settings else None
    try:
        await ctx.client.views_publish(user_id=user, view=home_view(data, ctx.policy, public_url))
    except SlackApiError as exc:
        # Slack fetches an image block's URL while publishing and refuses the whole view when it
        # cannot (a wrong PUBLIC_URL, the bot unreachable): show the figures without the chart.
        if not public_url or slack_error(exc) != "invalid_blocks":
            raise
        log.warning("views.publish refused the Home tab with its chart (is PUBLIC_URL=%s reachable from Slack?); "
                    "publishing it without", public_url)
        await ctx.client.views_publish(user_id=user, view=home_view(data, ctx.policy, None))


EFFECTS: dict[str, Callable[[JobContext], Awaitable[None]]] = {
    "create_channel": create_channel,
    "invite": invite,
    "set_topic": set_topic,
    "post_card": post_card,
    "pin_card": pin_card,
    "refresh_card": refresh_card,
    "post_channel": post_channel,
    "post_update": post_update,
    "announce": announce,
    "respond": respond,
    "publish_home": publish_home,
    "notify_leadership": notify_leadership,
    **{kind: _timer(kind) for kind in clocks.TIMER_KINDS},
}

# What a failed job means to a person reading the timeline.
DESCRIPTIONS = {
    "create_channel": "create the incident channel",
    "invite": "invite people to the channel",
    "set_topic": "set the channel topic",
    "post_card": "post the summary card",
    "pin_card": "pin the summary card",
    "refresh_card": "update the summary card",
    "post_channel": "post a message in the channel",
    "post_update": "post an update",
    "announce": "announce the incident",
    "respond": "send a private reply",
    "publish_home": "refresh the Home tab",
    "notify_leadership": "notify leadership",
    "ack_reminder": "remind about the acknowledgement",
    "ack_breach": "escalate the acknowledgement breach",
    "update_reminder": "remind about the update",
    "role_watch": "remind about unfilled roles",
}

from bot.pir_effects import DESCRIPTIONS as _PIR_DESCRIPTIONS  # noqa: E402  (its effects build on this module)
from bot.pir_effects import EFFECTS as _PIR_EFFECTS  # noqa: E402

EFFECTS.update(_PIR_EFFECTS)
DESCRIPTIONS.update(_PIR_DESCRIPTIONS)

from bot.alert_effects import DESCRIPTIONS as _ALERT_D  # noqa: E402
from bot.alert_effects import EFFECTS as _ALERT_E  # noqa: E402

EFFECTS.update(_ALERT_E)
DESCRIPTIONS.update(_ALERT_D)

from bot.comms_effects import DESCRIPTIONS as _COMMS_D  # noqa: E402
from bot.comms_effects import EFFECTS as _COMMS_E  # noqa: E402

EFFECTS.update(_COMMS_E)
DESCRIPTIONS.update(_COMMS_D)

from bot.ops_effects import DESCRIPTIONS as _OPS_DESCRIPTIONS  # noqa: E402
from bot.ops_effects import EFFECTS as _OPS_EFFECTS  # noqa: E402

EFFECTS.update(_OPS_EFFECTS)
DESCRIPTIONS.update(_OPS_DESCRIPTIONS)

from bot.metrics_effects import DESCRIPTIONS as _METRICS_D  # noqa: E402
from bot.metrics_effects import EFFECTS as _METRICS_E  # noqa: E402

EFFECTS.update(_METRICS_E)
DESCRIPTIONS.update(_METRICS_D)
