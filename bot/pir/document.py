"""The review document: one Markdown file built from the incident, its timeline, the review's answers
and its action items. `/incident pir export` uploads it to the channel; `incident-bot pir export INC-7`
prints the same document.

Nothing here is typed twice: dates, durations, the severity history and the timeline all come from
the incident row and its timeline facts, worded by bot/timeline/describe.py in Markdown. People appear
by name (Slack's users.info) where the name is known, else by their Slack id.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import text as t
from bot.core.clock import utc
from bot.core.records import get
from bot.pir.questions import DOCS, QUESTION, SETTLEMENTS
from bot.pir.records import actions_of, review_for, severities_reached
from bot.policy import Policy
from bot.timeline.describe import sentence
from models import (
    ACTION_KINDS,
    ROLES,
    SOURCES,
    ActionItem,
    Incident,
    Pir,
    PirRevision,
    TimelineEvent,
)

# Timeline rows that are the bot nagging, not the incident happening.
QUIET_KINDS = {"ack_reminder", "update_reminder", "role_reminder", "pir_reminder", "pir_overdue", "action_overdue",
               "pir_saved", "pir_exported", "job_failed"}
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_GROUP = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")

Names = dict[str, str]  # Slack id (a user, or the incident's channel) -> the name to print
NameLookup = Callable[[set[str]], Awaitable[Names]]


@dataclass
class Material:
    incident: Incident
    review: Pir | None
    revisions: list[PirRevision]
    items: list[ActionItem]
    events: list[TimelineEvent]


async def load(session: AsyncSession, incident_id: int) -> Material:
    inc = await get(session, incident_id)
    review = await review_for(session, incident_id)
    revisions = list((await session.execute(select(PirRevision).where(PirRevision.incident_id == incident_id)
                                            .order_by(PirRevision.number))).scalars())
    items = [item for item, _ in await actions_of(session, incident_id=incident_id, open_only=False)]
    events = list((await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
                                         .order_by(TimelineEvent.at, TimelineEvent.id))).scalars())
    return Material(inc, review, revisions, sorted(items, key=lambda i: i.id or 0), events)


class MarkdownFormat:
    """Facts in the document: people and channels by name, what people typed made inert for Markdown."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.seen: set[str] = set()  # every user and channel a sentence named, for looking up names

    def user(self, user_id: str | None) -> str:
        if not user_id:
            return "_unassigned_"
        self.seen.add(user_id)
        return "@" + self.names.get(user_id, user_id)

    def channel(self, channel_id: str | None, name: str | None = None) -> str:
        if channel_id:
            self.seen.add(channel_id)
            return "#" + (name or self.names.get(channel_id, channel_id))
        return f"#{name}" if name else "_no channel yet_"

    def group(self, group_id: str) -> str:
        return "@" + group_id

    def text(self, typed: str) -> str:
        return md(typed)

    def slack_text(self, mrkdwn: str) -> str:
        return _plain(mrkdwn, self.names)

    def bold(self, text: str) -> str:
        return f"*{text}*"


def people(m: Material) -> set[str]:
    """Every Slack user (and channel without its name) the document names."""
    inc = m.incident
    found = {inc.declared_by, inc.acknowledged_by, *(inc.role_holder(r) for r in ROLES)}
    if m.review:
        found |= {m.review.owner_id, m.review.completed_by}
    found |= {r.author for r in m.revisions} | {i.owner_id for i in m.items}
    seeing = MarkdownFormat({})
    for e in m.events:
        found.add(e.actor)
        sentence(e, seeing)
    found |= seeing.seen
    return {u for u in found if u and u != "bot"}


async def slack_names(client: Any, users: Iterable[str]) -> Names:
    """Display names from users.info, channel names from conversations.info; an id Slack will not
    describe is printed as it is."""
    names: Names = {}
    for user in sorted(users):
        try:
            if user[0] in "CG":
                channel = (await client.conversations_info(channel=user)).get("channel") or {}
                if channel.get("name"):
                    names[user] = str(channel["name"])
                continue
            resp = await client.users_info(user=user)
        except SlackApiError:
            continue  # user_not_found and the like: this one keeps its id
        except Exception:
            break  # Slack is unreachable: every remaining user keeps their id
        info = resp.get("user") or {}
        profile = info.get("profile") or {}
        name = profile.get("real_name") or info.get("real_name") or profile.get("display_name") or info.get("name")
        if name:
            names[user] = str(name)
    return names


# -- text ----------------------------------------------------------------------------------------

def _plain(text: str, names: Names) -> str:
    """Slack mrkdwn as Markdown readers see it: mentions as names, entities decoded."""
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _GROUP.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)
    return html.unescape(text).replace("<", "\\<")  # never read as an HTML tag


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _who(user: str | None, names: Names) -> str:
    if not user:
        return "unassigned"
    if user == "bot":
        return "the bot"
    return names.get(user, user)


def _at(dt: datetime | None) -> str:
    return f"{utc(dt):%Y-%m-%d %H:%M} UTC" if dt else "—"


def _since(start: datetime | None, end: datetime | None) -> str:
    if not start or not end:
        return "—"
    return t.duration(utc(end) - utc(start))


def _answer_time(m: Material, key: str) -> datetime | None:
    raw = m.review.answers.get(key) if m.review else None
    return datetime.fromisoformat(raw) if raw else None


# -- the document ------------------------------------------------------------------------------------

def md(typed: str) -> str:
    """What someone typed, made inert in the document: no HTML tag, no mention or broadcast survives."""
    return t.inert_mentions(typed).replace("<", "\\<")


def render(m: Material, policy: Policy, names: Names) -> str:
    inc = m.incident
    answers = m.review.answers if m.review else {}
    start = inc.ack_started_at or inc.created_at
    sev = policy.severity(inc.severity)
    out: list[str] = [f"# {inc.key}: {md(inc.title)}", "",
                      "*Post-incident review. Blameless: it asks how the system and the process allowed this, "
                      "never who is at fault.*", ""]

    peak = min([inc.severity, *severities_reached(((e.kind, e.data) for e in m.events), policy)])
    rows = [
        ("Severity", sev.title + (f" (highest: {policy.severity(peak).title})" if peak != inc.severity else "")),
        ("Status", inc.status.capitalize()),
        ("Detected by", SOURCES.get(inc.source, inc.source)),
        ("Payment surface", md(inc.surface) if inc.surface else "—"),
        ("Declared", f"{_at(inc.created_at)} by {_who(inc.declared_by, names)}"),
        ("Acknowledged", f"{_at(inc.acknowledged_at)} by {_who(inc.acknowledged_by, names)}"
         if inc.acknowledged_at else "—"),
        ("Mitigated", _at(inc.mitigated_at)),
        ("Resolved", _at(inc.resolved_at)),
        ("Closed", _at(inc.closed_at)),
        ("Channel", f"#{inc.channel_name}" if inc.channel_name else "—"),
    ]
    if inc.regulatory:
        rows.append(("Regulatory / legal impact", "yes"))
    if m.review:
        due = _at(m.review.due_at) if m.review.due_at else ("optional" if not m.review.required else "—")
        rows.append(("Review owner", f"{_who(m.review.owner_id, names)}, due {due}"))
        rows.append(("Review status", m.review.state + (f", {_at(m.review.completed_at)}"
                                                       if m.review.completed_at else "")))
    out += ["| | |", "|---|---|", *(f"| {k} | {_cell(v)} |" for k, v in rows), ""]

    out += ["## Roles", ""]
    out += [f"- {title}: {_who(inc.role_holder(role), names)}" for role, (_, title) in ROLES.items()]
    out += ["", "## Severity history", ""]
    for e in m.events:
        if e.kind == "declared":
            level = e.data.get("severity")
            name = policy.severity(level).name if isinstance(level, int) and level in policy.levels else sev.name
            out.append(f"- {_at(e.at)}: declared {name} by {_who(e.actor, names)}")
        elif e.kind == "severity_changed":
            out.append(f"- {_at(e.at)}: {e.data.get('from')} → {e.data.get('to')} by {_who(e.actor, names)}")
    out.append("")

    impact_start, impact_end = _answer_time(m, "impact_start"), _answer_time(m, "impact_end")
    out += ["## Key durations", "", "| | |", "|---|---|",
            f"| Time to acknowledge | {_since(start, inc.acknowledged_at)} |",
            f"| Time to mitigate | {_since(start, inc.mitigated_at)} |",
            f"| Time to resolve | {_since(start, inc.resolved_at)} |"]
    if impact_start:
        out.append(f"| Time to detect (impact began → declared) | {_since(impact_start, inc.created_at)} |")
    out.append("")

    out += ["## Customer and merchant impact", ""]
    window = (f"{_at(impact_start)} to {_at(impact_end)} ({_since(impact_start, impact_end)})"
              if impact_start and impact_end else (f"from {_at(impact_start)}" if impact_start else "not recorded"))
    out.append(f"- Impact window: {window}")
    for key in ("failed_transactions", "amount_affected", "merchants_affected", "regions"):
        out.append(f"- {QUESTION[key].label}: {md(answers.get(key) or 'not recorded')}")
    out.append("")

    for key in ("summary", "root_cause", "trigger", "detection", "went_well", "went_wrong", "lucky"):
        out += [f"## {QUESTION[key].label}", "", md(answers[key]) if answers.get(key) else "_Not answered._", ""]

    out += ["## Settlements and reconciliation", ""]
    settled = answers.get("settlements")
    out.append(f"Corrected: {SETTLEMENTS.get(settled, 'not answered') if settled else 'not answered'}")
    if answers.get("settlements_note"):
        out += ["", md(answers["settlements_note"])]
    out += ["", "## Documentation to update", ""]
    chosen = answers.get("docs") or []
    out += [f"- [{'x' if key in chosen else ' '}] {label}" for key, label in DOCS.items()]
    if answers.get("docs_note"):
        out += ["", md(answers["docs_note"])]
    out.append("")

    out += ["## Action items", ""]
    if m.items:
        out += ["| # | Action | Kind | Owner | Due | Status |", "|---|---|---|---|---|---|"]
        for i in m.items:
            status = f"done {_at(i.done_at)}" if i.status == "done" else "open"
            out.append(f"| {i.id} | {_cell(md(i.description))} | {ACTION_KINDS.get(i.kind, i.kind)} | "
                       f"{_cell(_who(i.owner_id, names))} | {i.due_date.isoformat()} | {status} |")
    elif answers.get("no_action_reason"):
        out.append(f"No action needed: {md(answers['no_action_reason'])}")
    else:
        out.append("_None._")
    out.append("")

    fmt = MarkdownFormat(names)
    out += ["## Timeline", "", "| Time (UTC) | Event | By |", "|---|---|---|"]
    for e in m.events:
        if e.kind in QUIET_KINDS:
            continue
        out.append(f"| {utc(e.at):%Y-%m-%d %H:%M:%S} | {_cell(sentence(e, fmt))} | "
                   f"{_cell(_who(e.actor, names))} |")
    out.append("")

    if m.revisions:
        out += ["## Contributors", ""]
        for r in m.revisions:
            fields = ", ".join(QUESTION[k].label.lower() for k in r.changed if k in QUESTION)
            out.append(f"- Revision {r.number}, {_at(r.saved_at)}, {_who(r.author, names)}: {fields}")
        out.append("")
    return "\n".join(out)


async def document(session: AsyncSession, policy: Policy, incident_id: int, lookup: NameLookup | None) -> str:
    m = await load(session, incident_id)
    names = await lookup(people(m)) if lookup else {}
    if m.incident.channel_id and m.incident.channel_name:
        names[m.incident.channel_id] = m.incident.channel_name
    return render(m, policy, names)


def filename(inc: Incident) -> str:
    return f"{inc.key.lower()}-review.md"
