"""Job kinds for communications: an update in the incident channel, in the announcement's thread and in
stakeholder channels; what customer messages say in the channel; the resolved-message reminder; and
syncing published messages to Atlassian Statuspage.

The Statuspage sync sends every message published since the last one it sent, in order, recording its
progress after each, so a retry after a failure (or a later message's job) resumes where it stopped and
nothing published is lost. A lease on the incident's row lets one worker at a time do it, so replicas
never create the incident twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from bot.comms import blocks as views
from bot.comms import service as comms
from bot.comms.statuspage.client import (
    StatuspageClient,
    StatuspageRefused,
    incident_body,
    worst,
)
from bot.comms.statuspage.state import page_state
from bot.config import Settings
from bot.core.clock import utc
from bot.jobs.context import GaveUp, JobContext, NotReady, channel_of
from bot.timeline.facts import record
from models import ExternalMessage, Incident, IncidentComms

log = logging.getLogger(__name__)
SYNC_LEASE = timedelta(minutes=2)


async def post_update(ctx: JobContext) -> None:
    """The update in the incident channel."""
    inc = await ctx.incident()
    text, blocks = views.update_message(inc, ctx.policy, ctx.job.payload)
    await ctx.post(channel_of(inc), text, blocks)


async def update_thread(ctx: JobContext) -> None:
    """The update as a reply to the incident's announcement, so followers of the announcement see it."""
    inc = await ctx.incident()
    if not inc.announce_channel or inc.private:
        return
    if not inc.announce_ts:
        raise NotReady(f"{inc.key} is not announced yet")
    text, blocks = views.update_message(inc, ctx.policy, ctx.job.payload, where="thread")
    await ctx.post(inc.announce_channel, text, blocks, thread_ts=inc.announce_ts, join=True)


async def update_route(ctx: JobContext) -> None:
    """The update in a stakeholder channel the policy routes this severity to."""
    inc = await ctx.incident()
    text, blocks = views.update_message(inc, ctx.policy, ctx.job.payload, where="route")
    # a public stakeholder channel the bot was never added to is joined, then posted in
    await ctx.post(ctx.job.payload["channel"], text, blocks, join=True)


async def comms_line(ctx: JobContext) -> None:
    """What communications say in the incident channel: a customer message published, the resolved
    message asked for (again) or skipped."""
    inc = await ctx.incident()
    p = ctx.job.payload
    message = None
    if p.get("message"):
        async with ctx.sessionmaker() as session:
            message = await session.get(ExternalMessage, int(p["message"]))
    blocks = None
    if p["line"] == "published":
        if message is None:
            raise GaveUp(f"customer message {p.get('message')} no longer exists")
        text = views.published_line(inc, ctx.policy, message)
    elif p["line"] == "resolved_ask":
        text, blocks = views.resolved_ask(inc, comms.publisher(inc), message, first=bool(p.get("first")))
    else:
        text = views.skipped_line(inc, p.get("actor"))
    await ctx.post(channel_of(inc), text, blocks)


async def resolved_message_reminder(ctx: JobContext) -> None:
    async with ctx.finish() as session:
        await comms.fire_reminder(session=session, clock=ctx.clock, policy=ctx.policy,
                                  incident_id=ctx.job.incident_id, payload=ctx.job.payload)


async def _take_lease(ctx: JobContext, incident_id: int) -> bool:
    """One worker at a time sends an incident's messages, so two replicas never create two Statuspage
    incidents for it; a lease a dead worker left runs out."""
    now = utc(ctx.clock.now())
    async with ctx.sessionmaker() as session, session.begin():
        taken = await session.execute(
            update(IncidentComms)
            .where(IncidentComms.incident_id == incident_id,
                   or_(IncidentComms.statuspage_lease_until.is_(None), IncidentComms.statuspage_lease_until <= now))
            .values(statuspage_lease_until=now + SYNC_LEASE).execution_options(synchronize_session=False))
    return taken.rowcount == 1


async def _release_lease(ctx: JobContext, incident_id: int) -> None:
    async with ctx.sessionmaker() as session, session.begin():
        await session.execute(update(IncidentComms).where(IncidentComms.incident_id == incident_id)
                              .values(statuspage_lease_until=None).execution_options(synchronize_session=False))


async def statuspage_sync(ctx: JobContext) -> None:
    settings = ctx.settings
    if settings is None or not settings.statuspage_enabled:
        log.info("statuspage sync for incident %s: the connector is off", ctx.job.incident_id)
        return
    incident_id = ctx.job.incident_id
    assert incident_id is not None
    if not await _take_lease(ctx, incident_id):
        raise NotReady("another worker is sending this incident's messages to Statuspage")
    try:
        await _sync(ctx, settings, incident_id, int(ctx.job.payload["message"]))
    finally:
        await _release_lease(ctx, incident_id)


async def _sync(ctx: JobContext, settings: Settings, incident_id: int, upto: int) -> None:
    assert settings.statuspage_page_id and settings.statuspage_api_key
    async with ctx.sessionmaker() as session:
        state = await session.get(IncidentComms, incident_id)
        synced = (state.statuspage_synced_id if state else None) or 0
        remote = state.statuspage_incident_id if state else None
        sent = list((await session.execute(
            select(ExternalMessage).where(ExternalMessage.incident_id == incident_id)
            .order_by(ExternalMessage.id))).scalars())
        # the state other incidents give each component: a shared component shows the worst
        page = await page_state(session, ctx.policy, ctx.clock.now())
    pending = [m for m in sent if synced < (m.id or 0) <= upto]
    if not pending:
        return
    others: dict[str, list[str]] = {}
    for other in page.active:
        if other.incident_id != incident_id:
            for key, state_ in other.states.items():
                others.setdefault(key, []).append(state_)
    ids = {k: c.statuspage_id for k, c in ctx.policy.comms.components.items() if c.statuspage_id}
    api = StatuspageClient(settings.statuspage_api_url, settings.statuspage_page_id, settings.statuspage_api_key)
    touched: set[str] = {k for m in sent if (m.id or 0) <= synced for k in m.components}
    for msg in pending:
        touched |= set(msg.components)
        states = {k: worst([msg.components.get(k, "operational"), *others.get(k, [])]) for k in sorted(touched)}
        body = incident_body(msg, ids, states)
        try:
            if remote is None:
                remote = await api.create_incident(body)
            else:
                await api.update_incident(remote, body)
        except StatuspageRefused as exc:
            raise GaveUp(str(exc)) from None
        async with ctx.sessionmaker() as session, session.begin():
            row = await session.get(IncidentComms, incident_id, with_for_update=True)
            assert row is not None
            row.statuspage_incident_id, row.statuspage_synced_id = remote, msg.id
            row.statuspage_lease_until = utc(ctx.clock.now()) + SYNC_LEASE
            inc = await session.get(Incident, incident_id)
            assert inc is not None
            record(session, inc, utc(ctx.clock.now()), "bot", "statuspage_synced", message=msg.id,
                   statuspage_incident=remote, status=msg.kind)
