"""Customer-message buttons: "Draft customer message" (on the card, and "Draft resolved message" on
the resolved-message reminder) opens the pre-filled modal; "Skip" answers the reminder without one."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.comms import service as comms
from bot.comms.blocks import draft_modal
from bot.core.errors import InvalidInput
from bot.deps import Deps
from handlers.modal import open_modal


def _target(action: dict[str, Any]) -> tuple[int, str | None]:
    """(incident id, public status) from the button: its value is "<id>" or "<id>:<status>", or the
    card's controls block names the incident."""
    raw, _, status = str(action.get("value") or "").partition(":")
    if raw.isdigit():
        return int(raw), status or None
    incident_id = ids.incident_from_block_id(action.get("block_id", ""))
    if incident_id is None:
        raise InvalidInput("This button does not belong to an incident.")
    return incident_id, None


async def open_draft(deps: Deps, client: Any, trigger_id: str, user: str, incident_id: int | None = None, *,
                     template: str | None = None, status: str | None = None, channel_id: str | None = None) -> None:
    """The customer-message modal for the incident (or the incident of `channel_id`), pre-filled."""
    if incident_id is None:
        draft = await deps.in_channel(channel_id, comms.draft, write=False, template=template, status=status)
    else:
        draft = await deps.read(comms.draft, incident_id=incident_id, template=template, status=status)
    await open_modal(client, trigger_id, draft_modal(draft, deps.policy, viewer=user,
                                                     statuspage=deps.settings.statuspage_enabled))


async def draft_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                        client: Any) -> None:
    incident_id, status = _target(action)
    await open_draft(context["deps"], client, body["trigger_id"], body["user"]["id"], incident_id, status=status)
    await ack()


async def skip_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                       respond: Any) -> None:
    deps: Deps = context["deps"]
    incident_id, _ = _target(action)
    change = await deps.run(comms.skip_resolved_message, incident_id=incident_id, actor=body["user"]["id"],
                            via="button")
    await ack()
    if not change.changed:
        await respond(text=f"The resolved message for {change.incident.key} is already dealt with.",
                      response_type="ephemeral", replace_original=False)
