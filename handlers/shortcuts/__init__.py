"""Shortcuts: callback id → listener."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.blocks import ids
from bot.core.inflight import InFlight
from handlers.shortcuts import from_message

SHORTCUTS: dict[str, Any] = {
    ids.DECLARE_FROM_MESSAGE: from_message.declare_from_message,
}


def register(app: AsyncApp, inflight: InFlight) -> None:
    for callback_id, listener in SHORTCUTS.items():
        app.shortcut(callback_id)(inflight.track(listener))
