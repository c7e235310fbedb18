"""Communications: structured updates routed to stakeholders, customer messages drafted from templates
and published by the Communications Manager, and the resolved message the bot asks for after resolve.

Internal updates go to the incident channel, threaded under the incident's announcement, and to the
stakeholder channels the policy routes by severity; a private incident's only to the routes marked
private-safe. Customer messages are ExternalMessage rows: the public status page and the Statuspage
connector show nothing else, and a private incident never gets one. Only the Communications Manager
publishes (the Incident Commander while nobody holds that role).

The resolved-message reminder is a timer like those in bot/clocks: a job per reminder with a
dedupe key naming the incident, the resolution it belongs to and its number; when it fires it checks
the incident again and does nothing once the message is published or skipped, or the incident reopened.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.comms.drafts import Draft, placeholder_values
from bot.core import text as t
from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, InvalidTransition
from bot.core.records import Change, get
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import record
from models import (
    COMPONENT_STATES,
    PUBLIC_STATUSES,
    ExternalMessage,
    Incident,
    IncidentComms,
)

MAX_FIELD = 3000
MAX_MESSAGE = 3000
MAX_PUBLIC_TITLE = 150
NEXT_UPDATE_MAX = timedelta(hours=24)
# what the incident's internal status means for customers
PUBLIC_STATUS_FOR = {"investigating": "investigating", "identified": "identified", "mitigated": "monitoring",
                     "resolved": "resolved", "closed": "resolved"}


def _epoch(dt: datetime) -> int:
    return int(utc(dt).timestamp())


# -- structured updates ------------------------------------------------------------------------

def check_field(value: str | None, field: str, label: str) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > MAX_FIELD:
        raise InvalidInput(f"Keep {label} to {MAX_FIELD} characters.", field=field)
    return value


def next_update_due(now: datetime, after: timedelta | None) -> datetime | None:
    """When the next update is due when one was chosen: `after` from now (None: the cadence decides)."""
    if after is None:
        return None
    if after <= timedelta(0) or after > NEXT_UPDATE_MAX:
        raise InvalidInput("The next update is due between 1 minute and 24 hours from now.", field="next_update")
    return utc(now) + after


def routes_for(policy: Policy, inc: Incident) -> list[str]:
    """The stakeholder channels an update of this incident goes to, by severity; a private incident's
    only to the private-safe ones and a drill's only to those its routes allow (bot/policy/routes.py)."""
    severity = policy.severity(inc.severity).name
    channels: list[str] = []
    for route in policy.comms.routes.values():
        if severity not in route.severities:
            continue
        if policy.route_view(route.channel, private=inc.private, drill=inc.drill) != "full":
            continue
        threaded = inc.announce_channel if not inc.private else None  # it gets the update in the thread
        if route.channel not in channels and route.channel not in (inc.channel_id, threaded):
            channels.append(route.channel)
    return channels


def route_update(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                 payload: dict[str, Any]) -> list[str]:
    """Queue an update beyond the incident channel: under the announcement, and to the stakeholder
    routes. Where it went, for the timeline."""
    sent = []
    if inc.announce_channel and not inc.private:
        enqueue(session, kind="update_thread", incident_id=inc.id, now=now, payload=payload)
        sent.append(inc.announce_channel)
    for channel in routes_for(policy, inc):
        enqueue(session, kind="update_route", incident_id=inc.id, now=now, payload={**payload, "channel": channel})
        sent.append(channel)
    return sent


# -- who may publish ----------------------------------------------------------------------------

def publisher(inc: Incident) -> str | None:
    """Who publishes customer messages: the Communications Manager, or the IC while there is none."""
    return inc.comms_id or inc.commander_id


def require_publisher(inc: Incident, actor: str, what: str = "publish customer messages") -> None:
    if inc.comms_id:
        if actor != inc.comms_id:
            raise InvalidInput(f"Only the Communications Manager of {inc.key} ({{comms}}) can {what}. "
                               "Share your draft with them.", field="message", people={"comms": inc.comms_id})
    elif inc.commander_id is None:
        raise InvalidInput(f"{inc.key} has no Communications Manager and no Incident Commander, so nobody can {what} "
                           "yet: assign one (`/incident role comms @person`).", field="message")
    elif actor != inc.commander_id:
        raise InvalidInput(f"Only the Communications Manager can {what}, and {inc.key} has none, so the Incident "
                           "Commander ({ic}) can. Ask them, or have them make you "
                           "Communications Manager (`/incident role comms @you`).", field="message",
                           people={"ic": inc.commander_id})


def require_public(inc: Incident) -> None:
    if inc.private:
        raise InvalidTransition(f"{inc.key} is private: nothing about it is published to customers, so it "
                                "stays off the status page.")


# -- drafting -----------------------------------------------------------------------------------

async def latest_message(session: AsyncSession, incident_id: int) -> ExternalMessage | None:
    return (await session.execute(
        select(ExternalMessage).where(ExternalMessage.incident_id == incident_id)
        .order_by(ExternalMessage.published_at.desc(), ExternalMessage.id.desc()).limit(1))).scalar_one_or_none()


def parse_template(policy: Policy, raw: str | None) -> str | None:
    """A template key (`refunds_delayed`) or its name (`Refunds delayed`); None when not given."""
    raw = (raw or "").strip()
    if not raw:
        return None
    wanted = raw.lower().replace("-", "_").replace(" ", "_")
    for key, tpl in policy.comms.templates.items():
        if wanted in (key.lower(), tpl.name.lower().replace(" ", "_")):
            return key
    raise InvalidInput("There is no template `{raw}`. Templates: "
                       + ", ".join(f"`{k}` ({tpl.name})" for k, tpl in policy.comms.templates.items()) + ".",
                       field="template", values={"raw": raw[:40]})


async def draft(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                template: str | None = None, status: str | None = None) -> Draft:
    """A customer message pre-filled from the template for the incident's type, the components and
    status last published (or the template's), and the incident's current status."""
    inc = await get(session, incident_id)
    require_public(inc)
    if inc.status == "closed":
        status = "resolved"  # a closed incident's customers can still be told it is over, and only that
    now = utc(clock.now())
    last = await latest_message(session, incident_id)
    key = template or (last.template if last and last.template in policy.comms.templates else None) \
        or policy.comms.template_for(inc.title, inc.surface, inc.incident_type)
    tpl = policy.comms.templates[key]
    status = status or PUBLIC_STATUS_FOR[inc.status]
    if status not in PUBLIC_STATUSES:
        raise InvalidInput(f"A customer message is one of {', '.join(PUBLIC_STATUSES)}.", field="status")
    severity = policy.severity(inc.severity).name
    impact = policy.comms.impact.get(severity, "partial_outage")
    if last is not None and not template:
        components = tuple(k for k in last.components if k in policy.comms.components)
        affected = [s for s in last.components.values() if s != "operational"]
        impact = affected[0] if affected else impact
        title = last.title
    else:
        components = tpl.components
        # in a template's own title, {title} is the incident's title in Slack: the draft is edited before it goes out
        values = placeholder_values(policy, inc, components, now, inc.title)
        title = t.truncate(" ".join(tpl.title.format(**values).split()), MAX_PUBLIC_TITLE)
    text = tpl.text_for(status).format(**placeholder_values(policy, inc, components, now, title))
    assert inc.id is not None
    return Draft(incident_id=inc.id, key=inc.key, template=key, status=status, title=title, components=components,
                 impact=impact, text=t.truncate(text, MAX_MESSAGE), publisher=publisher(inc))


# -- publishing ---------------------------------------------------------------------------------

async def comms_state(session: AsyncSession, incident_id: int) -> IncidentComms:
    row = await session.get(IncidentComms, incident_id, with_for_update=True)
    if row is None:
        row = IncidentComms(incident_id=incident_id)
        session.add(row)
    if row.public_ref is None:
        row.public_ref = secrets.token_hex(5)  # the status page's name for it: numbers would show the gaps
    return row


def _check_message(policy: Policy, status: str, title: str, text: str, components: list[str],
                   impact: str | None) -> tuple[str, str, dict[str, str]]:
    if status not in PUBLIC_STATUSES:
        raise InvalidInput(f"Choose a status: {', '.join(PUBLIC_STATUSES)}.", field="status")
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("Give the message a public title.", field="title")
    if len(title) > MAX_PUBLIC_TITLE:
        raise InvalidInput(f"Keep the public title to {MAX_PUBLIC_TITLE} characters.", field="title")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Write the message customers will read.", field="message")
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(f"Keep the message to {MAX_MESSAGE} characters.", field="message")
    unknown = [c for c in components if c not in policy.comms.components]
    if unknown:
        raise InvalidInput("Unknown component `{name}`.", field="components", values={"name": str(unknown[0])[:40]})
    if not components:
        raise InvalidInput("Choose the affected components.", field="components")
    if status == "resolved":
        return title, text, {c: "operational" for c in components}
    if impact not in COMPONENT_STATES[1:]:
        raise InvalidInput(f"Choose the impact: {', '.join(COMPONENT_STATES[1:])}.", field="impact")
    return title, text, {c: impact for c in components}


async def publish(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                  status: str, title: str, text: str, components: list[str], impact: str | None,
                  template: str | None = None, via: str, sync_statuspage: bool = False) -> ExternalMessage:
    """Publish a customer message: on the status page at once, on Atlassian Statuspage through a job
    when the connector is on; on the timeline and in the incident channel."""
    title, text, states = _check_message(policy, status, title, text, components, impact)
    inc = await get(session, incident_id, for_update=True)
    if inc.status == "closed" and status != "resolved":
        raise InvalidTransition(f"{inc.key} is closed: the only message left to publish is the resolved one.")
    require_public(inc)
    require_publisher(inc, actor)
    now = utc(clock.now())
    msg = ExternalMessage(incident_id=incident_id, kind=status, title=title, components=states, text=text,
                          template=template if template in policy.comms.templates else None, author=actor,
                          published_at=now)
    session.add(msg)
    state = await comms_state(session, incident_id)
    if status == "resolved":
        state.resolved_notice = "published"
    await session.flush()
    assert msg.id is not None
    record(session, inc, now, actor, "customer_message", via, message=msg.id, status=status, components=states,
           title=title, text=text)
    enqueue(session, kind="comms_line", incident_id=incident_id, now=now,
            payload={"line": "published", "message": msg.id})
    if sync_statuspage and not inc.drill:  # a drill practises the message, never publishes it outside
        enqueue(session, kind="statuspage_sync", incident_id=incident_id, now=now, payload={"message": msg.id},
                dedupe_key=f"statuspage:{msg.id}", max_attempts=25)
    return msg


# -- the resolved message ---------------------------------------------------------------------------

async def on_resolve(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """Resolving a public incident asks for the resolved customer message, unless it is out already."""
    if inc.private or inc.drill or inc.resolved_at is None:
        return
    assert inc.id is not None
    state = await comms_state(session, inc.id)
    last = await latest_message(session, inc.id)
    if last is not None and last.kind == "resolved":
        state.resolved_notice = "published"
        return
    state.resolved_notice = "waiting"
    _plan_reminder(session, inc, now, 0, now)


def _plan_reminder(session: AsyncSession, inc: Incident, now: datetime, n: int, due: datetime) -> None:
    assert inc.resolved_at is not None
    resolved = _epoch(inc.resolved_at)
    enqueue(session, kind="resolved_message_reminder", incident_id=inc.id, now=now, due_at=due,
            payload={"resolved": resolved, "n": n}, dedupe_key=f"resolved_message:{inc.id}:{resolved}:{n}")


def reminder_interval(policy: Policy, inc: Incident) -> timedelta | None:
    return policy.comms.resolved_reminder or policy.severity(inc.severity).update_cadence


async def fire_reminder(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                        payload: dict[str, Any]) -> None:
    inc = await get(session, incident_id, for_update=True)
    if inc.status not in ("resolved", "closed") or inc.private or inc.resolved_at is None \
            or _epoch(inc.resolved_at) != payload.get("resolved"):
        return  # reopened, or resolved again since (which planned its own)
    state = await session.get(IncidentComms, incident_id)
    if state is None or state.resolved_notice != "waiting":
        return
    now = utc(clock.now())
    n = int(payload.get("n", 0))
    last = await latest_message(session, incident_id)
    if inc.status == "closed" and last is None:
        return  # closed, and customers were never told anything: there is nothing left to put right
    enqueue(session, kind="comms_line", incident_id=incident_id, now=now,
            payload={"line": "resolved_ask", "first": n == 0, "message": last.id if last else None})
    if n:  # the first ask goes with the resolve on the timeline; the reminders are recorded
        record(session, inc, now, "bot", "resolved_message_reminder", publisher=publisher(inc), n=n)
    interval = reminder_interval(policy, inc)
    if interval:
        _plan_reminder(session, inc, now, n + 1, now + interval)


async def skip_resolved_message(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str,
                                via: str) -> Change:
    """No resolved message: for incidents customers were never told about."""
    inc = await get(session, incident_id, for_update=True)
    require_public(inc)
    state = await comms_state(session, incident_id)
    if state.resolved_notice in ("published", "skipped"):
        return Change(inc, False)
    if inc.status not in ("resolved", "closed"):
        raise InvalidTransition(f"{inc.key} is not resolved: there is no resolved message to skip yet.")
    require_publisher(inc, actor, "skip the resolved message")
    if await latest_message(session, incident_id) is not None:
        raise InvalidTransition(f"Customers were told about {inc.key}, so the status page still shows it: publish "
                                "the resolved message to close it there.")
    now = utc(clock.now())
    state.resolved_notice = "skipped"
    record(session, inc, now, actor, "resolved_message_skipped", via)
    enqueue(session, kind="comms_line", incident_id=incident_id, now=now, payload={"line": "skipped", "actor": actor})
    return Change(inc, True)
