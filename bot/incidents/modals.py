"""The modals: declare an incident, assign roles, post an update.

Block ids double as field names, so a service's InvalidInput(field=...) lands on the right input.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.kit import input_block, modal_view, option, plain
from bot.comms.blocks import next_update_element
from bot.incidents.blocks import severity_options, status_options
from bot.policy import Policy, default_policy
from models import (
    MAX_SURFACE,
    MAX_TITLE,
    MAX_UPDATE,
    ROLES,
    SETTABLE_STATUSES,
    SOURCES,
    Incident,
)


def declare_modal(policy: Policy, *, user_id: str, title: str = "", severity: int | None = None,
                  metadata: dict[str, Any] | None = None, source: str | None = None,
                  note: str | None = None, incident_type: str | None = None) -> dict[str, Any]:
    """`source` pre-selects the detection source; `note` (mrkdwn) shows above the fields what the
    incident is declared from: an alert, or a quoted message with its link. `incident_type` pre-selects
    the playbook; left empty, it is guessed from the title."""
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
    type_opts = [option(p.name, key) for key, p in policy.playbooks.types.items()]
    type_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": type_opts,
                               "placeholder": plain("Guess from the title")}
    chosen_type = next((o for o in type_opts if o["value"] == incident_type), None)
    if chosen_type:
        type_el["initial_option"] = chosen_type
    blocks = [
        input_block("title", "Title", title_el),
        input_block("severity", "Severity", sev_el),
        input_block("incident_type", "Incident type", type_el, optional=True,
               hint="Picks the playbook of immediate actions posted in the channel."),
        input_block("source", "Detected by", {"type": "static_select", "action_id": "value", "options": source_opts,
                                         "initial_option": next((o for o in source_opts if o["value"] == source),
                                                                source_opts[-1])}),
        input_block("surface", "Affected payment surface",
               {"type": "plain_text_input", "action_id": "value", "max_length": MAX_SURFACE,
                "placeholder": plain("Card payments, bank transfers, a region…")}, optional=True),
        input_block("impact", "Payment impact",
               {"type": "plain_text_input", "action_id": "value", "max_length": 1000,
                "placeholder": plain("amount=12000 EUR failed=340 regions=DE,FR")}, optional=True,
               hint="Failed or delayed transactions, amount and currency, merchants, methods, acquirers, regions, "
                    "customers, data; the card's Impact button edits it later."),
        input_block("commander", "Incident Commander",
               {"type": "users_select", "action_id": "value", "initial_user": user_id}),
        input_block("private", "Visibility",
               {"type": "checkboxes", "action_id": "value",
                "options": [option("Private incident", "private",
                                   "A private channel, left out of every public listing")]},
               optional=True),
        input_block("regulatory", "Regulatory / legal impact",
               {"type": "checkboxes", "action_id": "value",
                "options": [option("Regulatory or legal impact", "regulatory",
                                   "Tells leadership at once (card data, PSD2 or scheme rules, a regulator)")]},
               optional=True),
    ]
    if note:
        blocks.insert(0, {"type": "section", "block_id": "declared_from", "text": {"type": "mrkdwn", "text": note}})
    return modal_view(ids.DECLARE_VIEW, "Declare incident", "Declare", blocks, metadata or {})


def roles_modal(inc: Incident) -> dict[str, Any]:
    assert inc.id is not None
    blocks = []
    for role, (column, title) in ROLES.items():
        el: dict[str, Any] = {"type": "users_select", "action_id": "value", "placeholder": plain("Nobody yet")}
        holder = getattr(inc, column)
        if holder:
            el["initial_user"] = holder
        blocks.append(input_block(role, title, el, optional=True))
    return modal_view(ids.ROLES_VIEW, f"Roles: {inc.key}"[:24], "Save", blocks, {"incident_id": inc.id})


def update_modal(inc: Incident, policy: Policy | None = None) -> dict[str, Any]:
    """A structured update: status, what changed, customer impact, actions taken, next steps, and
    when the next one is due (the severity's cadence unless chosen; absent when it has none)."""
    assert inc.id is not None
    opts = status_options()
    status_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": opts}
    if inc.status in SETTABLE_STATUSES:
        status_el["initial_option"] = next(o for o in opts if o["value"] == inc.status)
    blocks = [
        input_block("status", "Status", status_el),
        input_block("text", "What changed", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                        "max_length": MAX_UPDATE}),
        input_block("impact", "Customer impact", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                             "max_length": MAX_UPDATE,
                                             "placeholder": plain("Who cannot pay or get paid, and how many")},
               optional=True),
        input_block("actions", "Actions taken", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                            "max_length": MAX_UPDATE}, optional=True),
        input_block("next_steps", "Next steps", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                            "max_length": MAX_UPDATE}, optional=True),
    ]
    cadence = (policy or default_policy()).severity(inc.severity).update_cadence
    if cadence is not None:
        blocks.append(input_block("next_update", "Next update in",
                             next_update_element(int(cadence.total_seconds() // 60))))
    return modal_view(ids.UPDATE_VIEW, f"Update: {inc.key}"[:24], "Post update", blocks, {"incident_id": inc.id})
