"""Inbound transport: parse and validate what Slack sends, call a service, answer. No SQL, no rules."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.inflight import InFlight
from handlers import actions, commands, errors, events, shortcuts, views


def register(app: AsyncApp, inflight: InFlight) -> None:
    """`inflight` counts listeners still working after their ack, so shutdown can wait for them."""
    commands.register(app, inflight)
    actions.register(app, inflight)
    views.register(app, inflight)
    events.register(app, inflight)
    shortcuts.register(app, inflight)
    errors.register(app)
