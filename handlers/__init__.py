"""Inbound transport: parse and validate what Slack sends, call a service, answer. No SQL, no rules."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, errors, events, views


def register(app: AsyncApp) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    errors.register(app)
