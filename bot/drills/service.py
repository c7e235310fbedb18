"""Game days: `/incident drill <scenario>` declares a clearly marked [DRILL] incident from a scenario in
the policy, with a real channel, real clocks (optionally running faster) and scripted events injected
at scripted times. Drills never count in the metrics and never reach the status page; resolving one
ends it with a drill report (bot/drills/report.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput
from bot.core.records import get
from bot.incidents import service as incidents
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.timeline.facts import record
from models import Incident

PREFIX = "[DRILL] "


def scenario_key(policy: Policy, name: str) -> str:
    """The scenario's key; InvalidInput naming the scenarios when there is no such one."""
    key = name.strip().lower()
    if key not in policy.drills.scenarios:
        known = {f"s{i}": f"{k} ({d.name})" for i, (k, d) in enumerate(policy.drills.scenarios.items())}
        listed = ", ".join(f"`{{{placeholder}}}`" for placeholder in known)
        raise InvalidInput(f"There is no drill `{{name}}`. The scenarios: {listed}.",
                           values={"name": name[:40], **known})
    return key


async def start(*, session: AsyncSession, clock: Clock, policy: Policy, scenario: str, actor: str,
                announce_channel: str | None, reply: dict[str, str], via: str) -> Incident:
    key = scenario_key(policy, scenario)
    drill = policy.drills.scenarios[key]
    level = int(drill.severity.removeprefix("SEV-"))
    inc = await incidents.declare(
        session=session, clock=clock, policy=policy, title=PREFIX + drill.title, severity=level,
        declared_by=actor, surface=drill.surface, announce_channel=announce_channel, reply=reply,
        incident_type=drill.type, drill=True, clock_speed=drill.speed, via=via)
    now = utc(clock.now())
    record(session, inc, now, actor, "drill_started", via, scenario=key, name=drill.name, speed=drill.speed)
    for index, scripted in enumerate(drill.events):
        enqueue(session, kind="drill_event", incident_id=inc.id, now=now, due_at=now + scripted.after / drill.speed,
                payload={"scenario": key, "index": index}, dedupe_key=f"drill_event:{inc.id}:{index}")
    return inc


async def fire(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    """A scripted event comes due: post it in the channel unless the drill is over."""
    inc = await get(session, incident_id)
    drill = policy.drills.scenarios.get(str(payload.get("scenario")))
    index = int(payload.get("index") or 0)
    if not inc.drill or not inc.is_open or drill is None or index >= len(drill.events):
        return
    scripted = drill.events[index]
    now = utc(clock.now())
    record(session, inc, now, "bot", "drill_event", index=index, kind=scripted.kind, text=scripted.text)
    enqueue(session, kind="drill_message", incident_id=incident_id, now=now,
            payload={"event": scripted.kind, "text": scripted.text})
