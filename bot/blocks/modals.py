"""The modals: declare an incident, assign roles, post an update.

Block ids double as field names, so a service's InvalidInput(field=...) lands on the right input.
"""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import ids
from bot.blocks.card import option, plain, severity_options, status_options
from bot.policy import Policy
from bot.services.incidents import MAX_SURFACE, MAX_TITLE, MAX_UPDATE, SETTABLE_STATUSES, SOURCES
from models import ROLES, Incident


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]],
           metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": callback_id, "title": plain(title), "submit": plain(submit),
        "close": plain("Cancel"), "blocks": blocks, "private_metadata": json.dumps(metadata, separators=(",", ":")),
    }


def declare_modal(policy: Policy, *, user_id: str, title: str = "", severity: int | None = None,
                  metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    sev_opts = severity_options(policy)
    sev_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": sev_opts,
                              "placeholder": plain("How bad is it?")}
    if severity is not None:
        sev_el["initial_option"] = next(o for o in sev_opts if o["value"] == str(severity))
    title_el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": MAX_TITLE,
                                "placeholder": plain("Card payments failing in EU")}
    if title:
        title_el["initial_value"] = title[:MAX_TITLE]
    source_opts = [option(label, key) for key, label in SOURCES.items()]
    blocks = [
        _input("title", "Title", title_el),
        _input("severity", "Severity", sev_el),
        _input("source", "Detected by", {"type": "static_select", "action_id": "value", "options": source_opts,
                                         "initial_option": source_opts[-1]}),
        _input("surface", "Affected payment surface",
               {"type": "plain_text_input", "action_id": "value", "max_length": MAX_SURFACE,
                "placeholder": plain("Card payments, bank transfers, a region…")}, optional=True),
        _input("commander", "Incident Commander",
               {"type": "users_select", "action_id": "value", "initial_user": user_id}),
        _input("private", "Visibility",
               {"type": "checkboxes", "action_id": "value",
                "options": [option("Private incident", "private",
                                   "A private channel, left out of every public listing")]},
               optional=True),
        _input("regulatory", "Regulatory / legal impact",
               {"type": "checkboxes", "action_id": "value",
                "options": [option("Regulatory or legal impact", "regulatory",
                                   "Tells leadership at once (card data, PSD2 or scheme rules, a regulator)")]},
               optional=True),
    ]
    return _modal(ids.DECLARE_VIEW, "Declare incident", "Declare", blocks, metadata or {})


def roles_modal(inc: Incident) -> dict[str, Any]:
    assert inc.id is not None
    blocks = []
    for role, (column, title) in ROLES.items():
        el: dict[str, Any] = {"type": "users_select", "action_id": "value", "placeholder": plain("Nobody yet")}
        holder = getattr(inc, column)
        if holder:
            el["initial_user"] = holder
        blocks.append(_input(role, title, el, optional=True))
    return _modal(ids.ROLES_VIEW, f"Roles: {inc.key}"[:24], "Save", blocks, {"incident_id": inc.id})


def update_modal(inc: Incident) -> dict[str, Any]:
    assert inc.id is not None
    opts = status_options()
    status_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": opts}
    if inc.status in SETTABLE_STATUSES:
        status_el["initial_option"] = next(o for o in opts if o["value"] == inc.status)
    blocks = [
        _input("status", "Status", status_el),
        _input("text", "What changed", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                        "max_length": MAX_UPDATE}),
        _input("next_steps", "Next steps", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                            "max_length": MAX_UPDATE}, optional=True),
    ]
    return _modal(ids.UPDATE_VIEW, f"Update: {inc.key}"[:24], "Post update", blocks, {"incident_id": inc.id})


def value_of(state: dict[str, Any], block_id: str) -> Any:
    """The submitted value of an input block's `value` element, whatever its kind."""
    el = state.get("values", {}).get(block_id, {}).get("value") or {}
    kind = el.get("type")
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        return el.get("value")
    if kind in ("static_select", "radio_buttons"):
        opt = el.get("selected_option")
        return opt["value"] if opt else None
    if kind == "users_select":
        return el.get("selected_user")
    if kind in ("checkboxes", "multi_static_select"):
        return [o["value"] for o in el.get("selected_options") or []]
    return None
