"""Drills in Slack: the list of scenarios, a scripted event as posted, and the drill report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core import text as t
from bot.policy import Policy
from models import ROLES, Incident

EVENT_LABELS = {
    "alert": ":rotating_light: *[DRILL] Alert*",
    "merchant_complaint": ":office: *[DRILL] Merchant complaint*",
    "customer_report": ":speech_balloon: *[DRILL] Customer report*",
    "update": ":chart_with_upwards_trend: *[DRILL] Monitoring*",
    "message": ":speaking_head_in_silhouette: *[DRILL]*",
}


def scenarios_text(policy: Policy) -> str:
    lines = ["*Drill scenarios* (`/incident drill <name>`):"]
    for key, drill in policy.drills.scenarios.items():
        speed = f", clocks {drill.speed}× faster" if drill.speed > 1 else ""
        lines.append(f"• `{key}`: {t.escape(drill.name)} ({len(drill.events)} scripted events{speed})")
    return "\n".join(lines)


def started(inc: Incident) -> str:
    return (f":joystick: Drill *{inc.key}* started: {t.escape(inc.title)}. Its channel link follows; "
            "resolve it to end the drill and get the report.")


def event_message(kind: str, text: str) -> str:
    return f"{EVENT_LABELS[kind]}\n{t.escape(text)}"


def _duration(seconds: int) -> str:
    return t.duration(timedelta(seconds=seconds))


def report(inc: Incident, figures: dict[str, Any]) -> str:
    """How the team did: acknowledgement, update punctuality, checklist, roles."""
    ack = ((f"{_duration(figures['ack_seconds'])} in drill time" + (" (SLA breached)" if figures["ack_breached"]
                                                                    else ""))
           if figures["ack_seconds"] is not None else "never acknowledged")
    updates, reminders = figures["updates"], figures["reminders"]
    on_time = f"{updates} posted, {reminders} reminder{'s' if reminders != 1 else ''} needed"
    if updates:
        on_time += f" ({max(0, updates - reminders) * 100 // updates}% on time)"
    done, total = figures["checklist_done"], figures["checklist_total"]
    filled = [ROLES[r][1] for r in figures["roles_filled"]]
    empty = [ROLES[r][1] for r in figures["roles_open"]]
    lines = [
        f":checkered_flag: *Drill report for {inc.key}* ({t.escape(inc.title)})",
        f"• Time to acknowledge: {ack}",
        f"• Updates: {on_time}",
        f"• Playbook checklist: {done} of {total} done" if total else "• Playbook checklist: none",
        f"• Roles filled: {', '.join(filled) or 'none'}" + (f"; open: {', '.join(empty)}" if empty else ""),
        f"• Drill length: {_duration(figures['length_seconds'])} in drill time",
    ]
    return "\n".join(lines)
