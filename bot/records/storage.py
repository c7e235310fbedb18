"""The review as a Confluence page in storage format (XHTML): the same facts as the Markdown document
(bot/pir/document.py), every string a person typed or Slack gave escaped, so nothing anyone wrote can
become markup, a macro or a link on the page."""

from __future__ import annotations

import html
import re
from datetime import datetime

from bot.core import text as t
from bot.core.clock import utc
from bot.pir.document import QUIET_KINDS, Material, Names
from bot.pir.questions import QUESTION, SETTLEMENTS
from bot.policy import Policy
from bot.timeline.describe import sentence
from models import ACTION_KINDS, ROLES, SOURCES

# characters XML 1.0 does not allow (Confluence refuses the page): control characters but tab and newlines
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MRKDWN_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MRKDWN_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")


def esc(text: object) -> str:
    """Text as storage format shows it, never as markup."""
    return html.escape(_NOT_XML.sub("", t.inert_mentions(str(text))), quote=True)


def link(url: str, label: str) -> str:
    return f'<a href="{esc(url)}">{esc(label)}</a>'


class PlainFormat:
    """Facts as plain text (bot/timeline/describe.py's Format): people by name. The page escapes the whole
    sentence afterwards, so a value a sentence carries as it is (an error, a severity) is escaped too."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def user(self, user_id: str | None) -> str:
        return "@" + self.names.get(user_id, user_id) if user_id else "unassigned"

    def channel(self, channel_id: str | None, name: str | None = None) -> str:
        return "#" + (name or self.names.get(channel_id or "", channel_id or "") or "channel")

    def group(self, group_id: str) -> str:
        return "@" + group_id

    def text(self, typed: str) -> str:
        return typed

    def slack_text(self, mrkdwn: str) -> str:
        plain = _MRKDWN_USER.sub(lambda m: "@" + self.names.get(m.group(1), m.group(1)), mrkdwn)
        return html.unescape(_MRKDWN_LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", plain))

    def bold(self, text: str) -> str:
        return text


def _at(dt: datetime | None) -> str:
    return f"{utc(dt):%Y-%m-%d %H:%M} UTC" if dt else "—"


def _since(start: datetime | None, end: datetime | None) -> str:
    return t.duration(utc(end) - utc(start)) if start and end else "—"


def _table(rows: list[tuple[str, str]]) -> str:
    """Rows of (escaped header, already-rendered cell)."""
    return "<table><tbody>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</tbody></table>"


def title(m: Material) -> str:
    """The page title: unique per incident, so the space never holds two reviews of one incident."""
    return t.truncate(f"{m.incident.key} post-incident review: {m.incident.title}", 255)


def render(m: Material, policy: Policy, names: Names, *, jira: dict[int, tuple[str, str]],
           channel_url: str | None) -> str:
    """`jira`: action item id -> (issue key, URL)."""
    inc = m.incident
    fmt = PlainFormat(names)
    answers = m.review.answers if m.review else {}
    start = inc.ack_started_at or inc.created_at

    def who(user: str | None) -> str:
        return esc(fmt.user(user))
    out = ["<p><em>Post-incident review. Blameless: it asks how the system and the process allowed this, "
           "never who is at fault.</em></p>"]
    channel = esc(f"#{inc.channel_name}") if inc.channel_name else "—"
    if channel_url and inc.channel_name:
        channel = link(channel_url, f"#{inc.channel_name}")
    out.append(_table([
        ("Severity", esc(policy.severity(inc.severity).title)),
        ("Status", esc(inc.status.capitalize())),
        ("Detected by", esc(SOURCES.get(inc.source, inc.source))),
        ("Payment surface", esc(inc.surface or "—")),
        ("Declared", f"{_at(inc.created_at)} by {who(inc.declared_by)}"),
        ("Mitigated", _at(inc.mitigated_at)),
        ("Resolved", _at(inc.resolved_at)),
        ("Closed", _at(inc.closed_at)),
        ("Slack channel", channel),
    ]))
    out.append("<h2>Roles</h2><ul>" + "".join(f"<li>{esc(name)}: {who(inc.role_holder(role))}</li>"
                                             for role, (_, name) in ROLES.items()) + "</ul>")
    out.append("<h2>Key durations</h2>" + _table([
        ("Time to acknowledge", _since(start, inc.acknowledged_at)),
        ("Time to mitigate", _since(start, inc.mitigated_at)),
        ("Time to resolve", _since(start, inc.resolved_at)),
    ]))
    out.append("<h2>Customer and merchant impact</h2><ul>" + "".join(
        f"<li>{esc(QUESTION[k].label)}: {esc(answers.get(k) or 'not recorded')}</li>"
        for k in ("failed_transactions", "amount_affected", "merchants_affected", "regions")) + "</ul>")
    for key in ("summary", "root_cause", "trigger", "detection", "went_well", "went_wrong", "lucky"):
        value = answers.get(key)
        body = "".join(f"<p>{esc(p)}</p>" for p in str(value).split("\n") if p.strip()) if value else \
            "<p><em>Not answered.</em></p>"
        out.append(f"<h2>{esc(QUESTION[key].label)}</h2>{body}")
    settled = answers.get("settlements")
    out.append(f"<h2>Settlements and reconciliation</h2><p>Corrected: "
               f"{esc(SETTLEMENTS.get(settled, 'not answered') if settled else 'not answered')}</p>")
    out.append("<h2>Action items</h2>")
    if m.items:
        rows = ["<tr><th>#</th><th>Action</th><th>Kind</th><th>Owner</th><th>Due</th><th>Status</th><th>Jira</th></tr>"]
        for i in m.items:
            issue = jira.get(i.id or 0)
            rows.append(f"<tr><td>{i.id}</td><td>{esc(i.description)}</td><td>{esc(ACTION_KINDS.get(i.kind, i.kind))}"
                        f"</td><td>{who(i.owner_id)}</td><td>{i.due_date.isoformat()}</td><td>{esc(i.status)}</td>"
                        f"<td>{link(issue[1], issue[0]) if issue else '—'}</td></tr>")
        out.append("<table><tbody>" + "".join(rows) + "</tbody></table>")
    elif answers.get("no_action_reason"):
        out.append(f"<p>No action needed: {esc(answers['no_action_reason'])}</p>")
    else:
        out.append("<p><em>None.</em></p>")
    rows = ["<tr><th>Time (UTC)</th><th>Event</th><th>By</th></tr>"]
    for e in m.events:
        if e.kind in QUIET_KINDS:
            continue
        actor = "the bot" if e.actor == "bot" else who(e.actor)
        rows.append(f"<tr><td>{utc(e.at):%Y-%m-%d %H:%M:%S}</td><td>{esc(sentence(e, fmt))}</td><td>{actor}</td></tr>")
    out.append("<h2>Timeline</h2><table><tbody>" + "".join(rows) + "</tbody></table>")
    return "".join(out)
