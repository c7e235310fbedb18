"""The review form and the action-item form, submitted. Field errors come back on the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.modals import value_of
from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import pir as reviews
from handlers.views.submitted import _incident_id, _metadata


async def pir_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    answers = {q.key: value_of(state, q.key) for q in reviews.QUESTIONS}
    base = _metadata(view).get("base")
    async with deps.sessionmaker() as session, session.begin():
        await reviews.save(session=session, clock=deps.clock, policy=deps.policy, incident_id=_incident_id(view),
                           actor=body["user"]["id"], answers=answers, base=base if isinstance(base, int) else 0,
                           via="modal")
    await ack()


async def action_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    raw_due = value_of(state, "due")
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise InvalidInput("Pick a due date.", field="due") from None
    async with deps.sessionmaker() as session, session.begin():
        await reviews.add_action(session=session, clock=deps.clock, policy=deps.policy, incident_id=_incident_id(view),
                                 actor=body["user"]["id"], owner=value_of(state, "owner"), due=due,
                                 kind=value_of(state, "kind"), description=value_of(state, "description") or "",
                                 via="modal")
    await ack()
