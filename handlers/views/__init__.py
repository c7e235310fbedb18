"""Modal submissions: callback id → listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import ids
from handlers.views import submitted

VIEWS = {
    ids.DECLARE_VIEW: submitted.declare_submitted,
    ids.ROLES_VIEW: submitted.roles_submitted,
    ids.UPDATE_VIEW: submitted.update_submitted,
}


def register(app: AsyncApp) -> None:
    for callback_id, listener in VIEWS.items():
        app.view(callback_id)(listener)
