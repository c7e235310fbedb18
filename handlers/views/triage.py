"""The attach modal, submitted: link the alert group to the chosen open incident."""

from __future__ import annotations

from typing import Any

from bot.alerts import service as alerts
from bot.blocks.kit import value_of
from bot.core.errors import InvalidInput
from bot.deps import Deps


async def attach_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    group_raw = str(view.get("private_metadata") or "")
    chosen = str(value_of(view["state"], "incident") or "")
    if not group_raw.isdigit():
        raise InvalidInput("This form has lost track of its alert; open it again from the alert.", field="incident")
    if not chosen.isdigit():
        raise InvalidInput("Choose an incident.", field="incident")
    await deps.run(alerts.attach, group_id=int(group_raw), incident_id=int(chosen), actor=body["user"]["id"],
                   via="modal")
    await ack()
