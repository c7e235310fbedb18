"""The declare, roles and update modals, submitted. A service's InvalidInput(field=…) comes back
as an error on that field (handlers/errors.py); the modal closes only when the change is stored."""

from __future__ import annotations

import functools
import json
from datetime import timedelta
from typing import Any

from bot.blocks.modals import value_of
from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import alerts, incidents
from models import ROLES


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def _incident_id(view: dict[str, Any]) -> int:
    incident_id = _metadata(view).get("incident_id")
    if not isinstance(incident_id, int):
        raise InvalidInput("This form has lost track of its incident; open it again from the card.")
    return incident_id


async def declare_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    user = body["user"]["id"]
    severity_raw = value_of(state, "severity")
    metadata = _metadata(view)
    reply = metadata.get("reply") or {}
    group_id = metadata.get("alert_group")
    async with deps.sessionmaker() as session, session.begin():
        # Declared from an alert's triage message: the same transaction attaches the alert.
        declare = (functools.partial(alerts.declare_for, group_id=group_id, actor=user)
                   if isinstance(group_id, int) else functools.partial(incidents.declare, declared_by=user))
        inc = await declare(
            session=session, clock=deps.clock, policy=deps.policy,
            title=value_of(state, "title") or "",
            severity=incidents.parse_severity(severity_raw, deps.policy) if severity_raw else None,
            source=value_of(state, "source") or "internal",
            surface=value_of(state, "surface"),
            commander_id=value_of(state, "commander") or user,
            private="private" in (value_of(state, "private") or []),
            regulatory="regulatory" in (value_of(state, "regulatory") or []),
            incident_type=value_of(state, "incident_type"),
            announce_channel=deps.settings.announce_channel,
            reply={"user": user, "response_url": str(reply.get("response_url") or "")},
            tell_declarer=True, via="modal")
        if isinstance(metadata.get("message"), dict):  # from the "Declare incident from message" shortcut
            alerts.record_message(session, deps.clock, inc, actor=user, message=metadata["message"])
    await ack()


async def roles_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    incident_id = _incident_id(view)
    async with deps.sessionmaker() as session, session.begin():
        for role in ROLES:
            await incidents.assign_role(session=session, clock=deps.clock, incident_id=incident_id, role=role,
                                        user_id=value_of(view["state"], role), actor=body["user"]["id"],
                                        via="modal")
    await ack()


async def update_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    next_update = value_of(state, "next_update")
    if next_update is not None and not str(next_update).isdigit():
        raise InvalidInput("Choose when the next update is due.", field="next_update")
    async with deps.sessionmaker() as session, session.begin():
        await incidents.post_update(session=session, clock=deps.clock, policy=deps.policy,
                                    incident_id=_incident_id(view), actor=body["user"]["id"],
                                    text=value_of(state, "text") or "", next_steps=value_of(state, "next_steps"),
                                    impact=value_of(state, "impact"), actions=value_of(state, "actions"),
                                    next_update=timedelta(minutes=int(next_update)) if next_update else None,
                                    status=value_of(state, "status"), via="modal")
    await ack()
