"""The review form and the action-item form, submitted. Field errors come back on the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.kit import value_of
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.pir import actions as action_items
from bot.pir import review as reviews
from bot.pir.questions import QUESTIONS
from handlers.views.submitted import incident_id_in, metadata


async def pir_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    meta = metadata(view)
    base, prefilled = meta.get("base"), meta.get("prefilled")
    await deps.run(reviews.save, incident_id=incident_id_in(view), actor=body["user"]["id"],
                   answers={q.key: value_of(state, q.key) for q in QUESTIONS},
                   base=base if isinstance(base, int) else 0, via="modal",
                   prefilled=prefilled if isinstance(prefilled, dict) else {})
    await ack()


async def action_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    raw_due = value_of(state, "due")
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise InvalidInput("Pick a due date.", field="due") from None
    await deps.run(action_items.add_action, incident_id=incident_id_in(view), actor=body["user"]["id"],
                   owner=value_of(state, "owner"), due=due, kind=value_of(state, "kind"),
                   description=value_of(state, "description") or "", via="modal")
    await ack()
