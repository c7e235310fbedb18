"""`/incident drill [scenario]`: start a game day, or list the scenarios."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.drills import blocks as views
from bot.drills import service as drills


async def drill(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    if not args.strip():
        await ack(response_type="ephemeral", text=views.scenarios_text(deps.policy))
        return
    user = command["user_id"]
    reply = {"user": user, "response_url": command.get("response_url", "")}
    inc = await deps.run(drills.start, scenario=args, actor=user, announce_channel=deps.settings.announce_channel,
                         reply=reply, via="command")
    await ack(response_type="ephemeral", text=views.started(inc))
