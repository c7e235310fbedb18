"""The incident's clocks: acknowledgement SLA, update cadence, role watch, leadership escalation.

Every timer is a job with a dedupe key that names what it is for (the incident, the severity it
was planned under, the due time), so planning the same timer twice adds one job, and a restart,
a crash or a second replica never makes a second reminder. Timers are never deleted: when one
comes due it checks the incident as it is now and does nothing if it no longer applies (the
incident was acknowledged, updated, snoozed, resolved, or changed severity, which planned a new
timer). A timer that came due while the bot was down fires once, late; the cadence then
continues from now.

What the clocks say in Slack is bot/clocks/blocks.py; the messages are `clock_message` jobs that carry
the figures (how long, whom to ping) and are worded when they are posted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, InvalidTransition, NotFound
from bot.core.records import Change, add_member, get, require_open
from bot.jobs.table import enqueue
from bot.paging import plan as paging
from bot.policy import Policy
from bot.policy.severities import Severity
from bot.timeline.facts import announce, record
from models import PAGERS, Incident

SNOOZE_MINUTES = (15, 30, 60)
WATCHED_ROLES = ("ic", "tl", "comms")


def clock_severity(policy: Policy, inc: Incident) -> Severity:
    """The incident's severity with its clocks; a drill may run them `clock_speed` times faster."""
    sev = policy.severity(inc.severity)
    speed = inc.clock_speed or 1
    if speed <= 1:
        return sev
    fields = ("ack_sla", "ack_breach", "update_cadence", "role_watch")
    return sev.model_copy(update={f: getattr(sev, f) / speed for f in fields if getattr(sev, f) is not None})


def _epoch(dt: datetime) -> int:
    return int(utc(dt).timestamp())


def _seconds(td: timedelta) -> int:
    return max(0, int(td.total_seconds()))


# -- planning -----------------------------------------------------------------------------------

async def _plan_ack(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """Reminder and breach at the thresholds of the incident's current severity, counted from the
    start of the ack clock; a threshold already past fires at once."""
    if inc.acknowledged_at is not None or inc.ack_started_at is None:
        return
    sev = clock_severity(policy, inc)
    start = utc(inc.ack_started_at)
    for kind, after in (("ack_reminder", sev.ack_sla), ("ack_breach", sev.ack_breach)):
        if after is not None:
            enqueue(session, kind=kind, incident_id=inc.id, now=now, due_at=max(start + after, now),
                    payload={"severity": inc.severity}, dedupe_key=f"{kind}:{inc.id}:sev{inc.severity}")


async def _plan_update(session: AsyncSession, inc: Incident, now: datetime, due: datetime | None) -> None:
    inc.update_due_at = due
    if due is not None:
        enqueue(session, kind="update_reminder", incident_id=inc.id, now=now, due_at=due,
                payload={"due": _epoch(due)}, dedupe_key=f"update_reminder:{inc.id}:{_epoch(due)}")


async def _plan_role_watch(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    delay = clock_severity(policy, inc).role_watch
    if delay is not None:
        enqueue(session, kind="role_watch", incident_id=inc.id, now=now,
                due_at=max(utc(inc.created_at) + delay, now), dedupe_key=f"role_watch:{inc.id}")


async def _escalate(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *, reason: str,
                    trigger: str | None, actor: str, via: str) -> None:
    """Leadership hears about an incident once per reason, with the summary card. The reasons
    already escalated are kept on the (locked) incident row; the job's key backs that up.
    `reason` is `sev<level>` or `regulatory`; `trigger` says how a severity got there (declared, raised)."""
    done = inc.escalated_for or []
    if reason not in done:
        inc.escalated_for = [*done, reason]
        why = {"reason": reason, "trigger": trigger, "severity": policy.severity(inc.severity).name}
        enqueue(session, kind="notify_leadership", incident_id=inc.id, now=now, payload=why,
                dedupe_key=f"leadership:{inc.id}:{reason}")
        channel = policy.escalation.channel
        held = bool(channel) and policy.route_view(channel, private=inc.private, drill=inc.drill) == "held"
        record(session, inc, now, actor, "leadership_escalation", via, channel=channel, held=held, **why)


async def on_declare(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *, actor: str,
                     via: str) -> None:
    sev = clock_severity(policy, inc)
    inc.ack_started_at = inc.ack_started_at or inc.created_at
    await _plan_ack(session, policy, inc, now)
    await _plan_update(session, inc, now, now + sev.update_cadence if sev.update_cadence else None)
    await _plan_role_watch(session, policy, inc, now)
    if sev.escalate == "declaration":
        await _escalate(session, policy, inc, now, reason=f"sev{inc.severity}", trigger="declared", actor=actor,
                        via=via)
    if inc.regulatory:
        await _escalate(session, policy, inc, now, reason="regulatory", trigger=None, actor=actor, via=via)


async def on_severity(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *, raised: bool,
                      actor: str, via: str) -> None:
    """Re-plan every clock at the new severity at once."""
    sev = clock_severity(policy, inc)
    await _plan_ack(session, policy, inc, now)
    if inc.is_open:
        due = None
        if sev.update_cadence is not None:
            base = utc(inc.last_update_at or inc.created_at)
            due = max(base + sev.update_cadence, now)
        await _plan_update(session, inc, now, due)
    await _plan_role_watch(session, policy, inc, now)
    if raised and sev.escalate == "declaration":
        await _escalate(session, policy, inc, now, reason=f"sev{inc.severity}", trigger="raised", actor=actor,
                        via=via)


async def on_update(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                    next_due: datetime | None = None) -> None:
    """An update (or reopening) restarts the cadence from now and ends an overdue streak. `next_due`
    is the time the update promised the next one by: it replaces the cadence for that one."""
    cadence = clock_severity(policy, inc).update_cadence
    inc.update_overdue_since, inc.update_escalated = None, False
    due = (next_due or now + cadence) if cadence and inc.is_open else None
    await _plan_update(session, inc, now, due)


def on_resolve(inc: Incident) -> None:
    """Resolving stops every clock: the timers still come due and find nothing to do."""
    inc.update_due_at, inc.update_overdue_since, inc.update_escalated = None, None, False


# -- user actions ---------------------------------------------------------------------------------

async def acknowledge(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, via: str,
                      pager_person: str | None = None) -> Change:
    """The on-call engineer or the IC acknowledges; with nobody on call, whoever acknowledges is. `via` a
    pager (bot/paging): acknowledged there by `pager_person` (`actor` is their Slack user when known),
    which the pager needs not hear back; an acknowledgement in Slack is sent to the pager."""
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.acknowledged_at is not None:
        return Change(inc, False)
    from_pager = via in PAGERS
    if not from_pager and actor not in (inc.commander_id, inc.oncall_id) and inc.oncall_id is not None:
        raise InvalidInput(f"Only the On-call Engineer ({{oncall}}) or the Incident Commander ({{ic}}) can "
                           f"acknowledge {inc.key}.", people={"oncall": inc.oncall_id, "ic": inc.commander_id})
    now = utc(clock.now())
    if inc.oncall_id is None and actor != inc.commander_id and actor not in PAGERS:
        inc.oncall_id = actor
        await add_member(session, incident_id, actor)
        enqueue(session, kind="invite", incident_id=incident_id, now=now, payload={"users": [actor]})
    inc.acknowledged_at, inc.acknowledged_by = now, actor
    inc.ack_seconds = _seconds(now - utc(inc.ack_started_at or inc.created_at))
    inc.updated_at = now
    extra = {"pager": via, "person": pager_person} if from_pager else {}
    fact = record(session, inc, now, actor, "acknowledged", via, seconds=inc.ack_seconds, **extra)
    await paging.on_acknowledged(session, inc, now, via=via)
    announce(session, inc, now, fact, topic=False)
    return Change(inc, True)


async def snooze(*, session: AsyncSession, clock: Clock, incident_id: int, minutes: int, actor: str,
                 via: str) -> Incident:
    if minutes not in SNOOZE_MINUTES:
        raise InvalidInput(f"Snooze for {', '.join(map(str, SNOOZE_MINUTES))} minutes.")
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if not inc.is_open or inc.update_due_at is None:
        raise InvalidTransition(f"{inc.key} has no update clock running.")
    now = utc(clock.now())
    inc.update_overdue_since, inc.update_escalated = None, False
    await _plan_update(session, inc, now, now + timedelta(minutes=minutes) / (inc.clock_speed or 1))
    fact = record(session, inc, now, actor, "update_snoozed", via, minutes=minutes)
    announce(session, inc, now, fact, topic=False)
    return inc


async def set_regulatory(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                         regulatory: bool, actor: str, via: str) -> Change:
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.regulatory == regulatory:
        return Change(inc, False)
    now = utc(clock.now())
    inc.regulatory, inc.updated_at = regulatory, now
    fact = record(session, inc, now, actor, "regulatory_changed", via, regulatory=regulatory)
    announce(session, inc, now, fact, topic=False)
    if regulatory:
        await _escalate(session, policy, inc, now, reason="regulatory", trigger=None, actor=actor, via=via)
    return Change(inc, True)


# -- timers coming due ----------------------------------------------------------------------------

def _say(session: AsyncSession, inc: Incident, now: datetime, message: str, to: str | None = None,
         **values: Any) -> None:
    """A clock's message, worded when it is posted: in the incident channel, or `to` (a channel or a DM)."""
    enqueue(session, kind="clock_message", incident_id=inc.id, now=now,
            payload={"message": message, "to": to, **values})


async def fire(kind: str, *, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    inc = await get(session, incident_id, for_update=True)
    if not inc.is_open:
        return
    now = utc(clock.now())
    await _TIMERS[kind](session, policy, inc, now, payload)


async def fire_many(*, session: AsyncSession, clock: Clock, policy: Policy,
                    timers: list[tuple[str, int, dict[str, Any]]]) -> None:
    """Timers (kind, incident id, payload) that came due together, in the caller's one transaction: their
    incidents locked in one query (in id order, as every worker locks them), then each as `fire` does it."""
    ids = sorted({incident_id for _, incident_id, _ in timers})
    rows = await session.execute(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id)
                                 .with_for_update(key_share=True))
    by_id = {inc.id: inc for inc in rows.scalars()}
    now = utc(clock.now())
    for kind, incident_id, payload in timers:
        inc = by_id.get(incident_id)
        if inc is None:
            raise NotFound(f"There is no incident with id {incident_id}.")
        if inc.is_open:
            await _TIMERS[kind](session, policy, inc, now, payload)


async def _ack_reminder(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                        payload: dict[str, Any]) -> None:
    if inc.acknowledged_at is not None or payload.get("severity") != inc.severity:
        return
    sev = clock_severity(policy, inc)
    waited = _seconds(now - utc(inc.ack_started_at or inc.created_at))
    group = policy.oncall.group_for(sev.name, inc.surface)
    record(session, inc, now, "bot", "ack_reminder", seconds=waited, group=group)
    _say(session, inc, now, "ack_reminder", severity=sev.name, seconds=waited, group=group)


async def _ack_breach(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                      payload: dict[str, Any]) -> None:
    if inc.acknowledged_at is not None or inc.ack_breached_at is not None or payload.get("severity") != inc.severity:
        return
    sev = clock_severity(policy, inc)
    waited = _seconds(now - utc(inc.ack_started_at or inc.created_at))
    allowed = _seconds(sev.ack_breach) if sev.ack_breach is not None else waited
    inc.ack_breached_at = now
    record(session, inc, now, "bot", "ack_breach", seconds=waited, severity=sev.name, allowed=allowed)
    enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)
    breach = {"severity": sev.name, "seconds": waited, "leadership": policy.escalation.leadership_group}
    _say(session, inc, now, "ack_breach", **breach)
    if policy.escalation.channel:
        _say(session, inc, now, "ack_breach", to=policy.escalation.channel, **breach)
    await paging.on_breach(session, inc, now)


async def _update_reminder(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                           payload: dict[str, Any]) -> None:
    due = inc.update_due_at
    cadence = clock_severity(policy, inc).update_cadence
    if due is None or cadence is None or _epoch(due) != payload.get("due"):
        return  # re-planned since: an update, a snooze or a severity change
    first = inc.update_overdue_since is None
    if first:
        inc.update_overdue_since = due
    overdue = _seconds(now - utc(inc.update_overdue_since or due))
    _say(session, inc, now, "update_reminder", overdue=overdue, first=first)
    record(session, inc, now, "bot", "update_reminder", seconds=_seconds(now - utc(inc.last_update_at or
                                                                                  inc.created_at)))
    if not first and not inc.update_escalated:
        # overdue by a second full period: the IC hears it directly, and leadership for the top severity
        inc.update_escalated = True
        sev = clock_severity(policy, inc)
        if inc.commander_id:
            _say(session, inc, now, "update_escalation", to=inc.commander_id, overdue=overdue)
        to_leadership = bool(inc.severity == min(policy.levels) and policy.escalation.channel)
        if to_leadership:
            _say(session, inc, now, "update_escalation", to=policy.escalation.channel, overdue=overdue,
                 leadership=policy.escalation.leadership_group)
        record(session, inc, now, "bot", "update_escalation", severity=sev.name, overdue=overdue,
               leadership=to_leadership)
    # several missed periods make one reminder; the cadence continues from now
    await _plan_update(session, inc, now, now + cadence)


async def _role_watch(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                      payload: dict[str, Any]) -> None:
    missing = [role for role in WATCHED_ROLES if not inc.role_holder(role)]
    if not missing:
        return
    _say(session, inc, now, "role_reminder", roles=missing)
    record(session, inc, now, "bot", "role_reminder", roles=missing)


_TIMERS = {
    "ack_reminder": _ack_reminder,
    "ack_breach": _ack_breach,
    "update_reminder": _update_reminder,
    "role_watch": _role_watch,
}
TIMER_KINDS = tuple(_TIMERS)
