"""The resolution form, submitted: resolve, with the checks and the reason on the timeline."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import value_of
from bot.deps import Deps
from bot.playbooks import resolution
from handlers.views.submitted import incident_id_in


async def resolve_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    checked = [int(v) for v in value_of(state, "checks") or [] if str(v).isdigit()]
    await deps.run(resolution.resolve_checked, incident_id=incident_id_in(view), actor=body["user"]["id"],
                   checked=checked, reason=value_of(state, "reason"), via="modal")
    await ack()
