"""The impact, classification and "Mark submitted" forms, submitted."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import value_of
from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.impact import fields
from bot.impact import service as impact
from bot.regulatory import service as regulatory
from handlers.views.submitted import incident_id_in, metadata


async def impact_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    state = view["state"]
    values = impact.parse_form({key: value_of(state, key) for key in fields.FIELDS})
    await deps.run(impact.set_impact, incident_id=incident_id_in(view), values=values, actor=body["user"]["id"],
                   via="modal")
    await ack()


async def classify_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    regime = metadata(view).get("regime")
    if not isinstance(regime, str):
        raise InvalidInput("This form has lost track of its regime; open it again from the card.")
    state = view["state"]
    inputs: dict[str, Any] = {key: True for key in value_of(state, "flags") or []}
    for block_id in state.get("values", {}):
        if block_id != "flags":
            inputs[block_id] = value_of(state, block_id)
    await deps.run(regulatory.classify, incident_id=incident_id_in(view), regime=regime, inputs=inputs,
                   actor=body["user"]["id"], via="modal")
    await ack()


async def submitted_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    report_id = metadata(view).get("report_id")
    if not isinstance(report_id, int):
        raise InvalidInput("This form has lost track of its report; open it again from `/incident regulatory`.")
    await deps.run(regulatory.mark_submitted, report_id=report_id, reference=value_of(view["state"], "reference") or "",
                   actor=body["user"]["id"], via="modal")
    await ack()
