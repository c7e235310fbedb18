"""`/incident draft [template] [status]`: open the customer-message modal from a chosen template."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import comms
from handlers.actions.comms import open_draft
from handlers.commands.changes import incident_id_for
from models import PUBLIC_STATUSES


async def draft(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    words = args.split()
    status = next((w.lower() for w in words if w.lower() in PUBLIC_STATUSES), None)
    rest = " ".join(w for w in words if w.lower() != status)
    template = comms.parse_template(deps.policy, rest)
    if not command.get("trigger_id"):
        raise InvalidInput("Slack sent no trigger to open the form with; try again.")
    incident_id = await incident_id_for(deps, command)
    await open_draft(deps, client, command["trigger_id"], command["user_id"], incident_id, template, status)
    await ack()
