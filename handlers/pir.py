"""Opening the review's forms, shared by the commands and the buttons (before the ack: the
trigger_id lives three seconds). Reading only: nothing is stored until a form is submitted."""

from __future__ import annotations

from typing import Any

from bot.blocks.pir import action_modal, pir_modal
from bot.deps import Deps
from bot.services import incidents
from bot.services import pir as reviews
from handlers.modal import open_modal


async def open_review_form(deps: Deps, client: Any, trigger_id: str, incident_id: int) -> None:
    async with deps.sessionmaker() as session:
        inc = await incidents.get(session, incident_id)
        review = await reviews.review_for(session, incident_id)
    if review is None:  # nothing saved yet: an empty form; the first save creates the review
        review = reviews.blank(inc, deps.policy, deps.clock.now())
    defaults = {"impact_start": inc.ack_started_at or inc.created_at, "impact_end": inc.mitigated_at or inc.resolved_at}
    await open_modal(client, trigger_id, pir_modal(inc, review, impact_defaults=defaults))


async def open_action_form(deps: Deps, client: Any, trigger_id: str, incident_id: int, *, owner: str | None) -> None:
    async with deps.sessionmaker() as session:
        inc = await incidents.get(session, incident_id)
    await open_modal(client, trigger_id, action_modal(inc, owner=owner, today=deps.clock.now().date()))
