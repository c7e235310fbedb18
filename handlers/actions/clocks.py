"""Buttons of the clocks: Acknowledge, snooze an update reminder, take an open role, and the
regulatory-impact checkbox on the card. Each change is committed before the click is acked."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import clocks, incidents
from handlers.actions.card import incident_id_of


def _pair(action: dict[str, Any]) -> tuple[int, str]:
    """Reminder buttons carry "<incident id>:<choice>"."""
    incident, _, choice = str(action.get("value", "")).partition(":")
    if not incident.isdigit() or not choice:
        raise InvalidInput("This button does not belong to an incident.")
    return int(incident), choice


async def ack_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session, session.begin():
        await clocks.acknowledge(session=session, clock=deps.clock, incident_id=incident_id_of(action),
                                 actor=body["user"]["id"], via="card")
    await ack()


async def snooze_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    incident_id, minutes = _pair(action)
    if not minutes.isdigit():
        raise InvalidInput("This snooze button is broken; use `/incident update` instead.")
    async with deps.sessionmaker() as session, session.begin():
        await clocks.snooze(session=session, clock=deps.clock, incident_id=incident_id, minutes=int(minutes),
                            actor=body["user"]["id"], via="card")
    await ack()


async def take_role_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    incident_id, role = _pair(action)
    user = body["user"]["id"]
    async with deps.sessionmaker() as session, session.begin():
        await incidents.assign_role(session=session, clock=deps.clock, incident_id=incident_id, role=role,
                                    user_id=user, actor=user, via="card")
    await ack()


async def regulatory_toggled(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    ticked = any(o.get("value") == "regulatory" for o in action.get("selected_options") or [])
    async with deps.sessionmaker() as session, session.begin():
        await clocks.set_regulatory(session=session, clock=deps.clock, policy=deps.policy,
                                    incident_id=incident_id_of(action), regulatory=ticked, actor=body["user"]["id"],
                                    via="card")
    await ack()
