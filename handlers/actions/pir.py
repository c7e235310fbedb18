"""Clicks on the review card (fill in, add an action item, complete, export) and on an action item's
Mark done button, wherever that message is (a DM, a reminder, the ephemeral list)."""

from __future__ import annotations

from typing import Any

from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.pir import actions as action_items
from bot.pir import review as reviews
from handlers.actions.card import incident_id_of
from handlers.pir import open_action_form, open_review_form


async def fill_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                       client: Any) -> None:
    await open_review_form(context["deps"], client, body["trigger_id"], incident_id=incident_id_of(action))
    await ack()


async def add_action_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                             client: Any) -> None:
    await open_action_form(context["deps"], client, body["trigger_id"], incident_id=incident_id_of(action))
    await ack()


async def complete_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(reviews.complete, incident_id=incident_id_of(action), actor=body["user"]["id"], via="card")
    await ack()


async def export_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(reviews.request_export, incident_id=incident_id_of(action), actor=body["user"]["id"], via="card")
    await ack()


async def done_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                       respond: Any) -> None:
    deps: Deps = context["deps"]
    raw = str(action.get("value", ""))
    if not raw.isdigit():
        raise InvalidInput("This button does not name an action item.")
    container = body.get("container") or {}
    message = None
    if container.get("type") == "message" and not container.get("is_ephemeral") and container.get("message_ts"):
        message = {"channel": container.get("channel_id"), "ts": container["message_ts"]}
    item, changed = await deps.run(action_items.mark_action_done, item_id=int(raw), actor=body["user"]["id"],
                                   via="card", message=message)
    await ack()
    if message is None:  # an ephemeral list cannot be edited; say it instead
        state = "is now done" if changed else "was already done"
        await respond(text=f":white_check_mark: Action item #{item.id} {state}.", response_type="ephemeral",
                      replace_original=False)
