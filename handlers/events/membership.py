"""People joining and leaving incident channels: who may see a private incident in listings."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.incidents import service as incidents


async def _record(event: dict[str, Any], deps: Deps, joined: bool) -> None:
    await deps.run(incidents.record_membership, channel_id=event.get("channel", ""), user_id=event.get("user", ""),
                   joined=joined)


async def member_joined(event: dict[str, Any], context: dict[str, Any]) -> None:
    await _record(event, context["deps"], joined=True)


async def member_left(event: dict[str, Any], context: dict[str, Any]) -> None:
    await _record(event, context["deps"], joined=False)
