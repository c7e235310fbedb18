"""The metrics panel in words: the Home tab's and `/incident stats`' figures for one period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.blocks.kit import mrkdwn
from bot.core import text as t
from bot.metrics.figures import Metrics, Stat
from bot.policy import Policy

CANNOT_POST = (":warning: I can't post in this channel. Invite me with `/invite @incident-bot`, "
               "or type `/incident stats` in a channel I'm in.")
SCOPE_NOTE = ("Incidents count by when they were declared, whatever their status now; drills never count. "
              "Times run from the start of the acknowledgement clock; p90 is the 90th percentile.")


def _names(policy: Policy) -> dict[int, str]:
    return {s.level: s.name for s in policy.severities}


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else t.duration(timedelta(seconds=round(seconds)))


def stat_line(label: str, s: Stat) -> str:
    if not s.n:
        return f"{label}: — (none yet)"
    return f"{label}: mean {_duration(s.mean)} · p90 {_duration(s.p90)} ({s.n} incident{'s' if s.n != 1 else ''})"


def punctuality_line(m: Metrics) -> str:
    if m.punctuality is None:
        return "Update punctuality: — (no update period has ended yet)"
    return (f"Update punctuality: {round(m.punctuality * 100)}% ({m.punctual_periods} of {m.counted_periods} "
            "update periods had their update before the reminder)")


def panel_text(m: Metrics, policy: Policy) -> str:
    names = _names(policy)
    counts = " · ".join(f"{names.get(level, f'SEV{level}')} {n}" for level, n in sorted(m.by_severity.items()))
    breaches = (f"SLA breaches: {m.ack_breaches} acknowledgement · {m.missed_updates} missed update "
                f"period{'s' if m.missed_updates != 1 else ''} · {m.escalated_updates} escalated")
    return "\n".join([
        f"*Last {m.days} days* (since {m.since:%Y-%m-%d %H:%M} UTC)",
        f"Incidents: *{m.total}*" + (f" — {counts}" if m.total else ""),
        stat_line("Time to acknowledge", m.acknowledge),
        stat_line("Time to mitigate", m.mitigate),
        stat_line("Time to resolve", m.resolve),
        *([stat_line("Time to detect (earliest evidence → declared)", m.detect)] if m.detect.n else []),
        breaches,
        punctuality_line(m),
        *([amounts_line(m)] if m.amounts else []),
    ])


def amounts_line(m: Metrics) -> str:
    """The impact facts' amounts, summed per quarter and currency (never converted)."""
    parts = [f"{q}: " + ", ".join(f"{cur} {amount:,.0f}" for cur, amount in sorted(by.items()))
             for q, by in m.amounts.items()]
    return "Amount affected per quarter: " + " · ".join(parts)


def weekly_text(m: Metrics, policy: Policy) -> str:
    """The chart's figures as words, for where the image cannot be shown."""
    names = _names(policy)
    parts = []
    for week in m.weeks:
        counts = ", ".join(f"{names.get(level, f'SEV{level}')} {n}" for level, n in sorted(week.counts.items()) if n)
        if counts:
            parts.append(f"{week.start:%b %d}: {counts}")
    if not parts:
        return f"Per week: no incidents in the last {m.days} days."
    return "Per week (weeks starting): " + " · ".join(parts)


def chart_alt(m: Metrics) -> str:
    return t.truncate(f"Incidents per week by severity over the last {m.days} days: {m.total} in all", 2000)


def panel_blocks(m: Metrics, policy: Policy, image_url: str | None = None) -> list[dict[str, Any]]:
    """The figures, then the chart when it can be fetched from `image_url`, else its figures as text."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(panel_text(m, policy))}]
    if image_url:
        blocks.append({"type": "image", "image_url": image_url, "alt_text": chart_alt(m)})
    else:
        blocks.append({"type": "context", "elements": [mrkdwn(t.truncate(weekly_text(m, policy), 3000))]})
    return blocks


def stats_message(m: Metrics, policy: Policy, requested_by: str | None) -> tuple[str, list[dict[str, Any]]]:
    """`/incident stats`: the panel as a channel message; the chart follows as an uploaded image."""
    who = f" for {t.user(requested_by)}" if requested_by else ""
    text = f":bar_chart: Incident metrics, last {m.days} days{who}"
    blocks = [
        {"type": "section", "text": mrkdwn(f"{text}\n\n{panel_text(m, policy)}")},
        {"type": "context", "elements": [mrkdwn(t.truncate(weekly_text(m, policy), 3000))]},
        {"type": "context", "elements": [mrkdwn(SCOPE_NOTE)]},
    ]
    return text + f": {m.total} incidents", blocks
