"""The summary card's controls: severity and status selects, Assign roles, Post update, Resolve.

A change is stored before the click is acknowledged, so the 200 Slack gets means it is kept: a severity
change goes through the group-commit intake (bot/intake) and the worker applies it; the others commit
their change. The worker then updates the card in place. A button that opens a modal opens it before
acknowledging (the trigger_id lives three seconds). Errors reach the user through response_url.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.blocks import ids
from bot.core.errors import InvalidInput
from bot.core.records import get
from bot.deps import Deps
from bot.incidents import service as incidents
from bot.incidents.modals import roles_modal, update_modal
from bot.intake import service as intake
from bot.playbooks.blocks import resolution_modal
from handlers.modal import open_modal
from models import Incident


def incident_id_of(action: dict[str, Any]) -> int:
    incident_id = ids.incident_from_block_id(action.get("block_id", ""))
    if incident_id is None and str(action.get("value", "")).isdigit():
        incident_id = int(action["value"])
    if incident_id is None:
        raise InvalidInput("This control does not belong to an incident.")
    return incident_id


def _selected(action: dict[str, Any]) -> str:
    return (action.get("selected_option") or {}).get("value", "")


async def severity_selected(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    user = body["user"]["id"]
    severity = incidents.parse_severity(_selected(action), deps.policy)
    reply = {"user": user, "response_url": body.get("response_url", "")}
    await deps.accept(intake.severity_change(deps.policy, incident_id=incident_id_of(action), severity=severity,
                                             actor=user, now=deps.clock.now(), via="card", reply=reply))
    await ack()


async def status_selected(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                          client: Any) -> None:
    deps: Deps = context["deps"]
    if _selected(action) == "resolved":
        await resolve_clicked(ack, action, body, context, client)
        return
    await deps.run(incidents.change_status, incident_id=incident_id_of(action), status=_selected(action),
                   actor=body["user"]["id"], via="card")
    await ack()


async def resolve_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                          client: Any) -> None:
    """Resolving goes through the resolution checks (bot/playbooks/resolution.py)."""
    policy = context["deps"].policy
    await _open(action, body, context, client, lambda inc: resolution_modal(inc, policy))
    await ack()


async def _open(action: dict[str, Any], body: dict[str, Any], context: dict[str, Any], client: Any,
                build: Callable[[Incident], dict[str, Any]]) -> None:
    deps: Deps = context["deps"]
    inc = await deps.read(get, incident_id=incident_id_of(action))
    await open_modal(client, body["trigger_id"], build(inc))


async def assign_roles_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                               client: Any) -> None:
    await _open(action, body, context, client, roles_modal)
    await ack()


async def post_update_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                              client: Any) -> None:
    policy = context["deps"].policy
    await _open(action, body, context, client, lambda inc: update_modal(inc, policy))
    await ack()
