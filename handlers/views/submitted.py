"""The declare, roles and update modals, submitted. A service's InvalidInput(field=…) comes back
as an error on that field (handlers/errors.py); the modal closes only when the change is stored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.alerts import service as alerts
from bot.blocks.kit import value_of
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.impact.fields import check as check_impact
from bot.impact.fields import parse_args
from bot.incidents import service as incidents
from models import ROLES


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def incident_id_in(view: dict[str, Any]) -> int:
    incident_id = metadata(view).get("incident_id")
    if not isinstance(incident_id, int):
        raise InvalidInput("This form has lost track of its incident; open it again from the card.")
    return incident_id


async def declare_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    user = body["user"]["id"]
    severity_raw = value_of(state, "severity")
    meta = metadata(view)
    reply = meta.get("reply") or {}
    group_id = meta.get("alert_group")
    message = meta.get("message")
    impact_text = value_of(state, "impact") or ""
    try:
        impact = parse_args(impact_text) if impact_text.strip() else None
        check_impact(impact or {})
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="impact") from None
    await deps.run(
        alerts.declare_from, declared_by=user,
        alert_group=group_id if isinstance(group_id, int) else None,  # from an alert's triage message
        message=message if isinstance(message, dict) else None,  # from "Declare incident from message"
        title=value_of(state, "title") or "",
        severity=incidents.parse_severity(severity_raw, deps.policy) if severity_raw else None,
        source=value_of(state, "source") or "internal",
        surface=value_of(state, "surface"),
        commander_id=value_of(state, "commander") or user,
        private="private" in (value_of(state, "private") or []),
        regulatory="regulatory" in (value_of(state, "regulatory") or []),
        incident_type=value_of(state, "incident_type"), impact=impact,
        announce_channel=deps.settings.announce_channel,
        reply={"user": user, "response_url": str(reply.get("response_url") or "")},
        tell_declarer=True, via="modal")
    await ack()


async def roles_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(incidents.assign_roles, incident_id=incident_id_in(view),
                   roles={role: value_of(view["state"], role) for role in ROLES}, actor=body["user"]["id"],
                   via="modal")
    await ack()


async def update_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    next_update = value_of(state, "next_update")
    if next_update is not None and not str(next_update).isdigit():
        raise InvalidInput("Choose when the next update is due.", field="next_update")
    await deps.run(incidents.post_update, incident_id=incident_id_in(view), actor=body["user"]["id"],
                   text=value_of(state, "text") or "", next_steps=value_of(state, "next_steps"),
                   impact=value_of(state, "impact"), actions=value_of(state, "actions"),
                   next_update=timedelta(minutes=int(next_update)) if next_update else None,
                   status=value_of(state, "status"), via="modal")
    await ack()
