"""Replies to `/incident` subcommands: help and the list of open incidents."""

from __future__ import annotations

from datetime import datetime

from bot import text as t
from bot.blocks.card import SEVERITY_EMOJI
from bot.clock import utc
from bot.policy import Policy
from models import Incident

HELP = """*`/incident` — run a payment incident from Slack*
*Anywhere*
• `/incident declare` — open the declare form
• `/incident declare sev1 Card payments failing in EU` — declare at once (severity `sev1`, `SEV-1`, `sev-1` or `1`)
• `/incident declare Card payments failing` — open the form with the title filled in
• `/incident list` — open incidents
• `/incident help` — this message
*Inside an incident channel*
• `/incident severity 2` — change the severity
• `/incident status investigating|identified|mitigated|resolved`
• `/incident role ic|tl|comms|oncall|support @person` — assign a role
• `/incident update <what changed>` — post an update
• `/incident ack` — acknowledge (the on-call engineer or the IC)
• `/incident clocks` — age, acknowledgement, next update due, anything overdue
• `/incident resolve` — resolve the incident"""


def age(created: datetime, now: datetime) -> str:
    minutes = int((utc(now) - utc(created)).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes}m"
    return f"{hours // 24}d"


def incident_list(incidents: list[Incident], policy: Policy, now: datetime) -> str:
    if not incidents:
        return ":white_check_mark: No open incidents."
    lines = [f"*Open incidents ({len(incidents)})*"]
    for inc in incidents[:40]:  # an ephemeral text stays far below Slack's limits
        sev = policy.severity(inc.severity).name
        lock = " :lock:" if inc.private else ""
        lines.append(
            f"{SEVERITY_EMOJI.get(inc.severity, '')} *{inc.key}* {sev} · {inc.status} · "
            f"{t.escape(t.truncate(inc.title, 80))} · IC {t.user(inc.commander_id)} · "
            f"{t.channel(inc.channel_id, inc.channel_name)} · {age(inc.created_at, now)}{lock}")
    if len(incidents) > 40:
        lines.append(f"…and {len(incidents) - 40} more.")
    return "\n".join(lines)
