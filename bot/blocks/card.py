"""The incident's summary card, its channel topic, and the lines posted about it."""

from __future__ import annotations

from typing import Any

from bot import text as t
from bot.blocks import ids
from bot.blocks.clocks import clock_line
from bot.blocks.comms import draft_button
from bot.blocks.kit import date, mrkdwn, option, plain
from bot.policy import Policy
from bot.services.incidents import SETTABLE_STATUSES, SOURCES
from models import ALERT_ACTOR, ROLES, Incident

STATUS_EMOJI = {
    "investigating": ":mag:", "identified": ":bulb:", "mitigated": ":adhesive_bandage:",
    "resolved": ":white_check_mark:", "closed": ":lock:",
}
SEVERITY_EMOJI = {1: ":red_circle:", 2: ":large_orange_circle:", 3: ":large_yellow_circle:", 4: ":white_circle:"}
MAX_TOPIC = 250


def declarer(inc: Incident) -> str:
    """Who declared it: a person, or an alert's auto-declare rule."""
    return "an alert rule" if inc.declared_by == ALERT_ACTOR else t.user(inc.declared_by)


def severity_options(policy: Policy) -> list[dict[str, Any]]:
    return [option(s.title, str(s.level), s.impact) for s in policy.severities]


def status_options() -> list[dict[str, Any]]:
    return [option(f"{s.capitalize()}", s) for s in SETTABLE_STATUSES]


def topic(inc: Incident, policy: Policy) -> str:
    sev = policy.severity(inc.severity).name
    status = "Closed (review done)" if inc.status == "closed" else inc.status.capitalize()
    text = f"{sev} · {status} · IC: {t.user(inc.commander_id)} · {t.escape(inc.title)}"
    return t.truncate(text, MAX_TOPIC)


def header_text(inc: Incident) -> str:
    return t.truncate(f"{inc.key}: {t.plain(inc.title)}", 150)


def card(inc: Incident, policy: Policy) -> list[dict[str, Any]]:
    assert inc.id is not None
    sev = policy.severity(inc.severity)
    fields = [
        mrkdwn(f"*Severity*\n{SEVERITY_EMOJI.get(inc.severity, '')} {sev.title}"),
        mrkdwn(f"*Status*\n{STATUS_EMOJI.get(inc.status, '')} {inc.status.capitalize()}"),
    ]
    fields += [mrkdwn(f"*{title}*\n{t.user(inc.role_holder(role))}") for role, (_, title) in ROLES.items()]
    fields.append(mrkdwn(f"*Detected by*\n{SOURCES.get(inc.source, inc.source)}"))
    fields.append(mrkdwn(f"*Payment surface*\n{t.escape(inc.surface) if inc.surface else '_not given_'}"))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(header_text(inc), emoji=False)},
        {"type": "section", "text": mrkdwn(f"_{t.escape(sev.impact)}_"), "fields": fields},
    ]
    context = [f"Declared {date(inc.created_at)} by {declarer(inc)}"]
    if inc.resolved_at and inc.status in ("resolved", "closed"):
        context.append(f"resolved {date(inc.resolved_at)}")
    if inc.closed_at and inc.status == "closed":
        context.append(f"closed {date(inc.closed_at)}: review done")
    if inc.private:
        context.append(":lock: private incident")
    blocks.append({"type": "context", "elements": [mrkdwn(" · ".join(context))]})
    line = clock_line(inc)
    if line:
        blocks.append({"type": "context", "elements": [mrkdwn(line)]})
    if inc.status != "closed":
        blocks.append(controls(inc, policy))
    return blocks


def controls(inc: Incident, policy: Policy) -> dict[str, Any]:
    assert inc.id is not None
    sev_opts = severity_options(policy)
    status_opts = status_options()
    elements: list[dict[str, Any]] = [
        {"type": "static_select", "action_id": ids.SEVERITY_SELECT, "placeholder": plain("Severity"),
         "options": sev_opts, "initial_option": next(o for o in sev_opts if o["value"] == str(inc.severity))},
        {"type": "static_select", "action_id": ids.STATUS_SELECT, "placeholder": plain("Status"),
         "options": status_opts,
         **({"initial_option": next(o for o in status_opts if o["value"] == inc.status)}
            if inc.status in SETTABLE_STATUSES else {})},
        {"type": "button", "action_id": ids.ASSIGN_ROLES, "text": plain("Assign roles"), "value": str(inc.id)},
        {"type": "button", "action_id": ids.POST_UPDATE, "text": plain("Post update"), "value": str(inc.id)},
    ]
    if not inc.private:  # a private incident is never published to customers
        elements.append(draft_button(inc))
    if inc.acknowledged_at is None and inc.is_open:
        elements.insert(0, {"type": "button", "action_id": ids.ACKNOWLEDGE, "text": plain("Acknowledge"),
                            "style": "primary", "value": str(inc.id)})
    regulatory = option("Regulatory / legal impact", "regulatory")
    elements.append({"type": "checkboxes", "action_id": ids.REGULATORY, "options": [regulatory],
                     **({"initial_options": [regulatory]} if inc.regulatory else {})})
    if inc.status != "resolved":
        elements.append({"type": "button", "action_id": ids.RESOLVE, "text": plain("Resolve"), "style": "danger",
                         "value": str(inc.id)})  # opens the resolution checks
    return {"type": "actions", "block_id": ids.controls_block_id(inc.id), "elements": elements}


def card_text(inc: Incident, policy: Policy) -> str:
    """The notification and screen-reader text that goes with the card's blocks."""
    return t.escape(f"{inc.key} ({policy.severity(inc.severity).name}, {inc.status}): {inc.title}")


def announcement(inc: Incident, policy: Policy) -> str:
    sev = policy.severity(inc.severity).name
    return (f"{SEVERITY_EMOJI.get(inc.severity, ':rotating_light:')} *{inc.key}* ({sev}) {t.escape(inc.title)}"
            f" — declared by {declarer(inc)}, follow in {t.channel(inc.channel_id, inc.channel_name)}")
