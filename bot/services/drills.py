"""Game days: `/incident drill <scenario>` declares a clearly marked [DRILL] incident from a scenario in
the policy, with a real channel, real clocks (optionally running faster) and scripted events injected
at scripted times. Drills never count in the metrics and never reach the status page; resolving one
ends it with a drill report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.clock import Clock, utc
from bot.errors import InvalidInput
from bot.jobs import enqueue
from bot.policy import Policy
from bot.services import incidents
from bot.services.common import event, get
from models import ROLES, Checklist, Incident, TimelineEvent

PREFIX = "[DRILL] "
EVENT_LABELS = {
    "alert": ":rotating_light: *[DRILL] Alert*",
    "merchant_complaint": ":office: *[DRILL] Merchant complaint*",
    "customer_report": ":speech_balloon: *[DRILL] Customer report*",
    "update": ":chart_with_upwards_trend: *[DRILL] Monitoring*",
    "message": ":speaking_head_in_silhouette: *[DRILL]*",
}


def scenarios_text(policy: Policy) -> str:
    lines = ["*Drill scenarios* (`/incident drill <name>`):"]
    for key, drill in policy.drills.scenarios.items():
        speed = f", clocks {drill.speed}× faster" if drill.speed > 1 else ""
        lines.append(f"• `{key}`: {t.escape(drill.name)} ({len(drill.events)} scripted events{speed})")
    return "\n".join(lines)


async def start(*, session: AsyncSession, clock: Clock, policy: Policy, scenario: str, actor: str,
                announce_channel: str | None, reply: dict[str, str], via: str) -> Incident:
    drill = policy.drills.scenarios.get(scenario.strip().lower())
    if drill is None:
        raise InvalidInput(f"There is no drill `{scenario[:40]}`. " + scenarios_text(policy))
    level = int(drill.severity.removeprefix("SEV-"))
    inc = await incidents.declare(
        session=session, clock=clock, policy=policy, title=PREFIX + drill.title, severity=level,
        declared_by=actor, surface=drill.surface, announce_channel=announce_channel, reply=reply,
        incident_type=drill.type, drill=True, clock_speed=drill.speed, via=via)
    now = utc(clock.now())
    session.add(event(inc, now, actor, "drill_started",
                      f"Drill “{t.escape(drill.name)}” started by {t.user(actor)}"
                      + (f"; clocks run {drill.speed}× faster" if drill.speed > 1 else ""), via,
                      {"scenario": scenario, "speed": drill.speed}))
    for index, scripted in enumerate(drill.events):
        enqueue(session, kind="drill_event", incident_id=inc.id, now=now, due_at=now + scripted.after / drill.speed,
                payload={"scenario": scenario, "index": index}, dedupe_key=f"drill_event:{inc.id}:{index}")
    return inc


async def fire(kind: str, *, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    """A scripted event comes due: post it in the channel unless the drill is over."""
    inc = await get(session, incident_id)
    drill = policy.drills.scenarios.get(str(payload.get("scenario")))
    index = int(payload.get("index") or 0)
    if not inc.drill or not inc.is_open or drill is None or index >= len(drill.events):
        return
    scripted = drill.events[index]
    now = utc(clock.now())
    session.add(event(inc, now, "bot", "drill_event", f"Scripted {scripted.kind.replace('_', ' ')}: "
                      f"{t.escape(scripted.text)}", "system", {"index": index, "kind": scripted.kind}))
    enqueue(session, kind="post_channel", incident_id=incident_id, now=now,
            payload={"text": f"{EVENT_LABELS[scripted.kind]}\n{t.escape(scripted.text)}"})


async def report(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> str:
    """How the team did: acknowledgement, update punctuality, checklist, roles."""
    assert inc.id is not None
    kinds = list((await session.execute(select(TimelineEvent.kind).where(
        TimelineEvent.incident_id == inc.id))).scalars())
    updates, reminders = kinds.count("update"), kinds.count("update_reminder")
    checklist = (await session.execute(select(Checklist).where(Checklist.incident_id == inc.id))).scalars().first()
    done = sum(1 for item in checklist.items if item.get("done_by")) if checklist else 0
    total = len(checklist.items) if checklist else 0
    filled = [title for role, (_, title) in ROLES.items() if inc.role_holder(role)]
    empty = [title for role, (_, title) in ROLES.items() if not inc.role_holder(role)]
    speed = inc.clock_speed or 1
    start = utc(inc.ack_started_at or inc.created_at)
    ack = (f"{t.duration((utc(inc.acknowledged_at) - start) * speed)} in drill time"
           + (" (SLA breached)" if inc.ack_breached_at else "")) if inc.acknowledged_at else "never acknowledged"
    on_time = f"{updates} posted, {reminders} reminder{'s' if reminders != 1 else ''} needed"
    if updates:
        on_time += f" ({max(0, updates - reminders) * 100 // updates}% on time)"
    lines = [
        f":checkered_flag: *Drill report for {inc.key}* ({t.escape(inc.title)})",
        f"• Time to acknowledge: {ack}",
        f"• Updates: {on_time}",
        f"• Playbook checklist: {done} of {total} done" if total else "• Playbook checklist: none",
        f"• Roles filled: {', '.join(filled) or 'none'}" + (f"; open: {', '.join(empty)}" if empty else ""),
        f"• Drill length: {t.duration((now - start) * speed)} in drill time",
    ]
    return "\n".join(lines)


async def on_resolve(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """A drill ends when it is resolved: the report goes to the channel and to whoever started it."""
    if not inc.drill:
        return
    text = await report(session, policy, inc, now)
    session.add(event(inc, now, "bot", "drill_report", text, "system"))
    enqueue(session, kind="post_channel", incident_id=inc.id, now=now, payload={"text": text})
    enqueue(session, kind="post_channel", incident_id=inc.id, now=now,
            payload={"text": text, "channel": inc.declared_by})


TIMER_KINDS = ("drill_event",)
