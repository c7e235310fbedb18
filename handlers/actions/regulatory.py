"""The card's *Impact* button and *Classify* select, and *Mark submitted* / *Draft the report* on a
report (in `/incident regulatory` and in the reminders): each opens its form, or asks for the draft."""

from __future__ import annotations

from typing import Any

from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.impact import blocks as impact_views
from bot.impact import service as impact
from bot.regulatory import blocks as views
from bot.regulatory import service as regulatory
from handlers.actions.card import incident_id_of
from handlers.modal import open_modal


def _report_id(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button does not belong to a report.")
    return int(value)


async def impact_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                         client: Any) -> None:
    deps: Deps = context["deps"]
    inc, values = await deps.read(impact.show, incident_id=incident_id_of(action))
    await open_modal(client, body["trigger_id"], impact_views.impact_modal(inc, values))
    await ack()


async def classify_selected(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                            client: Any) -> None:
    deps: Deps = context["deps"]
    regime = (action.get("selected_option") or {}).get("value") or None
    inc, reg, values = await deps.read(regulatory.classify_form, incident_id=incident_id_of(action), regime=regime,
                                       actor=body["user"]["id"])
    await open_modal(client, body["trigger_id"], views.classify_modal(inc, reg, values))
    await ack()


async def mark_submitted_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any],
                                 client: Any) -> None:
    deps: Deps = context["deps"]
    inc, row = await deps.read(regulatory.submitted_form, report_id=_report_id(action), actor=body["user"]["id"])
    await open_modal(client, body["trigger_id"], views.submitted_modal(inc, deps.policy, row))
    await ack()


async def draft_clicked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    await deps.run(regulatory.draft_report, report_id=_report_id(action), actor=body["user"]["id"], via="card")
    await ack()
