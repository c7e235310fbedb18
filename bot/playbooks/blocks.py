"""The playbook checklist in the incident channel, and the resolution form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import input_block, modal_view, mrkdwn, plain
from bot.core import text as t
from bot.core.clock import utc
from bot.policy import Policy
from models import Checklist, Incident


def _option(index: int, item: dict[str, Any]) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": mrkdwn(t.truncate(t.escape(item["label"]), 75)), "value": str(index)}
    if item.get("done_by"):
        at = datetime.fromisoformat(item["done_at"])
        opt["description"] = mrkdwn(f"done by <@{item['done_by']}> at {utc(at):%H:%M} UTC")
    return opt


def checklist_message(inc: Incident, checklist: Checklist, policy: Policy) -> tuple[str, list[dict[str, Any]]]:
    assert inc.id is not None
    name = policy.playbooks.get(checklist.playbook).name
    options = [_option(i, item) for i, item in enumerate(checklist.items)]
    done = [o for o, item in zip(options, checklist.items, strict=True) if item.get("done_by")]
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": ids.PLAYBOOK_TICK, "options": options}
    if done:
        checkboxes["initial_options"] = done
    head = (f":toolbox: *Playbook: {t.escape(name)}*: immediate actions for {inc.key}. "
            "Tick what is done; everyone sees who did it, and it goes on the timeline.")
    blocks = [{"type": "section", "text": mrkdwn(head)},
              {"type": "actions", "block_id": ids.playbook_block_id(inc.id), "elements": [checkboxes]},
              {"type": "context", "elements": [mrkdwn(f"{len(done)} of {len(options)} done")]}]
    return f"Playbook for {inc.key}: {name} ({len(done)} of {len(options)} done)", blocks


def resolution_modal(inc: Incident, policy: Policy) -> dict[str, Any]:
    """Resolve through the checks; the reason is needed only when a check is left unticked."""
    assert inc.id is not None
    options = [{"text": plain(t.truncate(label, 75)), "value": str(i)} for i, label in enumerate(
        policy.resolution.checks)]
    blocks = [
        {"type": "section", "text": mrkdwn(f"Before *{inc.key}* is resolved: what is done?")},
        input_block("checks", "Resolution checks", {"type": "checkboxes", "action_id": "value", "options": options},
               optional=True),
        input_block("reason", "If anything is not done, why resolve now?",
               {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000},
               optional=True, hint="Recorded on the timeline with the resolution."),
    ]
    return modal_view(ids.RESOLVE_VIEW, f"Resolve {inc.key}"[:24], "Resolve", blocks, {"incident_id": inc.id})
