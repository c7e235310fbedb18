"""Regulatory reporting in Slack: the card's clock lines and Classify select, the classification and
"Mark submitted" forms, `/incident regulatory`, and the reminders and missed-deadline messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import input_block, modal_view, mrkdwn, option, plain
from bot.core import text as t
from bot.core.clock import utc
from bot.policy import Policy
from bot.policy.regulatory import Regime
from models import Classification, Incident, RegulatoryReport


def left(due: datetime, now: datetime) -> str:
    """"1 h 12 min left" or "overdue by 20 min"."""
    seconds = int((utc(due) - utc(now)).total_seconds())
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{mins} min" if mins and not days else ""]
    span = " ".join(p for p in parts if p) or "0 min"
    return f"{span} left" if seconds >= 0 else f"overdue by {span}"


def _due(due: datetime) -> str:
    return f"{utc(due):%Y-%m-%d %H:%M} UTC"


def report_label(policy: Policy, row: RegulatoryReport) -> str:
    reg = policy.regulatory.regime(row.regime)
    rep = reg.report(row.report) if reg else None
    return f"{reg.name if reg else row.regime} {rep.name if rep else row.report}"


def clock_lines(policy: Policy, rows: list[RegulatoryReport], now: datetime) -> list[str]:
    """One line per running clock: "DORA initial notification due 13:42 UTC, 1 h 12 min left"."""
    out = []
    for row in rows:
        if row.state == "pending" and row.due_at is not None:
            due = utc(row.due_at)
            when = f"{due:%H:%M} UTC" if due.date() == utc(now).date() else f"{due:%Y-%m-%d %H:%M} UTC"
            icon = ":alarm_clock:" if due >= utc(now) else ":rotating_light:"
            out.append(f"{icon} *{t.escape(report_label(policy, row))}* due {when}, {left(due, now)}")
    return out


def classification_line(policy: Policy, decided: list[Classification]) -> str | None:
    latest: dict[str, Classification] = {}
    for c in decided:
        latest[c.regime] = c
    parts = []
    for key, c in latest.items():
        reg = policy.regulatory.regime(key)
        parts.append(f"{reg.name if reg else key}: {'*major incident*' if c.major else 'not major'}")
    return (":scales: " + " · ".join(parts)) if parts else None


def card_controls(inc: Incident, policy: Policy) -> list[dict[str, Any]]:
    """The card's *Impact* button and, with a regime enabled, its *Classify* select."""
    assert inc.id is not None
    out: list[dict[str, Any]] = [{"type": "button", "action_id": ids.IMPACT, "text": plain("Impact"),
                                  "value": str(inc.id)}]
    regimes = policy.regulatory.enabled
    if regimes:
        out.append({"type": "static_select", "action_id": ids.CLASSIFY, "placeholder": plain("Classify"),
                    "options": [option(r.title, r.key) for r in regimes]})
    return out


def classify_modal(inc: Incident, regime: Regime, values: dict[str, Any]) -> dict[str, Any]:
    """The regime's criteria, pre-filled; the rule decides when it is submitted."""
    assert inc.id is not None
    rule = regime.rule
    how = []
    if rule.required:
        how.append("requires " + ", ".join(c.name for c in regime.criteria if c.key in rule.required))
    extra = [c.name for c in regime.criteria if c.key in rule.any_of]
    if rule.at_least:
        how.append(f"then {' or '.join(extra) + ', or ' if extra else ''}at least {rule.at_least} of the others")
    blocks: list[dict[str, Any]] = [{"type": "section", "block_id": "rule", "text": mrkdwn(
        f"*{t.escape(regime.title)}*: major {t.escape('; '.join(how) or 'when any criterion is met')}. "
        f"Pre-filled from the impact; the thresholds are the policy's.")}]
    bools = [i for i in regime.inputs() if i.kind == "bool"]
    if bools:
        opts = [option(i.label, i.key) for i in bools]
        el: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": opts}
        chosen = [o for o in opts if values.get(o["value"]) is True]
        if chosen:
            el["initial_options"] = chosen
        blocks.append(input_block("flags", "Which apply?", el, optional=True))
    for i in regime.inputs():
        if i.kind != "number":
            continue
        num: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 30}
        if values.get(i.key) is not None:
            v = values[i.key]
            num["initial_value"] = str(int(v)) if isinstance(v, (int, float)) and float(v).is_integer() else str(v)
        hint = f"Threshold: {i.min:g}" if i.min is not None else None
        blocks.append(input_block(i.key, i.label[:2000], num, optional=True, hint=hint))
    return modal_view(ids.CLASSIFY_VIEW, f"Classify: {regime.name}"[:24], "Classify", blocks,
                      {"incident_id": inc.id, "regime": regime.key})


def submitted_modal(inc: Incident, policy: Policy, row: RegulatoryReport) -> dict[str, Any]:
    assert row.id is not None
    label = report_label(policy, row)
    blocks = [
        {"type": "section", "block_id": "about", "text": mrkdwn(
            f"Record that the *{t.escape(label)}* of *{inc.key}* was submitted. The bot sends nothing to the "
            "regulator; this records what you did, and starts the next report's clock.")},
        input_block("reference", "Reference number the regulator gave", {
            "type": "plain_text_input", "action_id": "value", "max_length": 200}),
    ]
    return modal_view(ids.SUBMITTED_VIEW, "Mark submitted", "Record", blocks, {"report_id": row.id})


def _report_line(policy: Policy, row: RegulatoryReport, now: datetime) -> str:
    reg = policy.regulatory.regime(row.regime)
    rep = reg.report(row.report) if reg else None
    name = f"*{t.escape(report_label(policy, row))}*" + (f" (to {t.escape(rep.contact)})" if rep and rep.contact
                                                           else "")
    if row.state == "pending" and row.due_at is not None:
        missed = " — *missed*" if utc(row.due_at) < utc(now) else ""
        return f":alarm_clock: {name}: due {_due(row.due_at)}, {left(row.due_at, now)}{missed}"
    if row.state == "submitted" and row.submitted_at is not None:
        return (f":white_check_mark: {name}: submitted {_due(row.submitted_at)} by {t.user(row.submitted_by)}, "
                f"reference `{t.escape(row.reference or '')}`")
    if row.state == "waiting":
        return f":hourglass: {name}: starts when the report before it is submitted"
    return f":heavy_minus_sign: {name}: not required (not a major incident)"


def listing(inc: Incident, policy: Policy, decided: list[Classification], rows: list[RegulatoryReport],
            now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """`/incident regulatory`: the classification under each regime and every report's clock."""
    head = f"*Regulatory reporting of {inc.key}*" + (" _(a drill: a rehearsal, nothing is due)_" if inc.drill else "")
    if not policy.regulatory.enabled:
        text = f"{head}\nNo regime is enabled in the policy ([[regulatory.regimes]], README \"Regulatory reporting\")."
        return text, [{"type": "section", "text": mrkdwn(text)}]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(head)}]
    line = classification_line(policy, decided)
    blocks.append({"type": "context", "elements": [mrkdwn(line or "Not classified yet: use *Classify* on the card "
                                                               "or `/incident classify <regime>`.")]})
    for row in rows:
        assert row.id is not None
        blocks.append({"type": "section", "text": mrkdwn(_report_line(policy, row, now))})
        if row.state in ("pending", "submitted"):
            blocks.append(_buttons(row, again=row.state == "submitted"))
    text = "\n".join([head, *(_report_line(policy, r, now) for r in rows)])
    return t.truncate(text, 3000), blocks[:50]


def reminder(inc: Incident, policy: Policy, row: RegulatoryReport, p: dict[str, Any]) -> tuple[str, list[dict]]:
    assert row.id is not None and row.due_at is not None
    group = policy.regulatory.compliance_group
    who = " ".join(x for x in (f"<!subteam^{group}>" if group else "", t.user(inc.commander_id)
                                if inc.commander_id else "") if x)
    label = t.escape(report_label(policy, row))
    if p.get("message") == "missed":
        lead = policy.escalation.leadership_group
        text = (f":rotating_light: {who + ' ' if who else ''}{f'<!subteam^{lead}> ' if lead else ''}*{inc.key}*: the "
                f"*{label}* was due {_due(row.due_at)} and is not marked submitted. Submit it now and record it.")
    else:
        text = (f":alarm_clock: {who + ' ' if who else ''}*{inc.key}*: the *{label}* is due {_due(row.due_at)}, "
                f"{t.duration(timedelta(seconds=int(p.get('left') or 0)))} left.")
    reg = policy.regulatory.regime(row.regime)
    rep = reg.report(row.report) if reg else None
    if rep is not None and rep.contact:
        text += f" Contact: {t.escape(rep.contact)}."
    return text, [{"type": "section", "text": mrkdwn(text)}, _buttons(row)]


def _buttons(row: RegulatoryReport, *, again: bool = False) -> dict[str, Any]:
    """Mark submitted (again: an updated submission) and Draft, carrying the report's id."""
    mark: dict[str, Any] = {"type": "button", "action_id": ids.MARK_SUBMITTED, "value": str(row.id),
                            "text": plain("Submitted again" if again else "Mark submitted")}
    if not again:
        mark["style"] = "primary"
    return {"type": "actions", "block_id": f"regulatory:{row.id}", "elements": [
        mark, {"type": "button", "action_id": ids.DRAFT_REPORT, "text": plain("Draft the report"),
               "value": str(row.id)}]}


def drafted_comment(inc: Incident, label: str, actor: str | None) -> str:
    by = f" for {t.user(actor)}" if actor else ""
    drill = "[DRILL] A rehearsal: do not submit. " if inc.drill else ""
    return (f"{drill}:page_facing_up: Draft of the *{t.escape(label)}* of *{inc.key}*{by}: Markdown and the template's "
            "JSON. Complete the fields marked \"to complete\", then submit it yourself; the bot never sends "
            "anything to a regulator.")
