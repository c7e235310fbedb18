"""The incident in Slack: its summary card, channel topic and announcement, the private notices its
declarer gets, and the replies to `/incident help` and `/incident list`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import date, mrkdwn, option, plain
from bot.clocks.blocks import clock_line
from bot.comms.blocks import draft_button
from bot.core import text as t
from bot.core.clock import utc
from bot.impact.blocks import card_line as impact_line
from bot.paging.blocks import card_line
from bot.policy import Policy
from bot.regulatory import blocks as reg_blocks
from models import ALERT_ACTOR, ROLES, SETTABLE_STATUSES, SOURCES, Classification, Incident, Page, RegulatoryReport

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
    status = closed_words(inc).capitalize() if inc.status == "closed" else inc.status.capitalize()
    text = f"{sev} · {status} · IC: {t.user(inc.commander_id)} · {t.escape(inc.title)}"
    return t.truncate(text, MAX_TOPIC)


def closed_words(inc: Incident) -> str:
    return "closed (without a review)" if inc.review_skipped else "closed (review done)"


def header_text(inc: Incident) -> str:
    return t.truncate(f"{inc.key}: {t.plain(inc.title)}", 150)


def card(inc: Incident, policy: Policy, page: Page | None = None, *, impact: dict[str, Any] | None = None,
         decided: list[Classification] | None = None, reports: list[RegulatoryReport] | None = None,
         now: datetime | None = None) -> list[dict[str, Any]]:
    """The summary card. `page`: the incident's page to PagerDuty or Opsgenie, when it has one (bot/paging);
    with the impact, the classifications and the reports' clocks when the caller read them
    (bot/incidents/effects.py), their lines too."""
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
        context.append(f"closed {date(inc.closed_at)}: {'without a review' if inc.review_skipped else 'review done'}")
    if inc.private:
        context.append(":lock: private incident")
    blocks.append({"type": "context", "elements": [mrkdwn(" · ".join(context))]})
    line = clock_line(inc)
    if line:
        blocks.append({"type": "context", "elements": [mrkdwn(line)]})
    paged = card_line(page)
    if paged:
        blocks.append({"type": "context", "elements": [mrkdwn(paged)]})
    extra = [impact_line(impact or {}), reg_blocks.classification_line(policy, decided or [])]
    if now is not None:
        extra += reg_blocks.clock_lines(policy, reports or [], now)
    if any(extra):
        blocks.append({"type": "context", "elements": [mrkdwn(e) for e in extra if e][:10]})
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
    elements += reg_blocks.card_controls(inc, policy)
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


HELP = """*`/incident` — run a payment incident from Slack*
*Anywhere*
• `/incident declare` — open the declare form
• `/incident declare sev1 Card payments failing in EU` — declare at once (severity `sev1`, `SEV-1`, `sev-1` or `1`)
• `/incident declare Card payments failing` — open the form with the title filled in
• `/incident list` — open incidents
• `/incident stats [30d|90d]` — post the incident metrics and their chart in this channel (default 30d)
• `/incident drill` — the game-day scenarios; `/incident drill <name>` starts one as a [DRILL] incident
• `/incident oncall` — who is on call now in PagerDuty or Opsgenie, for each paging route
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
*Payment impact and regulatory reporting*
• `/incident impact amount=12000 EUR failed=340 regions=DE,FR` — record the impact (alone: show it; `form`: edit)
• `/incident classify [regime]` — classify under a regime (DORA, GDPR…): major or not, by the policy's rule
• `/incident regulatory` — every report's clock; `draft [regime] [report]`, `submitted <regime> <report> <reference>`
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


def notice(inc: Incident, policy: Policy, p: dict[str, Any]) -> str:
    """What the declarer is told privately (a `respond` job): declared, the channel ready, or not."""
    kind = p.get("notice")
    if kind == "declared":
        return (f":rotating_light: Declared *{inc.key}* ({policy.severity(inc.severity).name}): "
                f"{t.escape(inc.title)}. Setting up its channel; the link follows.")
    if kind == "ready":
        return f":white_check_mark: *{inc.key}* is ready in {t.channel(inc.channel_id, inc.channel_name)}."
    if kind == "channel_failed":
        return (f":warning: The incident is recorded, but its channel could not be created ({p.get('error')}). "
                "`/incident list` shows it.")
    raise ValueError(f"no notice {kind!r}")


def declared_reply(number: int, severity: int, title: str, policy: Policy, channel: str) -> str:
    """The answer to `/incident declare sev1 …`, before the incident exists: its number is taken and the
    request stored (bot/intake); the worker declares it."""
    return (f":rotating_light: Declared *INC-{number}* ({policy.severity(severity).name}): {t.escape(title)}\n"
            f"Setting up #{channel}; I'll post the link here as soon as it exists.")


def redacted(inc: Incident, policy: Policy, channel: str | None = None) -> str:
    """A private incident outside its channel, where the policy does not call that place private-safe:
    its key, severity and who to ask, nothing of what it is about. Leadership is still mentioned in the
    escalation channel."""
    lead = policy.escalation.leadership_group if channel and channel == policy.escalation.channel else None
    group = f"<!subteam^{lead}> " if lead else ""
    who = t.user(inc.commander_id) if inc.commander_id else "its channel's members"
    return (f":lock: {group}*{inc.key}* ({policy.severity(inc.severity).name}) is a private incident: ask {who} "
            "if you need to know more.")


def held_for_drill(channel: str, text: str, blocks: list[dict[str, Any]] | None) -> tuple[str, list[dict] | None]:
    """A drill's message that would have left the drill's channel: it stays there, saying where it would go."""
    note = f"_A drill: in a real incident this goes to {t.channel(channel)}._"
    if blocks:
        return text, [*blocks, {"type": "context", "elements": [mrkdwn(note)]}]
    return f"{text}\n{note}", None


def failure_notice(inc: Incident | None, what: str, error: str, *, to_operators: bool) -> str:
    """An effect that failed for good, told in the incident channel, to its IC and to the operators."""
    about = f" for *{inc.key}*" if inc is not None and to_operators else ""
    hint = " Whoever runs the bot can see the details in its log." if not to_operators else ""
    return t.truncate(f":warning: I could not {what}{about}: {t.escape(error)}.{hint}", 3000)


def handover(inc: Incident, p: dict[str, Any]) -> str:
    """The DM to whoever held a role that someone else has now reassigned."""
    title = ROLES[p["role"]][1]
    if p.get("to"):
        return (f":bust_in_silhouette: {t.user(p.get('actor'))} made {t.user(p['to'])} the {title} of *{inc.key}* "
                f"({t.channel(inc.channel_id, inc.channel_name)}); you no longer hold that role.")
    return (f":bust_in_silhouette: {t.user(p.get('actor'))} unassigned you as the {title} of *{inc.key}* "
            f"({t.channel(inc.channel_id, inc.channel_name)}).")
