"""`/incident ack` and `/incident clocks`, inside an incident channel."""

from __future__ import annotations

from typing import Any

from bot.clocks import service as clocks
from bot.clocks.blocks import summary
from bot.core import text as t
from bot.deps import Deps
from bot.incidents.service import for_channel


async def ack(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    change = await deps.in_channel(command.get("channel_id"), clocks.acknowledge, actor=command["user_id"],
                                   via="command")
    inc = change.incident
    if change.changed:
        text = f"You acknowledged {inc.key}."
    else:
        text = f"{inc.key} was already acknowledged by {t.user(inc.acknowledged_by)}."
    await ack(response_type="ephemeral", text=text)


async def show(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    inc = await deps.read(for_channel, channel_id=command.get("channel_id"))
    await ack(response_type="ephemeral", text=summary(inc, deps.policy, deps.clock.now()))
