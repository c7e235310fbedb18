"""App Home: opening the bot's Home tab queues a fresh view of the open incidents for that user."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.home import service as home


async def home_opened(event: dict[str, Any], context: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    deps: Deps = context["deps"]
    await deps.run(home.refresh, user_id=event["user"])
