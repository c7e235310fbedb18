"""Job kinds that call the pagers: page (trigger), acknowledge, resolve, escalate, look up who is on call,
and answer `/incident oncall`. Each reads the page as it is now; a pager's refusal (4xx) fails the job
for good with the pager's words (the worker records it, and tells the channel and the IC at once), a 429
waits, a 5xx or a dropped connection is retried.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import utc
from bot.jobs.context import ClaimedJob, GaveUp, JobContext, enqueue, reply_privately, slack_error
from bot.paging import blocks as views
from bot.paging import service as paging
from bot.paging.http import PagerRefused, PagerUnavailable
from bot.paging.opsgenie import OpsgenieApi
from bot.paging.pagerduty import PagerDutyApi, PagerDutyEvents, Person
from bot.paging.payloads import og_alert, pd_event
from bot.policy.paging import PageRoute
from bot.timeline.facts import announce, record
from models import Incident, Page

log = logging.getLogger(__name__)


def _settings(ctx: JobContext) -> Settings:
    if ctx.settings is None:
        raise GaveUp("the worker has no settings to reach the pager with")
    return ctx.settings


async def _page(ctx: JobContext) -> tuple[Incident, Page, PageRoute] | None:
    """The incident, its page and its route; None when the job no longer applies (re-triggered since)."""
    inc = await ctx.incident()
    async with ctx.sessionmaker() as session:
        page = await session.get(Page, inc.id)
    if page is None:
        return None
    trigger = ctx.job.payload.get("trigger")
    if trigger is not None and trigger != page.triggers:
        return None
    route = ctx.policy.paging.routes.get(page.route)
    if route is None or route.pager != page.pager:
        raise GaveUp(f"the policy has no [paging.routes.{page.route}] for {page.pager} any more")
    return inc, page, route


def _opsgenie(settings: Settings) -> OpsgenieApi:
    if not settings.opsgenie_api_key:
        raise GaveUp("Opsgenie is not set up: set OPSGENIE_API_KEY (an API integration's key)")
    return OpsgenieApi(settings.opsgenie_api_url, settings.opsgenie_api_key)


def _pd_api(settings: Settings) -> PagerDutyApi | None:
    if not settings.pagerduty_api_token:
        return None
    return PagerDutyApi(settings.pagerduty_api_url, settings.pagerduty_api_token, settings.pagerduty_from_email)


async def _told(ctx: JobContext, inc: Incident, page: Page, action: str, **values: Any) -> None:
    async with ctx.finish() as session:
        record(session, inc, utc(ctx.clock.now()), "bot", "pager_updated", "system", pager=page.pager,
               service=page.service, action=action, **values)


async def page_trigger(ctx: JobContext) -> None:
    found = await _page(ctx)
    if found is None:
        return
    inc, page, route = found
    if page.status not in ("pending", "acknowledged"):  # resolved before the page went out: nothing to wake
        return
    settings = _settings(ctx)
    try:
        if page.pager == "pagerduty":
            await PagerDutyEvents(settings.pagerduty_events_url).send(pd_event("trigger", page, route, inc, ctx.policy))
        else:
            api = _opsgenie(settings)
            outcome = await api.outcome(await api.create(og_alert(page, route, inc, ctx.policy)))
            if outcome is not None and not outcome[0]:  # accepted, then refused when Opsgenie processed it
                raise PagerRefused(f"Opsgenie did not create the alert: {outcome[1]}")
    except PagerRefused as exc:
        raise GaveUp(str(exc)) from None
    now = utc(ctx.clock.now())
    async with ctx.finish() as session:
        fresh = await session.get(Page, inc.id, with_for_update=True)
        assert fresh is not None
        if fresh.status == "pending":
            fresh.status = "triggered"
        fresh.triggered_at, fresh.error, fresh.updated_at = now, None, now
        sev, rules = ctx.policy.severity(inc.severity).name, ctx.policy.paging
        level = rules.pd_severity(sev) if page.pager == "pagerduty" else rules.og_priority(sev)
        fact = record(session, inc, now, "bot", "paged", "system", pager=page.pager, service=page.service,
                      route=page.route, key=page.dedup_key, trigger=page.triggers, level=level)
        announce(session, inc, now, fact, topic=False)  # the card redrawn, and a line in the channel
        enqueue(session, kind="oncall_lookup", incident_id=inc.id, now=now, payload={})


async def page_failed(session: AsyncSession, job: ClaimedJob, error: str, now: datetime) -> None:
    """The page could not go out: the card says so, with the pager's words."""
    page = await session.get(Page, job.incident_id, with_for_update=True)
    if page is not None and page.triggers == job.payload.get("trigger", page.triggers):
        page.status, page.error, page.updated_at = "failed", error[:2000], now


async def page_acknowledge(ctx: JobContext) -> None:
    found = await _page(ctx)
    if found is None:
        return
    inc, page, route = found
    settings = _settings(ctx)
    try:
        if page.pager == "pagerduty":
            await PagerDutyEvents(settings.pagerduty_events_url).send(pd_event("acknowledge", page, route, inc,
                                                                                ctx.policy))
        else:
            await _opsgenie(settings).act(page.dedup_key, "acknowledge",
                                          {"note": f"Acknowledged in Slack ({inc.key})"})
    except PagerRefused as exc:
        raise GaveUp(str(exc)) from None
    await _told(ctx, inc, page, "acknowledge")


async def page_resolve(ctx: JobContext) -> None:
    found = await _page(ctx)
    if found is None:
        return
    inc, page, route = found
    settings = _settings(ctx)
    try:
        if page.pager == "pagerduty":
            await PagerDutyEvents(settings.pagerduty_events_url).send(pd_event("resolve", page, route, inc, ctx.policy))
        else:
            await _opsgenie(settings).act(page.dedup_key, "close", {"note": f"Resolved in Slack ({inc.key})"})
    except PagerRefused as exc:
        raise GaveUp(str(exc)) from None
    await _told(ctx, inc, page, "resolve")


async def page_escalate(ctx: JobContext) -> None:
    found = await _page(ctx)
    if found is None:
        return
    inc, page, route = found
    if page.status not in ("pending", "triggered") or inc.acknowledged_at is not None:
        return  # acknowledged meanwhile
    settings = _settings(ctx)
    level = int(ctx.job.payload["level"])
    try:
        if page.pager == "pagerduty":
            api = _pd_api(settings)
            if api is None:
                raise GaveUp("escalating in PagerDuty needs its REST API: set PAGERDUTY_API_TOKEN and "
                             "PAGERDUTY_FROM_EMAIL")
            remote = page.remote_id
            if remote is None:
                found_incident = await api.incident_of(page.dedup_key)
                if found_incident is None:
                    raise PagerUnavailable(f"PagerDuty has no incident for {page.dedup_key} yet")
                remote = str(found_incident["id"])
            await api.escalate(remote, level)
        else:
            if not route.escalation:
                log.info("%s: route %s names no Opsgenie escalation; not escalating", inc.key, page.route)
                return
            await _opsgenie(settings).act(page.dedup_key, "escalate",
                                          {"escalation": {"name": route.escalation, "type": "escalation"},
                                           "note": f"Acknowledgement SLA breached ({inc.key})"})
    except PagerRefused as exc:
        raise GaveUp(str(exc)) from None
    await _told(ctx, inc, page, "escalate", level=level)


async def ask_pager(settings: Settings, route: PageRoute) -> Person | None:
    """Who is on call for the route now; None when the route says no schedule or policy to ask."""
    if route.pager == "pagerduty":
        api = _pd_api(settings)
        if api is None or not route.escalation_policy:
            return None
        return await api.oncall(route.escalation_policy)
    if not route.schedule or not settings.opsgenie_api_key:
        return None
    return await _opsgenie(settings).oncall(route.schedule)


async def slack_user(ctx: JobContext, email: str | None) -> str | None:
    """The Slack user with this email (users.lookupByEmail, scope users:read.email), or None."""
    if not email:
        return None
    try:
        resp = await ctx.client.users_lookupByEmail(email=email)
    except SlackApiError as exc:
        if slack_error(exc) == "users_not_found":
            return None
        raise
    return str((resp.get("user") or {}).get("id") or "") or None


async def oncall_lookup(ctx: JobContext) -> None:
    """The on-call person: named by the job (a reassignment), or asked of the route's pager."""
    found = await _page(ctx)
    if found is None:
        return
    inc, page, route = found
    p = ctx.job.payload
    settings = _settings(ctx)
    person: Person | None = None
    try:
        if p.get("email"):
            person = Person(p.get("name"), p["email"], p.get("pager_id"))
        elif p.get("pager_id") and page.pager == "pagerduty" and _pd_api(settings) is not None:
            api = _pd_api(settings)
            assert api is not None
            person = await api.user(str(p["pager_id"]))
        elif not p.get("pager_id"):
            person = await ask_pager(settings, route)
    except PagerRefused as exc:
        raise GaveUp(str(exc)) from None
    if person is None:
        return
    user = await slack_user(ctx, person.email)
    async with ctx.finish() as session:
        await paging.set_oncall(session=session, clock=ctx.clock, incident_id=inc.id, name=person.name,
                                email=person.email, pager_id=person.pager_id, slack_user=user,
                                replace=bool(p.get("replace")))


async def oncall_report(ctx: JobContext) -> None:
    """`/incident oncall`: who is on call for each route now, privately to whoever asked."""
    settings = _settings(ctx)
    rows: list[views.OnCallRow] = []
    for name, route in ctx.policy.paging.routes.items():
        try:
            person = await ask_pager(settings, route)
        except PagerRefused as exc:
            rows.append(views.OnCallRow(name, route, None, None, str(exc)))
            continue
        except PagerUnavailable as exc:
            rows.append(views.OnCallRow(name, route, None, None, str(exc)))
            continue
        user = await slack_user(ctx, person.email) if person else None
        rows.append(views.OnCallRow(name, route, person, user, None))
    await reply_privately(ctx, ctx.job.payload["reply"], views.oncall_report(rows, ctx.policy))
