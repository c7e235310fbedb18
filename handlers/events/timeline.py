"""Pins and 📌 reactions in incident channels: the marked message joins the timeline, and leaves it
when the pin or the reaction goes. The bot's own pins (the summary card) are not news."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.timeline import service as timeline


def _by_bot(event: dict[str, Any], context: dict[str, Any]) -> bool:
    return bool(event.get("user")) and event.get("user") == context.get("bot_user_id")


async def pin_added(event: dict[str, Any], context: dict[str, Any]) -> None:
    if _by_bot(event, context):
        return
    deps: Deps = context["deps"]
    item = event.get("item") or {}
    message = item.get("message") or {}
    await deps.run(timeline.pin, channel_id=event.get("channel_id") or item.get("channel"),
                   ts=str(message.get("ts") or ""), actor=event.get("user") or "unknown", source="pin",
                   author=message.get("user"), text=str(message.get("text") or ""))


async def pin_removed(event: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    item = event.get("item") or {}
    message = item.get("message") or {}
    await deps.run(timeline.unpin, channel_id=event.get("channel_id") or item.get("channel"),
                   ts=str(message.get("ts") or ""), source="pin")


async def reaction_added(event: dict[str, Any], context: dict[str, Any]) -> None:
    item = event.get("item") or {}
    if event.get("reaction") != timeline.PIN_REACTION or item.get("type") != "message" or _by_bot(event, context):
        return
    deps: Deps = context["deps"]
    await deps.run(timeline.pin, channel_id=item.get("channel"), ts=str(item.get("ts") or ""),
                   actor=event.get("user") or "unknown", source="reaction")


async def reaction_removed(event: dict[str, Any], context: dict[str, Any]) -> None:
    item = event.get("item") or {}
    if event.get("reaction") != timeline.PIN_REACTION or item.get("type") != "message":
        return
    deps: Deps = context["deps"]
    await deps.run(timeline.unpin, channel_id=item.get("channel"), ts=str(item.get("ts") or ""), source="reaction")
