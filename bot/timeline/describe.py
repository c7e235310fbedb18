"""Facts as sentences: one function per timeline kind, for any surface.

A surface hands in a Format that says how to show a person, a channel, a user group, something a
person typed, a Slack message's own text, and emphasis; Slack's (bot/timeline/blocks.py) writes
mentions and escapes, the review document's (bot/pir/document.py) writes names and Markdown. What each
kind carries (in `data`) is the contract between the services that record facts and everything that
shows them:

    declared                severity (level), title, source, surface, private, commander, type, drill; rule
                            (an auto-declare rule's name), alert_group
    severity_changed        from, to (severity names)
    status_changed          from, to; so do resolved, reopened and closed
    role_assigned           role, from, to (user ids; to is None when unassigned)
    update                  text, impact, actions, next_steps, status, next_update, routed_to
    note                    text
    channel_created         channel
    invite_failed           user, error
    job_failed              job, kind, attempts, what, error
    leadership_escalation   reason (sev<n> | regulatory), trigger (declared | raised), severity, channel, held
                            (a drill, kept in its own channel)
    acknowledged            seconds
    update_snoozed          minutes
    regulatory_changed      regulatory
    ack_reminder            seconds, group
    ack_breach              seconds, severity, allowed (seconds)
    update_reminder         seconds (since the last update)
    update_escalation       severity, overdue (seconds), leadership (bool)
    role_reminder           roles
    pir_requested           owner, due_at, days, business
    pir_saved               revision, changed, merged
    pir_completed           revision, action_items
    pir_skipped             reason
    pir_exported            -
    pir_reminder            owner
    pir_overdue             owner, n
    action_added            item, owner, due, kind, description
    action_done             item, description
    action_overdue          item, owner, n
    pinned                  ts, source (pin | reaction), author, text (None until read)
    checklist_ticked        item, label, checklist; so does checklist_unticked
    resolution_checks       done, not_done, reason
    drill_started           scenario, name, speed
    drill_event             index, kind, text
    drill_report            ack_seconds, ack_breached, updates, reminders, checklist_done, checklist_total,
                            roles_filled, roles_open, length_seconds
    customer_message        message, status, components, title, text
    resolved_message_skipped -
    resolved_message_reminder publisher, n
    statuspage_synced       message, statuspage_incident, status
    alert_attached          how (auto | attached | declared), group, title, source, started_at, first_seen,
                            status, count, link, labels
    reported_from_message   author, channel, ts, permalink
    paged                   pager, service, route, key, trigger, level (the pager's severity or priority)
    pager_updated           pager, service, action (acknowledge | resolve | escalate), level
    pager_reassigned        pager, by, to, level (the pager's names); so does pager_escalated
    oncall_unmapped         name, email (no Slack user has the on-call person's email)
    acknowledged            (from a pager) pager, person: acknowledged there, by the pager's name for them
    jira_linked             item (None: the incident's own issue), key, url, assigned
    confluence_published    page, version, url
    action_done             also issue (the Jira key) when Jira's webhook closed it (via "jira")
    impact_changed          changes ({field: [old, new]}, bot/impact/fields.py names the fields)
    regulatory_classified   regime, name, major, met (criteria keys), inputs, previous (major before, or None)
    regulatory_clock        regime, name, report, report_name, due (ISO time): a report's clock started
    regulatory_reminder     regime, name, report, report_name, due, left (seconds), group
    regulatory_missed       regime, name, report, report_name, due
    regulatory_submitted    regime, name, report, report_name, reference, n (1 the first submission)
    regulatory_cancelled    regime, name, reports (their clocks stopped: reclassified as not major)
    regulatory_drafted      regime, name, report, report_name

A fact whose values cannot be read (a row from an older version) is shown by its `note` value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core import text as t
from bot.core.clock import utc
from bot.impact.fields import FIELDS as IMPACT_FIELDS
from bot.impact.fields import shown as impact_shown
from bot.pir.questions import QUESTION
from models import ACTION_KINDS, ALERT_SOURCE_NAMES, PAGERS, PUBLIC_LABELS, ROLES

PINNED_PLACEHOLDER = "(a message pinned with a reaction; reading it…)"


class Format(Protocol):
    def user(self, user_id: str | None) -> str: ...

    def channel(self, channel_id: str | None, name: str | None = None) -> str: ...

    def group(self, group_id: str) -> str: ...

    def text(self, typed: str) -> str: ...

    def slack_text(self, mrkdwn: str) -> str: ...

    def bold(self, text: str) -> str: ...


class Fact(Protocol):
    kind: str
    actor: str
    data: dict[str, Any]


def _took(seconds: Any) -> str:
    return t.duration(timedelta(seconds=int(seconds)))


def _at(raw: str, pattern: str) -> str:
    return f"{utc(datetime.fromisoformat(raw)):{pattern}}"


def severity_name(level: int) -> str:
    """Severities are named SEV-<level> (the policy refuses any other name)."""
    return f"SEV-{level}"


def escalation_why(data: dict[str, Any]) -> str:
    """Why leadership was told: "declared SEV-1", "raised to SEV-1", or the regulatory impact."""
    if data.get("why"):  # a row from an older version kept the words
        return str(data["why"])
    if data.get("reason") == "regulatory":
        return "regulatory or legal impact"
    severity = data.get("severity") or data.get("reason", "").replace("sev", "SEV-")
    return f"raised to {severity}" if data.get("trigger") == "raised" else f"declared {severity}"


def due_label(days: int, business: bool) -> str:
    return f"{days} {'business ' if business else ''}day{'s' if days != 1 else ''}"


def _declared(f: Format, actor: str, d: dict[str, Any]) -> str:
    sev = severity_name(d["severity"])
    if d.get("rule"):
        return f"Declared {sev} automatically by alert rule “{f.text(d['rule'])}”: {f.text(d['title'])}"
    return f"Declared {sev} by {f.user(actor)}: {f.text(d['title'])}"


def raised_or_lowered(d: dict[str, Any]) -> str:
    """A severity_changed fact's direction: SEV-1 is the highest severity."""
    raised = int(str(d["to"]).removeprefix("SEV-")) < int(str(d["from"]).removeprefix("SEV-"))
    return "raised" if raised else "lowered"


def _severity_changed(f: Format, actor: str, d: dict[str, Any]) -> str:
    return f"Severity {raised_or_lowered(d)} from {d['from']} to {d['to']}"


def _status(f: Format, actor: str, d: dict[str, Any]) -> str:
    return f"Status changed from {d['from']} to {d['to']}"


def _role_assigned(f: Format, actor: str, d: dict[str, Any]) -> str:
    title = ROLES[d["role"]][1]
    if d.get("to"):
        return f"{f.user(d['to'])} is now {title}"
    return f"{title} unassigned (was {f.user(d.get('from'))})"


def _leadership(f: Format, actor: str, d: dict[str, Any]) -> str:
    where = f"in {f.channel(d['channel'])}" if d.get("channel") else "but the policy names no escalation channel"
    if d.get("held"):
        where = f"(a drill: shown in its own channel, not in {f.channel(d['channel'])})"
    return f"Escalated to leadership ({escalation_why(d)}) {where}"


def _ack_reminder(f: Format, actor: str, d: dict[str, Any]) -> str:
    pinged = f.group(d["group"]) if d.get("group") else "the on-call engineer"
    return f"Still unacknowledged after {_took(d['seconds'])}; pinged {pinged}"


def _update_escalation(f: Format, actor: str, d: dict[str, Any]) -> str:
    return (f"Update overdue by {_took(d['overdue'])}: escalated to the IC"
            + (" and leadership" if d.get("leadership") else ""))


def _pir_requested(f: Format, actor: str, d: dict[str, Any]) -> str:
    when = " (optional)"
    if d.get("due_at"):
        when = f", due in {due_label(d['days'], d['business'])} ({_at(d['due_at'], '%Y-%m-%d %H:%M')} UTC)"
    return f"Post-incident review requested from {f.user(d['owner'])}{when}"


def _pir_saved(f: Format, actor: str, d: dict[str, Any]) -> str:
    labels = ", ".join(QUESTION[k].label.lower() for k in d["changed"] if k in QUESTION)
    return f"Review revision {d['revision']} by {f.user(actor)}: {labels}"


def _action_added(f: Format, actor: str, d: dict[str, Any]) -> str:
    return (f"Action item #{d['item']} ({ACTION_KINDS.get(d['kind'], d['kind'])}) for {f.user(d['owner'])}, "
            f"due {d['due']}: {f.text(d['description'])}")


def _pinned(f: Format, actor: str, d: dict[str, Any]) -> str:
    if d.get("text") is None:
        return PINNED_PLACEHOLDER
    body = d["text"] or "(a message without text)"
    if d.get("author"):
        return f"Pinned: {f.user(d['author'])}: {f.slack_text(body)}"
    return f"Pinned: {f.slack_text(body)}"


def _resolution_checks(f: Format, actor: str, d: dict[str, Any]) -> str:
    done, missing = d["done"], d["not_done"]
    text = f"Resolution checks: {len(done)} of {len(done) + len(missing)} done"
    if missing:
        text += f"; not done: {f.text(', '.join(missing))}. Reason: {f.text(d.get('reason') or '')}"
    return text


def _drill_started(f: Format, actor: str, d: dict[str, Any]) -> str:
    speed = d.get("speed") or 1
    return (f"Drill “{f.text(d['name'])}” started by {f.user(actor)}"
            + (f"; clocks run {speed}× faster" if speed > 1 else ""))


def _drill_report(f: Format, actor: str, d: dict[str, Any]) -> str:
    ack = f"acknowledged after {_took(d['ack_seconds'])}" if d.get("ack_seconds") is not None \
        else "never acknowledged"
    return (f"Drill report: {ack}, {d['updates']} update(s) with {d['reminders']} reminder(s), checklist "
            f"{d['checklist_done']} of {d['checklist_total']} done, {_took(d['length_seconds'])} in drill time")


def _customer_message(f: Format, actor: str, d: dict[str, Any]) -> str:
    return (f"{f.user(actor)} published a customer message ({PUBLIC_LABELS[d['status']]}): "
            f"{f.text(d['title'])} — {f.text(d['text'])}")


def _alert_attached(f: Format, actor: str, d: dict[str, Any]) -> str:
    source = ALERT_SOURCE_NAMES.get(d.get("source", ""), d.get("source"))
    if d["how"] == "auto":
        return f"Alert attached: {f.text(d['title'])} ({source}, started {_at(d['started_at'], '%H:%M:%S')} UTC)"
    if d["how"] == "declared":
        return (f"Declared from alert {f.text(d['title'])} ({source}, started {_at(d['started_at'], '%H:%M:%S')} "
                f"UTC, fired {d['count']} times)")
    return (f"{f.user(actor)} attached alert {f.text(d['title'])} ({d['status']}, fired {d['count']} times since "
            f"{_at(d['first_seen'], '%H:%M')} UTC)")


def _impact(f: Format, actor: str, d: dict[str, Any]) -> str:
    parts = [f"{IMPACT_FIELDS[k][0].lower()} {f.text(impact_shown(k, old))} → {f.text(impact_shown(k, new))}"
             for k, (old, new) in d["changes"].items() if k in IMPACT_FIELDS]
    who = "from an alert's labels" if actor == "bot" else f"by {f.user(actor)}"
    return f"Impact changed {who}: {'; '.join(parts)}"


def _classified(f: Format, actor: str, d: dict[str, Any]) -> str:
    verdict = "a major incident" if d["major"] else "not a major incident"
    again = " (reclassified)" if d.get("previous") is not None else ""
    met = ", ".join(d.get("met") or []) or "none"
    return f"{f.user(actor)} classified it under {d['name']} as {f.bold(verdict)}{again}; criteria met: {met}"


def _due(raw: str) -> str:
    return _at(raw, "%Y-%m-%d %H:%M UTC")


def _reported(f: Format, actor: str, d: dict[str, Any]) -> str:
    who = f.user(d["author"]) if d.get("author") else "someone"
    where = f.channel(d["channel"]) if d.get("channel") else "a channel"
    return f"Declared from a message by {who} in {where}"


def _acknowledged(f: Format, actor: str, d: dict[str, Any]) -> str:
    if d.get("pager"):
        who = f.user(actor) if actor not in PAGERS else f.text(d.get("person") or "the on-call")
        return f"Acknowledged in {PAGERS.get(d['pager'], d['pager'])} by {who} after {_took(d['seconds'])}"
    return f"Acknowledged by {f.user(actor)} after {_took(d['seconds'])}"


def _pager(d: dict[str, Any]) -> str:
    return PAGERS.get(d.get("pager", ""), d.get("pager") or "the pager")


_PAGER_ACTIONS = {"acknowledge": "Acknowledged", "resolve": "Resolved", "escalate": "Escalated"}


def _pager_updated(f: Format, actor: str, d: dict[str, Any]) -> str:
    level = f" to level {d['level']}" if d.get("level") else ""
    return f"{_PAGER_ACTIONS.get(d['action'], d['action'])} the page in {_pager(d)}{level} ({f.text(d['service'])})"


def _pager_moved(f: Format, actor: str, d: dict[str, Any], how: str) -> str:
    to = f.text(d["to"]) if d.get("to") else "someone else"
    by = f" by {f.text(d['by'])}" if d.get("by") else ""
    level = f" (level {d['level']})" if d.get("level") else ""
    return f"{how} in {_pager(d)} to {to}{level}{by}"


Sentence = Callable[[Format, str, dict[str, Any]], str]
SENTENCES: dict[str, Sentence] = {
    "declared": _declared,
    "severity_changed": _severity_changed,
    "status_changed": _status,
    "resolved": _status,
    "reopened": _status,
    "closed": _status,
    "role_assigned": _role_assigned,
    "update": lambda f, a, d: f.text(d["text"]),
    "note": lambda f, a, d: f.text(d["text"]),
    "channel_created": lambda f, a, d: f"Channel {f.channel(d['channel'])} created",
    "invite_failed": lambda f, a, d: f"Could not invite {f.user(d['user'])}: {d['error']}",
    "job_failed": lambda f, a, d: f"Could not {d['what']}: {d['error']}",
    "leadership_escalation": _leadership,
    "acknowledged": _acknowledged,
    "update_snoozed": lambda f, a, d: f"Update reminder snoozed for {d['minutes']}m by {f.user(a)}",
    "regulatory_changed": lambda f, a, d: f"{f.user(a)} " + ("flagged regulatory / legal impact" if d["regulatory"]
                                                            else "cleared the regulatory / legal impact flag"),
    "ack_reminder": _ack_reminder,
    "ack_breach": lambda f, a, d: (f"Acknowledgement SLA breached: unacknowledged after {_took(d['seconds'])} "
                                   f"({d['severity']} allows {_took(d['allowed'])})"),
    "update_reminder": lambda f, a, d: f"Update reminder: no update for {_took(d['seconds'])}",
    "update_escalation": _update_escalation,
    "role_reminder": lambda f, a, d: f"Roles still open: {', '.join(d['roles'])}",
    "pir_requested": _pir_requested,
    "pir_saved": _pir_saved,
    "pir_completed": lambda f, a, d: f"Review completed by {f.user(a)}",
    "pir_skipped": lambda f, a, d: f"Review skipped by {f.user(a)}: {f.text(d['reason'])}",
    "pir_exported": lambda f, a, d: f"Review document exported by {f.user(a)}",
    "pir_reminder": lambda f, a, d: f"Reminded {f.user(d['owner'])} the review is due soon",
    "pir_overdue": lambda f, a, d: f"Review overdue; reminded {f.user(d['owner'])}",
    "action_added": _action_added,
    "action_done": lambda f, a, d: f"Action item #{d['item']} done: {f.text(d['description'])}",
    "action_overdue": lambda f, a, d: f"Action item #{d['item']} overdue; reminded {f.user(d['owner'])}",
    "pinned": _pinned,
    "checklist_ticked": lambda f, a, d: f"{f.text(d['label'])}: done",
    "checklist_unticked": lambda f, a, d: f"{f.text(d['label'])}: not done after all",
    "resolution_checks": _resolution_checks,
    "drill_started": _drill_started,
    "drill_event": lambda f, a, d: f"Scripted {d['kind'].replace('_', ' ')}: {f.text(d['text'])}",
    "drill_report": _drill_report,
    "customer_message": _customer_message,
    "resolved_message_skipped": lambda f, a, d: (f"{f.user(a)} skipped the resolved customer message (customers "
                                                 "were not told)"),
    "resolved_message_reminder": lambda f, a, d: (f"Reminded {f.user(d['publisher'])}: the resolved customer "
                                                  "message is still not published"),
    "statuspage_synced": lambda f, a, d: (f"Statuspage incident {f.text(d['statuspage_incident'])} now shows "
                                          f"{f.bold(PUBLIC_LABELS[d['status']])}"),
    "alert_attached": _alert_attached,
    "reported_from_message": _reported,
    "paged": lambda f, a, d: (f"Paged the on-call: {f.text(d['service'])} in {_pager(d)} "
                              f"({d['level']}, key {f.text(d['key'])})"),
    "pager_updated": _pager_updated,
    "pager_reassigned": lambda f, a, d: _pager_moved(f, a, d, "Reassigned"),
    "pager_escalated": lambda f, a, d: _pager_moved(f, a, d, "Escalated"),
    "oncall_unmapped": lambda f, a, d: (f"On call in the pager: {f.text(d.get('name') or d.get('email') or '?')}, "
                                        f"but no Slack user has the email {f.text(d.get('email') or '(none)')}"),
    "jira_linked": lambda f, a, d: (f"Action item #{d['item']} is Jira issue {f.text(d['key'])}" if d.get("item")
                                    else f"Logged as Jira issue {f.text(d['key'])}"),
    "confluence_published": lambda f, a, d: f"Review published to Confluence (version {d['version']})",
    "impact_changed": _impact,
    "regulatory_classified": _classified,
    "regulatory_clock": lambda f, a, d: f"{d['name']} {d['report_name']} due {_due(d['due'])}",
    "regulatory_reminder": lambda f, a, d: (f"Reminded: {d['name']} {d['report_name']} due {_due(d['due'])}, "
                                            f"{_took(d['left'])} left"),
    "regulatory_missed": lambda f, a, d: (f"{f.bold('Deadline missed')}: {d['name']} {d['report_name']} was due "
                                          f"{_due(d['due'])}; leadership told"),
    "regulatory_submitted": lambda f, a, d: (f"{f.user(a)} marked the {d['name']} {d['report_name']} submitted, "
                                             f"reference {f.text(d['reference'])}"
                                             + (f" (submission {d['n']})" if d.get("n", 1) > 1 else "")),
    "regulatory_cancelled": lambda f, a, d: f"{d['name']} clocks stopped: {', '.join(d['reports'])}",
    "regulatory_drafted": lambda f, a, d: f"{f.user(a)} drafted the {d['name']} {d['report_name']}",
}


def sentence(fact: Fact, fmt: Format) -> str:
    """The fact in one sentence (or a few lines, for what people typed)."""
    data = fact.data or {}
    render = SENTENCES.get(fact.kind)
    if render is not None:
        try:
            return render(fmt, fact.actor, data)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an older row without these values: its note below
    if data.get("note"):
        return fmt.slack_text(str(data["note"]))
    return fact.kind.replace("_", " ")
