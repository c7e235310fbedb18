"""Incident state changes: declare, severity, status, roles, updates, resolve, membership, listing.

Each function runs in the caller's transaction and writes the change, its timeline fact and the
effects it needs (as jobs) together; the caller commits once. Effects render the incident as it is
when they run, so a card refresh queued behind another change still shows the latest state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clocks import service as clocks
from bot.comms import service as comms
from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, NotFound, NotInIncidentChannel
from bot.core.records import Change, add_member, get, require_open
from bot.drills import report as drills
from bot.impact import service as impact_service
from bot.incidents import permissions
from bot.jobs.table import enqueue
from bot.paging import plan as paging
from bot.pir import review as pir
from bot.playbooks import service as playbooks
from bot.policy import Policy
from bot.timeline.facts import announce, record
from models import (
    MAX_SURFACE,
    MAX_TITLE,
    MAX_UPDATE,
    OPEN_STATUSES,
    ROLES,
    SETTABLE_STATUSES,
    SOURCES,
    Counter,
    Incident,
    IncidentMember,
    TimelineEvent,
)

# -- lookups -----------------------------------------------------------------

async def get_by_number(session: AsyncSession, number: int) -> Incident:
    inc = (await session.execute(select(Incident).where(Incident.number == number))).scalar_one_or_none()
    if inc is None:
        raise NotFound(f"There is no INC-{number}.")
    return inc


async def for_channel(session: AsyncSession, channel_id: str | None) -> Incident:
    inc = None
    if channel_id:
        inc = (await session.execute(select(Incident).where(Incident.channel_id == channel_id))).scalar_one_or_none()
    if inc is None:
        raise NotInIncidentChannel(
            "This works only inside an incident channel. Run it in the incident's channel, "
            "or `/incident list` to find it.")
    return inc


async def list_open(session: AsyncSession, *, viewer: str) -> list[Incident]:
    """Open incidents, newest first; a private one only when the viewer is in its channel."""
    member = select(IncidentMember.incident_id).where(IncidentMember.user_id == viewer)
    rows = await session.execute(
        select(Incident)
        .where(Incident.status.in_(OPEN_STATUSES), or_(Incident.private.is_(False), Incident.id.in_(member)))
        .order_by(Incident.number.desc())
    )
    return list(rows.scalars())


async def timeline(session: AsyncSession, incident_id: int) -> list[TimelineEvent]:
    rows = await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
                                 .order_by(TimelineEvent.at, TimelineEvent.id))
    return list(rows.scalars())


# -- parsing helpers shared by commands and modals ----------------------------------

def parse_severity(raw: str, policy: Policy) -> int | None:
    """`sev1`, `SEV-1`, `sev-1`, `1` → 1; anything else → None."""
    s = raw.strip().lower().replace("sev-", "").replace("sev", "").strip()
    if s.isdigit() and int(s) in policy.levels:
        return int(s)
    return None


def severity_forms(policy: Policy) -> str:
    n = policy.levels[0]
    return f"`sev{n}`, `SEV-{n}`, `sev-{n}` or `{n}` (levels {policy.levels[0]}–{policy.levels[-1]})"


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("Give the incident a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Keep the title to {MAX_TITLE} characters (this one has {len(title)}).", field="title")
    return title


def check_severity(severity: int | None, policy: Policy) -> int:
    if severity is None or severity not in policy.levels:
        raise InvalidInput("Choose a severity.", field="severity")
    return severity


# -- internals --------------------------------------------------------------------------

def _counter_upsert(insert: Any) -> Any:
    table = Counter.__table__
    return (insert(table).values(name="incident", value=1)
            .on_conflict_do_update(index_elements=["name"], set_={"value": table.c.value + 1})
            .returning(table.c.value))


_NEXT_NUMBER = {"postgresql": _counter_upsert(postgresql.insert), "sqlite": _counter_upsert(sqlite.insert)}


async def _next_number(session: AsyncSession) -> int:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (await session.execute(_NEXT_NUMBER["postgresql" if dialect == "postgresql" else "sqlite"])).scalar_one()


# -- the changes ---------------------------------------------------------------------------

async def declare(
    *,
    session: AsyncSession,
    clock: Clock,
    policy: Policy,
    title: str,
    severity: int | None,
    declared_by: str,
    source: str = "internal",
    surface: str | None = None,
    commander_id: str | None = None,
    private: bool = False,
    regulatory: bool = False,
    started_at: datetime | None = None,
    announce_channel: str | None = None,
    reply: dict[str, str] | None = None,
    tell_declarer: bool = False,
    incident_type: str | None = None,
    drill: bool = False,
    clock_speed: int = 1,
    hints: tuple[str, ...] = (),
    impact: dict[str, Any] | None = None,
    via: str = "command",
    number: int | None = None,
) -> Incident:
    """Create the incident now; its channel, card and announcement follow as jobs. `reply` says where
    to tell the declarer the channel is ready (a response_url, or a DM when it has expired);
    `tell_declarer` also sends word at once, for when no ack can carry it (a modal closes silently).
    `started_at` starts the acknowledgement clock earlier than now (an alert's start). `incident_type`
    picks the playbook (guessed from the title when not given); a `drill` is a game day whose clocks
    may run `clock_speed` times faster. `hints` (an alert's label values) help guess the type. `impact`
    holds the impact fields the declare form gave (bot/impact). `number`: one the intake took for it
    already (bot/intake), else the next."""
    title = check_title(title)
    severity = check_severity(severity, policy)
    if source not in SOURCES:
        raise InvalidInput("Unknown detection source `{source}`.", field="source", values={"source": source[:40]})
    surface = " ".join((surface or "").split()) or None
    if surface and len(surface) > MAX_SURFACE:
        raise InvalidInput(f"Keep the payment surface to {MAX_SURFACE} characters.", field="surface")
    kind = playbooks.incident_type(policy, incident_type, title, surface, hints)
    now = utc(clock.now())
    commander_id = commander_id or declared_by
    number = number or await _next_number(session)
    # id = number: the rows below can point at the incident before it is flushed, so the whole
    # declaration is written in one batch at commit.
    inc = Incident(
        id=number, number=number, title=title, severity=severity, source=source, surface=surface,
        private=private, regulatory=regulatory, declared_by=declared_by, commander_id=commander_id,
        created_at=now, updated_at=now,
        announce_channel=announce_channel if announce_channel and policy.route_view(
            announce_channel, private=private, drill=drill) == "full" else None,
        ack_started_at=min(utc(started_at), now) if started_at else now,
        incident_type=kind, drill=drill, clock_speed=max(1, clock_speed),
    )
    session.add(inc)
    assert inc.id is not None
    session.add_all(IncidentMember(incident_id=inc.id, user_id=uid) for uid in sorted({declared_by, commander_id}))
    record(session, inc, now, declared_by, "declared", via, severity=severity, title=title, source=source,
           surface=surface, private=private, commander=commander_id, type=kind, drill=drill)
    implied = policy.regulatory.types.get(kind) or {}
    if impact or implied:  # what the form gave, then what the incident type implies (bot/impact)
        await impact_service.prefill(session, policy, inc, now, given={**implied, **(impact or {})},
                                     actor=declared_by, via=via)
    reply = reply or {"user": declared_by}
    if tell_declarer:
        enqueue(session, kind="respond", incident_id=inc.id, now=now, payload={**reply, "notice": "declared"})
    enqueue(session, kind="create_channel", incident_id=inc.id, now=now, payload={"reply": reply},
            max_attempts=20)
    # after the channel job, so an escalation that runs right away can already link the channel
    await clocks.on_declare(session, policy, inc, now, actor=declared_by, via=via)
    if not drill:  # a game day pages nobody
        await paging.on_severity(session, policy, inc, now)
    return inc


async def change_severity(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                          severity: int | None, actor: str, via: str) -> Change:
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    severity = check_severity(severity, policy)
    if severity == inc.severity:
        return Change(inc, False)
    now = utc(clock.now())
    old = policy.severity(inc.severity).name
    new = policy.severity(severity).name
    raised = severity < inc.severity
    inc.severity, inc.updated_at = severity, now
    fact = record(session, inc, now, actor, "severity_changed", via, **{"from": old, "to": new})
    await clocks.on_severity(session, policy, inc, now, raised=raised, actor=actor, via=via)
    if raised and not inc.drill:
        await paging.on_severity(session, policy, inc, now)
    announce(session, inc, now, fact, topic=True)
    return Change(inc, True)


async def change_status(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                        status: str, actor: str, via: str) -> Change:
    status = status.strip().lower()
    if status not in SETTABLE_STATUSES:
        raise InvalidInput(f"Status is one of {', '.join(SETTABLE_STATUSES)}.", field="status")
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if status == inc.status:
        return Change(inc, False)
    now = utc(clock.now())
    old = inc.status
    inc.status, inc.updated_at = status, now
    if status == "mitigated" and inc.mitigated_at is None:
        inc.mitigated_at = now
    if status == "resolved":
        inc.resolved_at = now
        clocks.on_resolve(inc)
        await pir.on_resolve(session, policy, inc, now)
        await drills.on_resolve(session, policy, inc, now)
        await comms.on_resolve(session, policy, inc, now)
        await paging.on_resolved(session, inc, now, via=via)
        kind = "resolved"
    elif old == "resolved":
        inc.resolved_at = None
        await clocks.on_update(session, policy, inc, now)  # reopening restarts the cadence
        if not inc.drill:
            await paging.on_reopened(session, policy, inc, now)  # and pages again
        kind = "reopened"
    else:
        kind = "status_changed"
    fact = record(session, inc, now, actor, kind, via, **{"from": old, "to": status})
    announce(session, inc, now, fact, topic=True)
    return Change(inc, True)


async def resolve(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                  via: str) -> Change:
    return await change_status(session=session, clock=clock, policy=policy, incident_id=incident_id,
                               status="resolved", actor=actor, via=via)


async def assign_role(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, role: str,
                      user_id: str | None, actor: str, via: str) -> Change:
    """Who may assign what is the policy's (bot/incidents/permissions.py); a refusal changes nothing.
    Whoever held the role before hears that it has passed on."""
    (change,) = await assign_roles(session=session, clock=clock, policy=policy, incident_id=incident_id,
                                   roles={role: user_id}, actor=actor, via=via)
    return change


async def assign_roles(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                       roles: dict[str, str | None], actor: str, via: str) -> list[Change]:
    """Roles as the roles form (or a command, or a button) leaves them, in one transaction. Every change is
    checked against the incident as it was before any of them, so an IC who hands the role on in the form
    still fills the others; one refusal changes nothing."""
    for role in roles:
        if role not in ROLES:
            raise InvalidInput(f"Role is one of {', '.join(ROLES)}.", field=role)
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    wanted = {role: user for role, user in roles.items() if inc.role_holder(role) != user}
    for role, user in wanted.items():
        await permissions.check_assign(session, policy, inc, actor=actor, role=role, user=user)
    now = utc(clock.now())
    for role, user in wanted.items():
        column, _ = ROLES[role]
        old = getattr(inc, column)
        setattr(inc, column, user)
        inc.updated_at = now
        if user:
            await add_member(session, incident_id, user)
            enqueue(session, kind="invite", incident_id=incident_id, now=now, payload={"users": [user]})
        fact = record(session, inc, now, actor, "role_assigned", via, **{"role": role, "from": old, "to": user})
        announce(session, inc, now, fact, topic=(role == "ic"))
        if old and old != actor:
            enqueue(session, kind="role_handover", incident_id=incident_id, now=now,
                    payload={"role": role, "from": old, "to": user, "actor": actor})
    return [Change(inc, role in wanted) for role in roles]


async def post_update(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                      text: str, next_steps: str | None = None, status: str | None = None,
                      impact: str | None = None, actions: str | None = None, next_update: timedelta | None = None,
                      via: str) -> Incident:
    """A structured update: what changed, customer impact, actions taken, next steps, and when the next
    one is due (the cadence unless chosen). Posted in the incident channel, under the announcement,
    and to the stakeholder channels the policy routes this severity to."""
    body = (text or "").strip()
    if not body:
        raise InvalidInput("Write what changed.", field="text")
    if len(body) > MAX_UPDATE:
        raise InvalidInput(f"Keep an update to {MAX_UPDATE} characters.", field="text")
    steps = comms.check_field(next_steps, "next_steps", "next steps")
    impact = comms.check_field(impact, "impact", "the customer impact")
    actions = comms.check_field(actions, "actions", "the actions taken")
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    now = utc(clock.now())
    next_due = comms.next_update_due(now, next_update)
    if status and status != inc.status:
        await change_status(session=session, clock=clock, policy=policy, incident_id=incident_id,
                            status=status, actor=actor, via=via)
    inc.last_update_at = inc.updated_at = now
    await clocks.on_update(session, policy, inc, now, next_due)
    due = inc.update_due_at
    payload = {"actor": actor, "text": body, "impact": impact, "actions": actions, "next_steps": steps,
               "status": inc.status, "next_update": int(due.timestamp()) if due else None,
               "payment_impact": await impact_service.current(session, incident_id)}
    enqueue(session, kind="post_update", incident_id=incident_id, now=now, payload=payload)
    routed = comms.route_update(session, policy, inc, now, payload)
    record(session, inc, now, actor, "update", via, text=body, next_steps=steps, status=inc.status, impact=impact,
           actions=actions, next_update=due.isoformat() if due else None, routed_to=routed)
    enqueue(session, kind="refresh_card", incident_id=incident_id, now=now)
    return inc


async def record_membership(*, session: AsyncSession, channel_id: str, user_id: str, joined: bool) -> None:
    """Follow member_joined_channel / member_left_channel so private listings match the channel."""
    inc = (await session.execute(select(Incident).where(Incident.channel_id == channel_id))).scalar_one_or_none()
    if inc is None or inc.id is None:
        return
    if joined:
        await add_member(session, inc.id, user_id)
    else:
        await session.execute(delete(IncidentMember).where(IncidentMember.incident_id == inc.id,
                                                           IncidentMember.user_id == user_id))
