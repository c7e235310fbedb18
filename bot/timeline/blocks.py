"""The timeline in Slack: facts worded as mrkdwn, the line a change posts in the incident channel,
and `/incident timeline` a page at a time."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import mrkdwn
from bot.core import text as t
from bot.core.clock import utc
from bot.timeline.describe import Fact, raised_or_lowered, sentence
from bot.timeline.facts import Page
from models import PAGERS, ROLES, Incident


class SlackFormat:
    """Mentions for people, channels and groups; what people typed made inert."""

    def user(self, user_id: str | None) -> str:
        return t.user(user_id)

    def channel(self, channel_id: str | None, name: str | None = None) -> str:
        return t.channel(channel_id, name)

    def group(self, group_id: str) -> str:
        return f"<!subteam^{group_id}>"

    def text(self, typed: str) -> str:
        return t.escape(typed)

    def slack_text(self, mrkdwn: str) -> str:
        return mrkdwn

    def bold(self, text: str) -> str:
        return f"*{text}*"


SLACK = SlackFormat()


def fact_text(fact: Fact) -> str:
    """The fact as a sentence in Slack's mrkdwn."""
    return sentence(fact, SLACK)


def fact_line(inc: Incident, fact: Fact) -> str:
    """What a change says in the incident channel when it happens."""
    d, who = fact.data, _who(fact.actor)
    kind = fact.kind
    if kind == "severity_changed":
        return f":rotating_light: {who} {raised_or_lowered(d)} severity {d['from']} → *{d['to']}*"
    if kind == "status_changed":
        return f":large_blue_circle: {who} changed status {d['from']} → *{d['to']}*"
    if kind == "resolved":
        return f":white_check_mark: {who} resolved {inc.key}"
    if kind == "reopened":
        return f":arrows_counterclockwise: {who} reopened {inc.key} as *{d['to']}*"
    if kind == "closed":
        return f":lock: {who} closed {inc.key}: the review is done"
    if kind == "role_assigned":
        title = ROLES[d["role"]][1]
        if d.get("to"):
            return f":bust_in_silhouette: {who} made {t.user(d['to'])} *{title}*"
        return f":bust_in_silhouette: {who} unassigned {t.user(d.get('from'))} as *{title}*"
    if kind == "acknowledged" and d.get("pager"):
        return f":raised_hand: {fact_text(fact)}"
    if kind == "acknowledged":
        return f":raised_hand: {who} acknowledged {inc.key} ({t.duration_of(d['seconds'])} after it started)"
    if kind == "update_snoozed":
        return f":zzz: {who} snoozed the update reminder for {d['minutes']} minutes"
    if kind == "regulatory_changed":
        what = "flagged regulatory / legal impact" if d["regulatory"] else "cleared the regulatory / legal impact flag"
        return f":scales: {who} {what}"
    if kind == "note":
        return f":spiral_note_pad: {who} noted: {t.escape(d['text'])}"
    return fact_text(fact)


def _who(actor: str) -> str:
    """A person, or a pager that acted for someone the bot does not know in Slack."""
    return PAGERS[actor] if actor in PAGERS else t.user(actor)


def _line(e: Any) -> str:
    who = "the bot" if e.actor == "bot" else _who(e.actor)
    return t.truncate(f"`{utc(e.at):%m-%d %H:%M}` *{e.kind.replace('_', ' ')}* · {who} · {fact_text(e)}", 600)


def timeline_page(inc: Incident, page: Page) -> tuple[str, list[dict[str, Any]]]:
    head = f"*Timeline of {inc.key}* · page {page.number} of {page.pages} · {page.total} events"
    lines = [_line(e) for e in page.events] or ["_Nothing yet._"]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(head)}]
    chunk: list[str] = []
    for line in lines:  # sections of at most 3,000 characters
        if chunk and len("\n".join([*chunk, line])) > 3000:
            blocks.append({"type": "section", "text": mrkdwn("\n".join(chunk))})
            chunk = []
        chunk.append(line)
    blocks.append({"type": "section", "text": mrkdwn("\n".join(chunk))})
    if page.number < page.pages:
        blocks.append({"type": "context", "elements": [mrkdwn(f"Next: `/incident timeline {page.number + 1}`")]})
    return t.truncate("\n".join([head, *lines]), 3000), blocks
