"""The incident's clocks: acknowledgement SLA, update cadence, role watch, leadership escalation.

Every timer is a job with a dedupe key that names what it is for (the incident, the severity it
was planned under, the due time), so planning the same timer twice adds one job, and a restart,
a crash or a second replica never makes a second reminder. Timers are never deleted: when one
comes due it checks the incident as it is now and does nothing if it no longer applies (the
incident was acknowledged, updated, snoozed, resolved, or changed severity, which planned a new
timer). A timer that came due while the bot was down fires once, late; the cadence then
continues from now.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.blocks import clocks as views
from bot.clock import Clock, utc
from bot.errors import InvalidInput, InvalidTransition
from bot.jobs import enqueue
from bot.policy import Policy, Severity
from bot.services.common import Change, add_member, announce_change, event, get, require_open
from models import Incident

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
                    why: str, actor: str, via: str) -> None:
    """Leadership hears about an incident once per reason, with the summary card. The reasons
    already escalated are kept on the (locked) incident row; the job's key backs that up."""
    done = inc.escalated_for or []
    if reason not in done:
        inc.escalated_for = [*done, reason]
        enqueue(session, kind="notify_leadership", incident_id=inc.id, now=now,
                payload={"reason": why}, dedupe_key=f"leadership:{inc.id}:{reason}")
        where = (f"in {t.channel(policy.escalation.channel)}" if policy.escalation.channel
                 else "but the policy names no escalation channel")
        session.add(event(inc, now, actor, "leadership_escalation", f"Escalated to leadership ({why}) {where}",
                          via, {"reason": reason}))


async def on_declare(session: AsyncSession, policy: Policy, inc: Incident, now: datetime, *, actor: str,
                     via: str) -> None:
    sev = clock_severity(policy, inc)
    inc.ack_started_at = inc.ack_started_at or inc.created_at
    await _plan_ack(session, policy, inc, now)
    await _plan_update(session, inc, now, now + sev.update_cadence if sev.update_cadence else None)
    await _plan_role_watch(session, policy, inc, now)
    if sev.escalate == "declaration":
        await _escalate(session, policy, inc, now, reason=f"sev{inc.severity}", why=f"declared {sev.name}",
                        actor=actor, via=via)
    if inc.regulatory:
        await _escalate(session, policy, inc, now, reason="regulatory", why="regulatory or legal impact",
                        actor=actor, via=via)


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
        await _escalate(session, policy, inc, now, reason=f"sev{inc.severity}", why=f"raised to {sev.name}",
                        actor=actor, via=via)


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

async def acknowledge(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, via: str) -> Change:
    """The on-call engineer or the IC acknowledges; with nobody on call, whoever acknowledges is."""
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.acknowledged_at is not None:
        return Change(inc, False)
    if actor not in (inc.commander_id, inc.oncall_id) and inc.oncall_id is not None:
        raise InvalidInput(f"Only the On-call Engineer ({t.user(inc.oncall_id)}) or the Incident Commander "
                           f"({t.user(inc.commander_id)}) can acknowledge {inc.key}.")
    now = utc(clock.now())
    if inc.oncall_id is None and actor != inc.commander_id:
        inc.oncall_id = actor
        await add_member(session, incident_id, actor)
        enqueue(session, kind="invite", incident_id=incident_id, now=now, payload={"users": [actor]})
    inc.acknowledged_at, inc.acknowledged_by = now, actor
    taken = now - utc(inc.ack_started_at or inc.created_at)
    inc.ack_seconds = max(0, int(taken.total_seconds()))
    inc.updated_at = now
    session.add(event(inc, now, actor, "acknowledged", f"Acknowledged by {t.user(actor)} after {t.duration(taken)}",
                      via, {"seconds": inc.ack_seconds}))
    await announce_change(session, inc, now, f":raised_hand: {t.user(actor)} acknowledged {inc.key} "
                                             f"({t.duration(taken)} after it started)", topic=False)
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
    session.add(event(inc, now, actor, "update_snoozed", f"Update reminder snoozed for {minutes}m by {t.user(actor)}",
                      via, {"minutes": minutes}))
    await announce_change(session, inc, now, f":zzz: {t.user(actor)} snoozed the update reminder for {minutes} "
                                             "minutes", topic=False)
    return inc


async def set_regulatory(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
                         regulatory: bool, actor: str, via: str) -> Change:
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.regulatory == regulatory:
        return Change(inc, False)
    now = utc(clock.now())
    inc.regulatory, inc.updated_at = regulatory, now
    what = "flagged regulatory / legal impact" if regulatory else "cleared the regulatory / legal impact flag"
    session.add(event(inc, now, actor, "regulatory_changed", f"{t.user(actor)} {what}", via,
                      {"regulatory": regulatory}))
    await announce_change(session, inc, now, f":scales: {t.user(actor)} {what}", topic=False)
    if regulatory:
        await _escalate(session, policy, inc, now, reason="regulatory", why="regulatory or legal impact",
                        actor=actor, via=via)
    return Change(inc, True)


# -- timers coming due ----------------------------------------------------------------------------

async def _post(session: AsyncSession, inc: Incident, now: datetime, text: str,
                blocks: list[dict[str, Any]] | None = None) -> None:
    """A message in the incident channel; naming the channel spares the job a read when it exists."""
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    if inc.channel_id:
        payload["channel"] = inc.channel_id
    enqueue(session, kind="post_channel", incident_id=inc.id, now=now, payload=payload)


async def fire(kind: str, *, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    inc = await get(session, incident_id, for_update=True)
    if not inc.is_open:
        return
    now = utc(clock.now())
    await _TIMERS[kind](session, policy, inc, now, payload)


async def _ack_reminder(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                        payload: dict[str, Any]) -> None:
    if inc.acknowledged_at is not None or payload.get("severity") != inc.severity:
        return
    sev = clock_severity(policy, inc)
    waited = now - utc(inc.ack_started_at or inc.created_at)
    group = policy.oncall.group_for(sev.name, inc.surface)
    session.add(event(inc, now, "bot", "ack_reminder", f"Still unacknowledged after {t.duration(waited)}; "
                      f"pinged {views.mention_group(group) if group else 'the on-call engineer'}", "system"))
    text, blocks = views.ack_reminder(inc, sev.name, waited, group)
    await _post(session, inc, now, text, blocks)


async def _ack_breach(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                      payload: dict[str, Any]) -> None:
    if inc.acknowledged_at is not None or inc.ack_breached_at is not None or payload.get("severity") != inc.severity:
        return
    sev = clock_severity(policy, inc)
    waited = now - utc(inc.ack_started_at or inc.created_at)
    inc.ack_breached_at = now
    session.add(event(inc, now, "bot", "ack_breach", f"Acknowledgement SLA breached: unacknowledged after "
                      f"{t.duration(waited)} ({sev.name} allows {t.duration(sev.ack_breach or waited)})", "system",
                      {"seconds": int(waited.total_seconds())}))
    enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)
    text = views.ack_breach(inc, sev.name, waited, policy.escalation.leadership_group)
    await _post(session, inc, now, text)
    if policy.escalation.channel:
        enqueue(session, kind="post_channel", incident_id=inc.id, now=now,
                      payload={"text": text, "channel": policy.escalation.channel})


async def _update_reminder(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                           payload: dict[str, Any]) -> None:
    due = inc.update_due_at
    cadence = clock_severity(policy, inc).update_cadence
    if due is None or cadence is None or _epoch(due) != payload.get("due"):
        return  # re-planned since: an update, a snooze or a severity change
    first = inc.update_overdue_since is None
    if first:
        inc.update_overdue_since = due
    overdue = now - utc(inc.update_overdue_since or due)
    text, blocks = views.update_reminder(inc, overdue, first=first)
    await _post(session, inc, now, text, blocks)
    session.add(event(inc, now, "bot", "update_reminder",
                      f"Update reminder: no update for {t.duration(now - utc(inc.last_update_at or inc.created_at))}",
                      "system"))
    if not first and not inc.update_escalated:
        # overdue by a second full period: the IC hears it directly, and leadership for the top severity
        inc.update_escalated = True
        sev = clock_severity(policy, inc)
        note = views.update_escalation(inc, overdue)
        if inc.commander_id:
            enqueue(session, kind="post_channel", incident_id=inc.id, now=now,
                          payload={"text": note, "channel": inc.commander_id})
        to_leadership = inc.severity == min(policy.levels) and policy.escalation.channel
        if to_leadership:
            group = views.mention_group(policy.escalation.leadership_group)
            enqueue(session, kind="post_channel", incident_id=inc.id, now=now,
                          payload={"text": f"{group} {note}".strip(), "channel": policy.escalation.channel})
        session.add(event(inc, now, "bot", "update_escalation",
                          f"Update overdue by {t.duration(overdue)}: escalated to the IC"
                          + (" and leadership" if to_leadership else ""), "system", {"severity": sev.name}))
    # several missed periods make one reminder; the cadence continues from now
    await _plan_update(session, inc, now, now + cadence)


async def _role_watch(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                      payload: dict[str, Any]) -> None:
    missing = [role for role in WATCHED_ROLES if not inc.role_holder(role)]
    if not missing:
        return
    text, blocks = views.role_reminder(inc, missing)
    await _post(session, inc, now, text, blocks)
    session.add(event(inc, now, "bot", "role_reminder", f"Roles still open: {', '.join(missing)}", "system",
                      {"roles": missing}))


_TIMERS = {
    "ack_reminder": _ack_reminder,
    "ack_breach": _ack_breach,
    "update_reminder": _update_reminder,
    "role_watch": _role_watch,
}
TIMER_KINDS = tuple(_TIMERS)
