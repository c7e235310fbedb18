"""`/incident list` and `/incident help`: read-only answers that work anywhere."""

from __future__ import annotations

from typing import Any

from bot.blocks.messages import HELP, incident_list
from bot.deps import Deps
from bot.services import incidents


async def list_open(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    async with deps.sessionmaker() as session:
        open_incidents = await incidents.list_open(session, viewer=command["user_id"])
    await ack(response_type="ephemeral", text=incident_list(open_incidents, deps.policy, deps.clock.now()))


async def help(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    await ack(response_type="ephemeral", text=HELP)
