"""What the clocks say: reminders with their buttons, escalations, the clock line on the card, and
`/incident clocks`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import date, mrkdwn, plain
from bot.core import text as t
from bot.core.clock import utc
from bot.policy import Policy
from bot.timeline.describe import escalation_why
from models import PAGERS, ROLES, Incident


def _acker(inc: Incident) -> str:
    """Who acknowledged: a person, or the pager for someone the bot does not know in Slack."""
    who = inc.acknowledged_by
    return f"someone in {PAGERS[who]}" if who in PAGERS else t.user(who)


def mention_group(group: str | None) -> str:
    return f"<!subteam^{group}>" if group else ""


def _took(seconds: int) -> str:
    return t.duration(timedelta(seconds=seconds))


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style:
        b["style"] = style
    return b


def ack_reminder(inc: Incident, severity: str, seconds: int, group: str | None) -> tuple[str, list[dict]]:
    who = mention_group(group) or (t.user(inc.oncall_id) if inc.oncall_id else t.user(inc.commander_id))
    text = (f":bell: {who} *{inc.key}* ({severity}) is still unacknowledged after {_took(seconds)}. "
            "Acknowledge it so everyone knows someone is on it.")
    return text, [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "actions", "block_id": f"ack_reminder:{inc.id}",
         "elements": [_button("Acknowledge", ids.ACKNOWLEDGE, str(inc.id), "primary")]},
    ]


def ack_breach(inc: Incident, severity: str, seconds: int, leadership: str | None) -> str:
    who = f"{mention_group(leadership)} " if leadership else ""
    return (f":rotating_light: {who}*{inc.key}* ({severity}) breached its acknowledgement SLA: nobody has "
            f"acknowledged it after {_took(seconds)}. {t.escape(inc.title)} · "
            f"{t.channel(inc.channel_id, inc.channel_name)}")


def _holders(inc: Incident) -> str:
    parts = []
    for role in ("ic", "comms"):
        holder = inc.role_holder(role)
        parts.append(t.user(holder) if holder else f"nobody holds the {ROLES[role][1]} role")
    return " and ".join(parts)


def update_reminder(inc: Incident, overdue: int, *, first: bool) -> tuple[str, list[dict]]:
    since = "is due" if first else f"is overdue by {_took(overdue)}"
    text = f":memo: {_holders(inc)}: an update on *{inc.key}* {since}. Post one, or snooze this reminder."
    return text, [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "actions", "block_id": f"update_reminder:{inc.id}", "elements": [
            _button("Post update", ids.POST_UPDATE, str(inc.id), "primary"),
            *(_button(f"Snooze {m} min", f"{ids.SNOOZE}:{m}", f"{inc.id}:{m}") for m in (15, 30, 60)),
        ]},
    ]


def update_escalation(inc: Incident, overdue: int, leadership: str | None = None) -> str:
    note = (f":warning: The update on *{inc.key}* ({t.escape(inc.title)}) is overdue by {_took(overdue)}, "
            f"a second full period. {t.channel(inc.channel_id, inc.channel_name)}")
    return f"{mention_group(leadership)} {note}".strip()


def leadership_escalation(inc: Incident, policy: Policy, why: dict[str, Any]) -> str:
    """The escalation channel's first line, mentioning the leadership group; the summary card follows it."""
    group = f"{mention_group(policy.escalation.leadership_group)} " if policy.escalation.leadership_group else ""
    return (f":rotating_light: {group}Leadership escalation: *{inc.key}* ({escalation_why(why)}) "
            f"· {t.channel(inc.channel_id, inc.channel_name)}")


def message(inc: Incident, p: dict[str, Any]) -> tuple[str, list[dict] | None]:
    """A `clock_message` job's message, from the figures the clock recorded when it came due."""
    kind = p["message"]
    if kind == "ack_reminder":
        return ack_reminder(inc, p["severity"], p["seconds"], p.get("group"))
    if kind == "ack_breach":
        return ack_breach(inc, p["severity"], p["seconds"], p.get("leadership")), None
    if kind == "update_reminder":
        return update_reminder(inc, p["overdue"], first=bool(p.get("first")))
    if kind == "update_escalation":
        return update_escalation(inc, p["overdue"], p.get("leadership")), None
    if kind == "role_reminder":
        return role_reminder(inc, p["roles"])
    raise ValueError(f"no clock message {kind!r}")


def role_reminder(inc: Incident, missing: list[str]) -> tuple[str, list[dict]]:
    names = ", ".join(ROLES[r][1] for r in missing)
    text = f":busts_in_silhouette: *{inc.key}* still has nobody as {names}. Can you take one?"
    return text, [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "actions", "block_id": f"role_reminder:{inc.id}",
         "elements": [_button(f"I'll take {ROLES[r][1]}", f"{ids.TAKE_ROLE}:{r}", f"{inc.id}:{r}")
                      for r in missing]},
    ]


def clock_line(inc: Incident) -> str:
    """One line on the card; absolute times, so it stays true between refreshes."""
    parts = []
    if inc.acknowledged_at is not None:
        took = f" in {t.duration(timedelta(seconds=inc.ack_seconds))}" if inc.ack_seconds is not None else ""
        parts.append(f":raised_hand: Acknowledged by {_acker(inc)}{took}")
    elif inc.is_open:
        parts.append(":hourglass: Not acknowledged yet")
    if inc.ack_breached_at is not None:
        parts.append(f":rotating_light: Ack SLA breached {date(inc.ack_breached_at)}")
    if inc.update_overdue_since is not None:
        parts.append(f":warning: Update overdue since {date(inc.update_overdue_since)}")
    elif inc.update_due_at is not None:
        parts.append(f"Next update due {date(inc.update_due_at)}")
    if inc.regulatory:
        parts.append(":scales: Regulatory / legal impact")
    if inc.failed_effects:
        n = inc.failed_effects
        parts.append(f":warning: {n} effect{'s' if n != 1 else ''} failed (`/incident timeline` says which)")
    return " · ".join(parts)


def _until(when: datetime, now: datetime) -> str:
    delta = utc(when) - utc(now)
    return f"in {t.duration(delta)}" if delta.total_seconds() >= 0 else f"{t.duration(-delta)} ago"


def summary(inc: Incident, policy: Policy, now: datetime) -> str:
    sev = policy.severity(inc.severity)
    lines = [f"*{inc.key} clocks* ({sev.name}, {inc.status})",
             f"• Age: {t.duration(utc(now) - utc(inc.created_at))} (declared {date(inc.created_at)})"]
    start = utc(inc.ack_started_at or inc.created_at)
    if inc.acknowledged_at is not None:
        lines.append(f"• Acknowledged by {_acker(inc)} after "
                     f"{t.duration(timedelta(seconds=inc.ack_seconds or 0))}")
    else:
        waiting = f"• Not acknowledged after {t.duration(utc(now) - start)}"
        if sev.ack_sla:
            waiting += f"; SLA {t.duration(sev.ack_sla)}"
        if sev.ack_breach:
            waiting += f", breach at {t.duration(sev.ack_breach)}"
        lines.append(waiting)
    if inc.update_due_at is not None:
        lines.append(f"• Next update due {date(inc.update_due_at)} ({_until(inc.update_due_at, now)})")
    elif inc.is_open:
        lines.append(f"• No update cadence for {sev.name}")
    overdue = []
    if inc.ack_breached_at is not None and inc.acknowledged_at is None:
        overdue.append(f"acknowledgement (SLA breached {_until(inc.ack_breached_at, now)})")
    if inc.update_overdue_since is not None:
        overdue.append(f"update (due {_until(inc.update_overdue_since, now)})")
    lines.append(f"• Overdue: {', '.join(overdue)}" if overdue else "• Nothing overdue")
    return "\n".join(lines)
