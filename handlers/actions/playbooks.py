"""Ticks on the playbook checklist. Slack sends what the clicking person now sees ticked; compared
with what their copy of the message showed, that is exactly what they ticked or unticked, so two
people ticking different actions at once never undo each other."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.playbooks import service as playbooks
from handlers.actions.card import incident_id_of


def _shown(body: dict[str, Any], action: dict[str, Any]) -> set[str]:
    for block in (body.get("message") or {}).get("blocks") or []:
        if block.get("block_id") != action.get("block_id"):
            continue
        for el in block.get("elements") or []:
            if el.get("action_id") == action.get("action_id"):
                return {o.get("value") for o in el.get("initial_options") or []}
    return set()


async def ticked(ack: Any, action: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    deps: Deps = context["deps"]
    now_ticked = {o.get("value") for o in action.get("selected_options") or []}
    before = _shown(body, action)
    toggled = {int(v): True for v in now_ticked - before if str(v).isdigit()}
    toggled |= {int(v): False for v in before - now_ticked if str(v).isdigit()}
    await deps.run(playbooks.tick, incident_id=incident_id_of(action), actor=body["user"]["id"], toggled=toggled,
                   via="checklist")
    await ack()
