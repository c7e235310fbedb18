"""Opening the review's forms, shared by the commands (which name the incident by its channel) and
the buttons (which name it by id), before the ack: the trigger_id lives three seconds. Reading only:
nothing is stored until a form is submitted."""

from __future__ import annotations

from typing import Any

from bot.core.records import get
from bot.deps import Deps
from bot.incidents.service import for_channel
from bot.pir import review as reviews
from bot.pir.blocks import action_modal, pir_modal
from handlers.modal import open_modal


async def open_review_form(deps: Deps, client: Any, trigger_id: str, *, incident_id: int | None = None,
                           channel_id: str | None = None) -> None:
    if incident_id is None:
        form = await deps.in_channel(channel_id, reviews.form, write=False)
    else:
        form = await deps.read(reviews.form, incident_id=incident_id)
    await open_modal(client, trigger_id, pir_modal(form.incident, form.review, impact_defaults=form.impact_defaults,
                                                   text_defaults=form.text_defaults))


async def open_action_form(deps: Deps, client: Any, trigger_id: str, *, incident_id: int | None = None,
                           channel_id: str | None = None, owner: str | None = None) -> None:
    if incident_id is None:
        inc = await deps.read(for_channel, channel_id=channel_id)
    else:
        inc = await deps.read(get, incident_id=incident_id)
    await open_modal(client, trigger_id, action_modal(inc, owner=owner, today=deps.clock.now().date()))
