"""The resolution form, submitted: resolve, with the checks and the reason on the timeline."""

from __future__ import annotations

from typing import Any

from bot.blocks.modals import value_of
from bot.deps import Deps
from bot.services import playbooks
from handlers.views.submitted import _incident_id


async def resolve_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    checked = [int(v) for v in value_of(state, "checks") or [] if str(v).isdigit()]
    async with deps.sessionmaker() as session, session.begin():
        await playbooks.resolve_checked(session=session, clock=deps.clock, policy=deps.policy,
                                        incident_id=_incident_id(view), actor=body["user"]["id"], checked=checked,
                                        reason=value_of(state, "reason"), via="modal")
    await ack()
