"""The triage message's buttons: Declare incident, Acknowledge, Attach to INC-n, Dismiss.

Acknowledge and Dismiss commit before the click is acknowledged; the worker then redraws the
message. Declare and Attach open a modal first (the trigger_id lives three seconds).
"""

from __future__ import annotations

from typing import Any

from bot.alerts import service as alerts
from bot.alerts.blocks import alert_note, attach_modal
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.incidents.modals import declare_modal
from handlers.modal import open_modal
from models import MAX_TITLE


def group_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button does not belong to an alert.")
    return int(value)


async def declare_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                          client: Any) -> None:
    deps: Deps = context["deps"]
    user = body["user"]["id"]
    group, inc = await deps.read(alerts.group_view, group_id=group_id_of(action))
    if inc is not None:
        raise InvalidInput(f"This alert already belongs to {inc.key}.")
    view = declare_modal(
        deps.policy, user_id=user, title=group.title[:MAX_TITLE], severity=group.suggested_severity,
        source=group.detection_source, note=alert_note(group),
        metadata={"alert_group": group.id, "reply": {"user": user, "response_url": body.get("response_url", "")}})
    await open_modal(client, body["trigger_id"], view)
    await ack()


async def acknowledge_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(alerts.acknowledge, group_id=group_id_of(action), actor=body["user"]["id"])
    await ack()


async def dismiss_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(alerts.dismiss, group_id=group_id_of(action), actor=body["user"]["id"])
    await ack()


async def attach_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                         client: Any) -> None:
    deps: Deps = context["deps"]
    group, inc, candidates = await deps.read(alerts.attach_choices, group_id=group_id_of(action),
                                             viewer=body["user"]["id"])
    if inc is not None:
        raise InvalidInput(f"This alert is already attached to {inc.key}.")
    if not candidates:
        raise InvalidInput("There is no open incident to attach this alert to. Use *Declare incident* instead.")
    await open_modal(client, body["trigger_id"], attach_modal(group, candidates, deps.policy))
    await ack()
