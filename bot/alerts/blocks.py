"""The triage message an alert group posts in the alerts channel, the attach modal, the quote a
message shortcut shows in the declare modal, and the lines an attached alert posts in its incident's
channel. Pure builders: plain data in, Block Kit out."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.kit import date, mrkdwn, option, plain
from bot.core import text as t
from bot.policy import Policy
from models import ALERT_SOURCE_NAMES as SOURCE_NAMES
from models import AlertGroup, Incident

MAX_SUMMARY = 600
MAX_LABELS_SHOWN = 8
MAX_MEMBERS_SHOWN = 15
MAX_LINKS = 4
SKIPPED_LABELS = {"alertname", "__name__"}


def _severity(group: AlertGroup, policy: Policy) -> str:
    if group.suggested_severity is None or group.suggested_severity not in policy.levels:
        return "_unknown_"
    sev = policy.severity(group.suggested_severity).title
    return f"{sev} (alert: {t.escape(group.severity)})" if group.severity else sev


def _count(group: AlertGroup) -> str:
    text = f"{group.count} alert{'s' if group.count != 1 else ''}"
    if group.refires:
        text += f" · fired again {group.refires}×"
    return text


def _labels(group: AlertGroup) -> str | None:
    shown = [(k, v) for k, v in sorted(group.labels.items()) if k not in SKIPPED_LABELS and v]
    if not shown:
        return None
    parts = [f"`{t.escape(k)}={t.escape(t.truncate(str(v), 60))}`" for k, v in shown[:MAX_LABELS_SHOWN]]
    if len(shown) > MAX_LABELS_SHOWN:
        parts.append(f"+{len(shown) - MAX_LABELS_SHOWN} more")
    return t.truncate(" ".join(parts), 2000)


def triage_text(group: AlertGroup) -> str:
    """The notification text (and what screen readers say)."""
    state = "Resolved" if group.status == "resolved" else "Firing"
    return t.truncate(f"{state}: {t.escape(group.title)} ({_count(group)})", 3000)


def triage_message(group: AlertGroup, inc: Incident | None, policy: Policy) -> list[dict[str, Any]]:
    assert group.id is not None
    resolved = group.status == "resolved"
    icon = ":white_check_mark:" if resolved else ":rotating_light:"
    header = t.truncate(f"{'Resolved' if resolved else 'Firing'}: {t.plain(group.title)}", 150)
    status = f"{icon} Resolved {date(group.resolved_at)}" if resolved and group.resolved_at else f"{icon} Firing"
    fields = [
        mrkdwn(f"*Status*\n{status}"),
        mrkdwn(f"*Suggested severity*\n{_severity(group, policy)}"),
        mrkdwn(f"*Source*\n{SOURCE_NAMES.get(group.source, group.source)}"),
        mrkdwn(f"*Count*\n{_count(group)}"),
        mrkdwn(f"*First seen*\n{date(group.first_seen)}"),
        mrkdwn(f"*Last seen*\n{date(group.last_seen)}"),
    ]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(header, emoji=False)}]
    if group.summary:
        blocks.append({"type": "section", "text": mrkdwn(t.escape(t.truncate(group.summary, MAX_SUMMARY)))})
    blocks.append({"type": "section", "fields": fields})
    members = members_block(group)
    if members:
        blocks.append(members)
    labels = _labels(group)
    if labels:
        blocks.append({"type": "context", "elements": [mrkdwn(labels)]})
    notes = []
    if inc is not None:
        where = "(a private incident)" if inc.private else t.channel(inc.channel_id, inc.channel_name)
        notes.append(f":link: Attached to *{inc.key}* {where} by {_who(group.attached_by)}")
    if group.acknowledged_at:
        notes.append(f":eyes: Acknowledged by {t.user(group.acknowledged_by)} {date(group.acknowledged_at)}")
    if group.dismissed_at:
        notes.append(f":mute: Dismissed by {t.user(group.dismissed_by)} {date(group.dismissed_at)}")
    if notes:
        blocks.append({"type": "context", "elements": [mrkdwn(" · ".join(notes))]})
    actions = _actions(group, inc)
    if actions:
        blocks.append({"type": "actions", "block_id": ids.triage_block_id(group.id), "elements": actions})
    return blocks


def _who(actor: str | None) -> str:
    return "an auto-declare rule" if actor == "alerts" else t.user(actor)


def _button(action_id: str, text: str, group: AlertGroup, style: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(text), "value": str(group.id)}
    if style:
        el["style"] = style
    return el


def _actions(group: AlertGroup, inc: Incident | None) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    if inc is None and group.dismissed_at is None:
        elements.append(_button(ids.ALERT_DECLARE, "Declare incident", group, "primary"))
        if group.acknowledged_at is None:
            elements.append(_button(ids.ALERT_ACK, "Acknowledge", group))
        elements.append(_button(ids.ALERT_ATTACH, "Attach to INC-n", group))
        elements.append(_button(ids.ALERT_DISMISS, "Dismiss", group))
    if group.link:
        elements.append({"type": "button", "action_id": ids.ALERT_LINK, "url": group.link,
                         "text": plain(f"Open in {SOURCE_NAMES.get(group.source, group.source)}")})
    for n, (label, url) in enumerate(list((group.links or {}).items())[:MAX_LINKS]):
        elements.append({"type": "button", "action_id": f"{ids.ALERT_LINK}:{n}", "url": url,
                         "text": plain(t.truncate(label, 75))})
    return elements


def members_block(group: AlertGroup) -> dict[str, Any] | None:
    """A group the source sent several alerts of: each one and its state, and what the source left out."""
    members = group.members or {}
    if len(members) <= 1 and not group.truncated:
        return None
    firing = sum(1 for m in members.values() if m.get("status") == "firing")
    lines = [f"*{len(members)} alerts*: {firing} firing, {len(members) - firing} resolved"]
    for m in list(members.values())[:MAX_MEMBERS_SHOWN]:
        icon = ":rotating_light:" if m.get("status") == "firing" else ":white_check_mark:"
        lines.append(f"{icon} {t.escape(t.truncate(str(m.get('title') or ''), 120))}")
    if len(members) > MAX_MEMBERS_SHOWN:
        lines.append(f"…and {len(members) - MAX_MEMBERS_SHOWN} more")
    if group.truncated:
        source = SOURCE_NAMES.get(group.source, group.source)
        lines.append(f":scissors: {source} left {group.truncated} more out of its notification (truncatedAlerts)")
    return {"type": "section", "text": mrkdwn(t.truncate("\n".join(lines), 3000))}


def attach_modal(group: AlertGroup, open_incidents: list[Incident], policy: Policy) -> dict[str, Any]:
    assert group.id is not None
    opts = [option(f"{inc.key} · {policy.severity(inc.severity).name} · {t.plain(inc.title)}", str(inc.id))
            for inc in open_incidents[:100]]
    return {
        "type": "modal", "callback_id": ids.ATTACH_VIEW, "title": plain("Attach alert"), "submit": plain("Attach"),
        "close": plain("Cancel"), "private_metadata": str(group.id),
        "blocks": [
            {"type": "section", "text": mrkdwn(f"*{t.escape(t.truncate(group.title, 200))}*\n{_count(group)}, "
                                               f"first seen {date(group.first_seen)}")},
            {"type": "input", "block_id": "incident", "label": plain("Incident"),
             "element": {"type": "static_select", "action_id": "value", "options": opts,
                         "placeholder": plain("Choose an open incident")},
             "hint": plain("Its later firings and its resolution will be posted in the incident's channel.")},
        ],
    }


def alert_note(group: AlertGroup) -> str:
    """What the declare modal shows about the alert it is declared from."""
    link = f"\n<{group.link}|Open in {SOURCE_NAMES.get(group.source, group.source)}>" if group.link else ""
    summary = f"\n{t.escape(t.truncate(group.summary, 300))}" if group.summary else ""
    return t.truncate(f":rotating_light: From alert *{t.escape(group.title)}* ({_count(group)}, first seen "
                      f"{date(group.first_seen)}){summary}{link}", 3000)


def message_note(text: str, permalink: str | None, author: str | None) -> str:
    """The quoted message a "Declare incident from message" modal shows."""
    lines = t.escape(text).splitlines()[:8] or ["_(no text)_"]
    quote = "\n".join(f"> {t.truncate(line, 300)}" for line in lines)
    who = f" from {t.user(author)}" if author else ""
    link = f"\n<{permalink}|View the message>" if permalink else ""
    return t.truncate(f":speech_balloon: Message{who}:\n{quote}{link}", 3000)


def _link(group: AlertGroup) -> str:
    return f" (<{group.link}|open in {SOURCE_NAMES.get(group.source, group.source)}>)" if group.link else ""


def incident_line(group: AlertGroup, p: dict[str, Any]) -> str:
    """What an attached alert says in its incident's channel (an `alert_line` job)."""
    title = t.escape(group.title)
    line = p["line"]
    if line == "refired":
        return f":rotating_light: Alert firing again: *{title}*{_link(group)} (fired {p['count']} times in all)"
    if line == "resolved":
        return f":white_check_mark: Alert resolved: *{title}*{_link(group)}"
    if line == "attached":
        return (f":link: {t.user(p.get('actor'))} attached alert *{title}*{_link(group)}: {p['status']}, fired "
                f"{p['count']} times. Later firings and its resolution will be posted here.")
    if line == "repeated":
        more = p["more"]
        return f":repeat: Alert *{title}* fired {more} more time{'s' if more != 1 else ''} ({p['count']} in all)"
    raise ValueError(f"no alert line {line!r}")


def reported_message(p: dict[str, Any]) -> str:
    """The message an incident was declared from, quoted in the incident's channel with a link back."""
    lines = t.escape(str(p.get("text") or "")).splitlines()[:20]
    quote = "\n".join(f"> {line}" for line in lines) or "> _(no text)_"
    author = t.user(p.get("author")) if p.get("author") else "someone"
    where = t.channel(p["channel"]) if p.get("channel") else "a channel"
    link = f" · <{p['permalink']}|view message>" if p.get("permalink") else ""
    return t.truncate(f":speech_balloon: Reported by {author} in {where}{link}\n{quote}", 3900)
