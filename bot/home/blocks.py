"""The App Home tab: open incidents with their clocks, the viewer's incidents and action items,
and the metrics panel for the last 30 and 90 days.

Slack allows a Home view 100 blocks and a section 3,000 characters, so every list is cut: the first
MAX_OPEN open incidents (most severe, then anything overdue, then newest) get a section each and
the rest are summarised by severity; the viewer's incidents and action items are one section each.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from bot.blocks.kit import date, mrkdwn, plain
from bot.core import text as t
from bot.core.clock import utc
from bot.home.data import HomeData
from bot.incidents.blocks import SEVERITY_EMOJI, age
from bot.metrics.blocks import SCOPE_NOTE, panel_blocks
from bot.metrics.figures import Metrics
from bot.policy import Policy
from models import ROLES, ActionItem, Incident

MAX_OPEN = 20
MAX_MINE = 10
MAX_ACTIONS = 15
SECTION_BUDGET = 2900  # characters of lines in one section, under Slack's 3,000


def severity_name(policy: Policy, level: int) -> str:
    return next((s.name for s in policy.severities if s.level == level), f"SEV{level}")


def is_overdue(inc: Incident) -> bool:
    return inc.update_overdue_since is not None or (inc.ack_breached_at is not None and inc.acknowledged_at is None)


def _order(inc: Incident) -> tuple[int, bool, float]:
    return inc.severity, not is_overdue(inc), -utc(inc.created_at).timestamp()


def _label(inc: Incident, policy: Policy) -> str:
    drill = "[DRILL] " if inc.drill else ""
    lock = " :lock:" if inc.private else ""
    return (f"{SEVERITY_EMOJI.get(inc.severity, '')} {drill}*{inc.key}* {severity_name(policy, inc.severity)} · "
            f"{inc.status} · {t.escape(t.truncate(inc.title, 80))}{lock}")


def clock_state(inc: Incident) -> str:
    """Acknowledgement and the next update, and what is overdue, as short words."""
    parts = []
    if inc.acknowledged_at is None:
        parts.append(":rotating_light: *ack SLA breached*" if inc.ack_breached_at is not None
                     else ":hourglass: not acknowledged")
    if inc.update_overdue_since is not None:
        parts.append(f":warning: *update overdue* since {date(inc.update_overdue_since)}")
    elif inc.update_due_at is not None:
        parts.append(f"next update due {date(inc.update_due_at)}")
    return " · ".join(parts)


def open_incident(inc: Incident, policy: Policy, now: datetime) -> dict[str, Any]:
    details = [f"IC {t.user(inc.commander_id)}", f"age {age(inc.created_at, now)}",
               t.channel(inc.channel_id, inc.channel_name)]
    clocks = clock_state(inc)
    if clocks:
        details.append(clocks)
    return {"type": "section", "text": mrkdwn(f"{_label(inc, policy)}\n{' · '.join(details)}")}


def _fit(lines: list[str], more: str) -> str:
    """As many lines as fit one section, then `more` (with {n}: how many were left out)."""
    kept: list[str] = []
    size = len(more) + 10
    for line in lines:
        if size + len(line) + 1 > SECTION_BUDGET:
            break
        kept.append(line)
        size += len(line) + 1
    if len(kept) < len(lines):
        kept.append(more.format(n=len(lines) - len(kept)))
    return "\n".join(kept)


def open_section(incidents: list[Incident], policy: Policy, now: datetime) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(f"Open incidents ({len(incidents)})")}]
    if not incidents:
        return [*blocks, {"type": "section", "text": mrkdwn(":white_check_mark: No open incidents.")}]
    ordered = sorted(incidents, key=_order)
    blocks += [open_incident(inc, policy, now) for inc in ordered[:MAX_OPEN]]
    rest = ordered[MAX_OPEN:]
    if rest:
        by_sev = Counter(inc.severity for inc in rest)
        counts = ", ".join(f"{n} {severity_name(policy, level)}" for level, n in sorted(by_sev.items()))
        overdue = sum(1 for inc in rest if is_overdue(inc))
        note = f", {overdue} with something overdue" if overdue else ""
        blocks.append({"type": "context", "elements": [mrkdwn(
            f"…and {len(rest)} more ({counts}{note}): `/incident list` shows them all.")]})
    return blocks


def _my_roles(inc: Incident, viewer: str) -> str:
    mine = [title for column, title in ROLES.values() if getattr(inc, column) == viewer]
    if inc.declared_by == viewer:
        mine.append("declared it")
    return ", ".join(mine)


def mine_section(incidents: list[Incident], policy: Policy, viewer: str, now: datetime) -> list[dict[str, Any]]:
    lines = []
    for inc in incidents[:MAX_MINE]:
        state = f"age {age(inc.created_at, now)}" if inc.is_open or inc.resolved_at is None \
            else f"resolved {date(inc.resolved_at)}"
        overdue = " · :warning: overdue" if inc.is_open and is_overdue(inc) else ""
        lines.append(f"• {_label(inc, policy)} · you: {_my_roles(inc, viewer)} · {state}{overdue} · "
                     f"{t.channel(inc.channel_id, inc.channel_name)}")
    if len(incidents) > MAX_MINE:
        lines.append(f"…and {len(incidents) - MAX_MINE} more.")
    text = _fit(lines, "…and {n} more.") if lines else "You hold no role in an open or recently resolved incident."
    return [{"type": "header", "text": plain(f"My incidents ({len(incidents)})")},
            {"type": "section", "text": mrkdwn(text)}]


def action_line(item: ActionItem, inc: Incident, now: datetime) -> str:
    overdue = " · :warning: *overdue*" if item.due_date < utc(now).date() else ""
    return (f"• *{inc.key}* {t.escape(t.truncate(item.description, 150))} · {item.kind} · "
            f"due {item.due_date:%Y-%m-%d}{overdue}")


def actions_section(actions: list[tuple[ActionItem, Incident]], now: datetime) -> list[dict[str, Any]]:
    lines = [action_line(item, inc, now) for item, inc in actions[:MAX_ACTIONS]]
    if len(actions) > MAX_ACTIONS:
        lines.append(f"…and {len(actions) - MAX_ACTIONS} more: `/incident actions` lists them all.")
    text = _fit(lines, "…and {n} more: `/incident actions` lists them all.") if lines \
        else "No open action items assigned to you."
    return [{"type": "header", "text": plain(f"My open action items ({len(actions)})")},
            {"type": "section", "text": mrkdwn(text)}]


def chart_url(public_url: str | None, m: Metrics) -> str | None:
    """The chart on the bot's own HTTP server; the query string changes with the figures, so Slack's
    image cache never shows an old chart."""
    if not public_url:
        return None
    version = "-".join(str(sum(w.counts.values())) for w in m.weeks)
    return f"{public_url}/charts/metrics-{m.days}d.png?v={utc(m.until):%Y%m%d}-{version}"


def metrics_section(panels: list[Metrics], policy: Policy, public_url: str | None) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain("Metrics")}]
    for m in panels:
        blocks += panel_blocks(m, policy, chart_url(public_url, m))
    blocks.append({"type": "context", "elements": [mrkdwn(SCOPE_NOTE + " `/incident stats 30d|90d` posts "
                                                          "these figures in a channel.")]})
    return blocks


def home_view(data: HomeData, policy: Policy, public_url: str | None = None) -> dict[str, Any]:
    divider = {"type": "divider"}
    blocks = [
        *open_section(data.open_incidents, policy, data.now), divider,
        *mine_section(data.mine, policy, data.viewer, data.now), divider,
        *actions_section(data.actions, data.now), divider,
        *metrics_section(data.panels, policy, public_url), divider,
        {"type": "context", "elements": [mrkdwn("Declare with `/incident declare`; `/incident help` lists every "
                                                "command.")]},
    ]
    return {"type": "home", "blocks": blocks}
