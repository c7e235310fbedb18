"""`/incident drill [scenario]`: start a game day, or list the scenarios."""

from __future__ import annotations

from typing import Any

from bot import text as t
from bot.deps import Deps
from bot.services import drills


async def drill(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    if not args.strip():
        await ack(response_type="ephemeral", text=drills.scenarios_text(deps.policy))
        return
    user = command["user_id"]
    reply = {"user": user, "response_url": command.get("response_url", "")}
    async with deps.sessionmaker() as session, session.begin():
        inc = await drills.start(session=session, clock=deps.clock, policy=deps.policy, scenario=args, actor=user,
                                 announce_channel=deps.settings.announce_channel, reply=reply, via="command")
    await ack(response_type="ephemeral",
              text=f":joystick: Drill *{inc.key}* started: {t.escape(inc.title)}. Its channel link follows; "
                   "resolve it to end the drill and get the report.")
