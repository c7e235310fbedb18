"""The summary card's controls: severity and status selects, Assign roles, Post update, Resolve.

Each acknowledges first; a change then goes through the service, and Slack hears about it from the
worker (the card is updated in place). Errors after the ack reach the user through response_url.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.modals import roles_modal, update_modal
from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import incidents


def _incident_id(action: dict[str, Any]) -> int:
    incident_id = ids.incident_from_block_id(action.get("block_id", ""))
    if incident_id is None and str(action.get("value", "")).isdigit():
        incident_id = int(action["value"])
    if incident_id is None:
        raise InvalidInput("This control does not belong to an incident.")
    return incident_id


def _selected(action: dict[str, Any]) -> str:
    return (action.get("selected_option") or {}).get("value", "")


async def severity_selected(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    deps: Deps = context["deps"]
    level = incidents.parse_severity(_selected(action), deps.policy)
    async with deps.sessionmaker() as session, session.begin():
        await incidents.change_severity(session=session, clock=deps.clock, policy=deps.policy,
                                        incident_id=_incident_id(action), severity=level,
                                        actor=body["user"]["id"], via="card")


async def status_selected(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session, session.begin():
        await incidents.change_status(session=session, clock=deps.clock, policy=deps.policy,
                                      incident_id=_incident_id(action), status=_selected(action),
                                      actor=body["user"]["id"], via="card")


async def resolve_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    await ack()
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session, session.begin():
        await incidents.resolve(session=session, clock=deps.clock, policy=deps.policy,
                                incident_id=_incident_id(action), actor=body["user"]["id"], via="card")


async def assign_roles_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                               client: Any) -> None:
    await ack()
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session:
        inc = await incidents.get(session, _incident_id(action))
    await client.views_open(trigger_id=body["trigger_id"], view=roles_modal(inc))


async def post_update_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                              client: Any) -> None:
    await ack()
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session:
        inc = await incidents.get(session, _incident_id(action))
    await client.views_open(trigger_id=body["trigger_id"], view=update_modal(inc))
