"""The customer-message modal, submitted: publish it. Refusals (not the Communications Manager, a
missing field) come back as an error on the field, and the modal stays open with the text."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import value_of
from bot.comms import service as comms
from bot.deps import Deps
from handlers.views.submitted import incident_id_in, metadata


async def publish_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    await deps.run(comms.publish, incident_id=incident_id_in(view), actor=body["user"]["id"],
                   status=value_of(state, "status") or "", title=value_of(state, "title") or "",
                   text=value_of(state, "message") or "", components=value_of(state, "components") or [],
                   impact=value_of(state, "impact"), template=metadata(view).get("template"), via="modal",
                   sync_statuspage=deps.settings.statuspage_enabled)
    await ack()
