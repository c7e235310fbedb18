"""`/incident ack` and `/incident clocks`, inside an incident channel."""

from __future__ import annotations

from typing import Any

from bot.blocks.clocks import summary
from bot.deps import Deps
from bot.services import clocks, incidents
from handlers.commands.changes import incident_id_for


async def ack(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    incident_id = await incident_id_for(deps, command)
    async with deps.sessionmaker() as session, session.begin():
        change = await clocks.acknowledge(session=session, clock=deps.clock, incident_id=incident_id,
                                          actor=command["user_id"], via="command")
    inc = change.incident
    if change.changed:
        text = f"You acknowledged {inc.key}."
    else:
        text = f"{inc.key} was already acknowledged by <@{inc.acknowledged_by}>."
    await ack(response_type="ephemeral", text=text)


async def show(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    async with deps.sessionmaker() as session:
        inc = await incidents.for_channel(session, command.get("channel_id"))
    await ack(response_type="ephemeral", text=summary(inc, deps.policy, deps.clock.now()))
