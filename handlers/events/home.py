"""App Home: opening the bot's Home tab queues a fresh view of the open incidents for that user."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.services import home


async def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    deps: Deps = context["deps"]
    async with deps.sessionmaker() as session, session.begin():
        await home.refresh(session=session, clock=deps.clock, user_id=event["user"])
