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
• `/incident stats [30d|90d]` — post the incident metrics and their chart in this channel (default 30d)
• `/incident drill` — the game-day scenarios; `/incident drill <name>` starts one as a [DRILL] incident
• `/incident help` — this message
*Inside an incident channel*
• `/incident severity 2` — change the severity
• `/incident status investigating|identified|mitigated|resolved`
• `/incident role ic|tl|comms|oncall|support @person` — assign a role
• `/incident update <what changed>` — post an update (the card's *Post update* opens the full form)
• `/incident draft [template] [status]` — draft the customer message (only the comms manager publishes)
• `/incident ack` — acknowledge (the on-call engineer or the IC)
• `/incident clocks` — age, acknowledgement, next update due, anything overdue
• `/incident resolve` — resolve, through the resolution checks (a reason for any left undone)
*The post-incident review*
• `/incident pir` — open the review form (answers are saved as revisions; several people can write)
• `/incident action @owner 2026-12-01 detect: alert on auth rate` — add an action item (due also `tomorrow`, `3d`, `2w`)
• `/incident actions` — this incident's open action items; outside an incident channel, yours
• `/incident pir export` — upload the review document (Markdown) to the channel
• `/incident pir complete` — the IC completes the review and closes the incident
• `/incident pir skip <reason>` — close without a review, where the policy makes it optional
*The timeline*
• `/incident note <text>` — add a note to the timeline (pinning a message or a :pushpin: reaction adds it too)
• `/incident timeline [page]` — the timeline, 20 events a page"""


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
