"""`/incident list` and `/incident help`: read-only answers that work anywhere."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.incidents import service as incidents
from bot.incidents.blocks import HELP, incident_list


async def list_open(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    open_incidents = await deps.read(incidents.list_open, viewer=command["user_id"])
    await ack(response_type="ephemeral", text=incident_list(open_incidents, deps.policy, deps.clock.now()))


async def help(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    await ack(response_type="ephemeral", text=HELP)
