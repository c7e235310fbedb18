"""`/incident draft [template] [status]`: open the customer-message modal from a chosen template."""

from __future__ import annotations

from typing import Any

from bot.comms import service as comms
from bot.core.errors import InvalidInput
from bot.deps import Deps
from handlers.actions.comms import open_draft
from models import PUBLIC_STATUSES


async def draft(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    words = args.split()
    status = next((w.lower() for w in words if w.lower() in PUBLIC_STATUSES), None)
    rest = " ".join(w for w in words if w.lower() != status)
    template = comms.parse_template(deps.policy, rest)
    if not command.get("trigger_id"):
        raise InvalidInput("Slack sent no trigger to open the form with; try again.")
    await open_draft(deps, client, command["trigger_id"], command["user_id"], template=template, status=status,
                     channel_id=command.get("channel_id"))
    await ack()
