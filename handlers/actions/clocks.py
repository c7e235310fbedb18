"""Buttons of the clocks: Acknowledge, snooze an update reminder, take an open role, and the
regulatory-impact checkbox on the card. Each change is committed before the click is acked."""

from __future__ import annotations

from typing import Any

from bot.clocks import service as clocks
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.incidents import service as incidents
from handlers.actions.card import incident_id_of


def _pair(action: dict[str, Any]) -> tuple[int, str]:
    """Reminder buttons carry "<incident id>:<choice>"."""
    incident, _, choice = str(action.get("value", "")).partition(":")
    if not incident.isdigit() or not choice:
        raise InvalidInput("This button does not belong to an incident.")
    return int(incident), choice


async def ack_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(clocks.acknowledge, incident_id=incident_id_of(action), actor=body["user"]["id"], via="card")
    await ack()


async def snooze_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    incident_id, minutes = _pair(action)
    if not minutes.isdigit():
        raise InvalidInput("This snooze button is broken; use `/incident update` instead.")
    await deps.run(clocks.snooze, incident_id=incident_id, minutes=int(minutes), actor=body["user"]["id"], via="card")
    await ack()


async def take_role_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    incident_id, role = _pair(action)
    user = body["user"]["id"]
    await deps.run(incidents.assign_role, incident_id=incident_id, role=role, user_id=user, actor=user, via="card")
    await ack()


async def regulatory_toggled(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    ticked = any(o.get("value") == "regulatory" for o in action.get("selected_options") or [])
    await deps.run(clocks.set_regulatory, incident_id=incident_id_of(action), regulatory=ticked,
                   actor=body["user"]["id"], via="card")
    await ack()
