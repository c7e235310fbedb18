"""Report drafts and the auditor's export, built from the incident's own record: the incident row, its
timeline facts, the impact, the classification, the roles, and the review's root cause and actions.

A draft follows its regime's template: for DORA the field groups of Implementing Regulation (EU)
2025/302 (general information about the entity; the initial notification; the intermediate report; the
final report, each report carrying the groups before it); for GDPR the content Art. 33(3) asks for; a
generic one for any other regime. Each field holds a value the record gives or `{"to_complete": why}`
where only a person can know it (the entity's LEI, the authority's reference code…); the Markdown lists
those as "to complete". Nothing here is sent anywhere: people read, complete and submit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import utc
from bot.core.records import get
from bot.impact import fields as impact_fields
from bot.impact import service as impact
from bot.pir.document import MarkdownFormat
from bot.pir.records import actions_of, review_for
from bot.policy import Policy
from bot.policy.regulatory import Regime
from bot.regulatory import service as regulatory
from bot.timeline.describe import sentence
from models import ROLES, SOURCES, ActionItem, Classification, Incident, Pir, RegulatoryReport, TimelineEvent

Value = Any  # a value, or {"to_complete": why}


def todo(why: str) -> dict[str, str]:
    return {"to_complete": why}


@dataclass
class Record:
    incident: Incident
    impact: dict[str, Any]
    decided: list[Classification]
    reports: list[RegulatoryReport]
    review: Pir | None
    items: list[ActionItem]
    events: list[TimelineEvent]


async def load(session: AsyncSession, incident_id: int) -> Record:
    inc = await get(session, incident_id)
    events = list((await session.execute(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
                                         .order_by(TimelineEvent.at, TimelineEvent.id))).scalars())
    items = [i for i, _ in await actions_of(session, incident_id=incident_id, open_only=False)]
    return Record(inc, await impact.current(session, incident_id),
                  await regulatory.classifications(session, incident_id),
                  await regulatory.reports(session, incident_id), await review_for(session, incident_id), items,
                  events)


def _iso(dt: datetime | None) -> str | None:
    return utc(dt).isoformat() if dt else None


def _answer(r: Record, key: str, why: str) -> Value:
    value = (r.review.answers if r.review else {}).get(key)
    return value if isinstance(value, str) and value.strip() else todo(why)


def _or(value: Any, why: str) -> Value:
    return todo(why) if value in (None, [], "") else value


def _last(r: Record, regime: Regime) -> Classification | None:
    decided = [c for c in r.decided if c.regime == regime.key]
    return decided[-1] if decided else None


def _dora(r: Record, regime: Regime, report: str) -> dict[str, dict[str, Value]]:
    inc, v = r.incident, r.impact
    last = _last(r, regime)
    order = [rep.key for rep in regime.reports]
    upto = order.index(report) if report in order else 0
    initial = next((x for x in r.reports if x.regime == regime.key and x.report == order[0]), None)
    groups: dict[str, dict[str, Value]] = {
        "general_information": {
            "submitting_entity_name": todo("the legal name of the entity submitting the report"),
            "submitting_entity_lei": todo("its LEI code"),
            "affected_entities": todo("the financial entities affected, with their LEI codes"),
            "primary_contact": _or(inc.commander_id and f"Slack user {inc.commander_id} (Incident Commander)",
                                   "the primary contact's name, email and phone"),
            "report_type": regime.report(report).name if regime.report(report) else report,
        },
        "initial_notification": {
            "incident_reference_code": inc.key,
            "detected_at": _iso(impact.aware_at(inc)),
            "classified_at": _iso(last.classified_at) if last else todo("classify the incident first"),
            "description": inc.title,
            "classification_criteria_met": last.met if last else [],
            "classification_inputs": last.inputs if last else {},
            "member_states_affected": _or(v.get("regions"), "the Member States affected"),
            "how_discovered": SOURCES.get(inc.source, inc.source),
            "originates_from_third_party": _or(v.get("acquirers") and f"possibly: {', '.join(v['acquirers'])}",
                                               "whether it originates from an ICT third-party provider"),
            "business_continuity_activated": todo("whether the business continuity plan was activated"),
            "other_information": inc.surface or "",
        },
    }
    if upto >= 1:
        groups["intermediate_report"] = {
            "authority_reference_code": _or(initial.reference if initial else None,
                                            "the reference the authority gave the initial notification"),
            "occurred_at": _iso(impact.aware_at(inc)),
            "services_restored_at": _or(_iso(inc.mitigated_at or inc.resolved_at), "when the services were restored"),
            "clients_affected": _or(v.get("customers"), "the number of clients affected"),
            "transactions_affected_number": _or(v.get("failed"), "the number of transactions affected"),
            "transactions_affected_value": _or(v.get("amount") and f"{v.get('currency')} {v['amount']}",
                                               "the value of the transactions affected"),
            "merchants_affected": _or(v.get("merchants"), "the merchants affected"),
            "payment_methods_affected": v.get("methods") or [],
            "data_affected": v.get("data") or todo("the data losses: availability, integrity, confidentiality"),
            "incident_type": todo("cybersecurity, process failure, system failure, external event or payment-related"),
            "affected_infrastructure": _or(inc.surface, "the affected functional areas and infrastructure"),
            "temporary_actions": [e.data.get("label") for e in r.events if e.kind == "checklist_ticked"]
            or todo("the temporary actions and measures taken"),
            "reported_to_other_authorities": todo("other authorities informed"),
        }
    if upto >= 2:
        groups["final_report"] = {
            "root_cause": _answer(r, "root_cause", "the root cause (the review's answer)"),
            "trigger": _answer(r, "trigger", "what triggered it"),
            "lessons_learnt": _answer(r, "went_wrong", "the lessons learnt"),
            "resolved_at": _or(_iso(inc.resolved_at), "when the incident was resolved"),
            "actions": [i.description for i in r.items] or todo("the measures to prevent recurrence"),
            "economic_impact": _or(v.get("amount") and f"{v.get('currency')} {v['amount']} affected",
                                   "direct and indirect costs and losses, and amounts recovered"),
            "recurring": todo("whether the incident recurred"),
        }
    return groups


def _gdpr(r: Record, regime: Regime, report: str) -> dict[str, dict[str, Value]]:
    inc, v = r.incident, r.impact
    return {"art_33_3": {
        "nature_of_breach": _or(", ".join(v.get("data") or []) and f"{inc.title} (data: {', '.join(v['data'])})",
                                "the nature of the breach"),
        "categories_of_data_subjects": todo("the categories of data subjects concerned"),
        "approximate_data_subjects": _or(v.get("customers"), "the approximate number of data subjects"),
        "categories_of_records": todo("the categories of personal data records concerned"),
        "approximate_records": todo("the approximate number of records"),
        "dpo_contact": todo("the name and contact details of the data protection officer"),
        "likely_consequences": todo("the likely consequences of the breach"),
        "measures_taken": [e.data.get("label") for e in r.events if e.kind == "checklist_ticked"]
        or todo("the measures taken or proposed, including to mitigate its effects"),
        "aware_at": _iso(impact.aware_at(inc)),
        "reasons_for_delay": todo("if notified after 72 hours, the reasons for the delay"),
    }}


def _generic(r: Record, regime: Regime, report: str) -> dict[str, dict[str, Value]]:
    inc, v = r.incident, r.impact
    rep = regime.report(report)
    return {"notification": {
        "to": rep.contact if rep and rep.contact else regime.authority,
        "incident": inc.key, "title": inc.title, "aware_at": _iso(impact.aware_at(inc)),
        "impact": impact_fields.summary(v) or todo("the impact"),
        "card_brands": _or(v.get("methods"), "the card brands (schemes) affected"),
        "accounts_at_risk": _or(v.get("customers"), "the number of accounts at risk"),
        "forensic_investigator": todo("the forensic investigator engaged"),
        "containment": [e.data.get("label") for e in r.events if e.kind == "checklist_ticked"]
        or todo("what was done to contain it"),
        "contact": _or(inc.commander_id and f"Slack user {inc.commander_id} (Incident Commander)", "a contact"),
    }}


TEMPLATES = {"dora": _dora, "gdpr": _gdpr, "generic": _generic}


def build(r: Record, policy: Policy, regime: Regime, report: str) -> dict[str, Any]:
    inc = r.incident
    groups = TEMPLATES[regime.template](r, regime, report)
    missing = [f"{g}.{k}" for g, fs in groups.items() for k, val in fs.items()
               if isinstance(val, dict) and "to_complete" in val]
    rep = regime.report(report)
    return {
        "regime": regime.key, "regime_title": regime.title, "template": regime.template, "report": report,
        "report_name": rep.name if rep else report, "legal_basis": list(regime.sources),
        "incident": inc.key, "drill": inc.drill, "severity": policy.severity(inc.severity).name,
        "roles": {k: inc.role_holder(k) for k in ROLES}, "impact": r.impact,
        "field_groups": groups, "to_complete": missing,
        "note": "A draft from the incident record. The bot never sends anything to a regulator.",
    }


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "to_complete" in value:
        return f"**to complete**: {value['to_complete']}"
    if isinstance(value, list):
        return ", ".join(str(x) for x in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {x}" for k, x in value.items()) or "—"
    return str(value).replace("|", "\\|").replace("\n", " ") if value not in (None, "") else "—"


def markdown(draft: dict[str, Any]) -> str:
    drill = "**DRILL: a rehearsal, not a real incident. Do not submit.**\n\n" if draft["drill"] else ""
    out = [f"# {draft['incident']}: {draft['regime_title']}, {draft['report_name']} (draft)", "",
           drill + f"Legal basis: {'; '.join(draft['legal_basis'])}. {draft['note']}", ""]
    for group, values in draft["field_groups"].items():
        out += [f"## {group.replace('_', ' ').capitalize()}", "", "| Field | Value |", "|---|---|"]
        out += [f"| {k.replace('_', ' ')} | {_cell(val)} |" for k, val in values.items()]
        out.append("")
    out += ["## To complete", ""]
    out += [f"- {path}" for path in draft["to_complete"]] or ["_Nothing: check every value before submitting._"]
    out.append("")
    return "\n".join(out)


async def draft(session: AsyncSession, policy: Policy, incident_id: int, regime_key: str,
                report: str) -> tuple[str, str, str]:
    """(markdown, json, file stem) of a report's draft."""
    regime = policy.regulatory.regime(regime_key)
    if regime is None:
        raise ValueError(f"no regime {regime_key!r} in the policy")
    r = await load(session, incident_id)
    d = build(r, policy, regime, report)
    stem = f"{r.incident.key.lower()}-{regime.key}-{report}"
    return markdown(d), json.dumps(d, indent=2, ensure_ascii=False, default=str) + "\n", stem


async def export(session: AsyncSession, policy: Policy, incident_id: int) -> str:
    """One Markdown file for an auditor: the timeline, the classification history, the impact history and
    the report submissions, each with who and when."""
    r = await load(session, incident_id)
    inc = r.incident
    fmt = MarkdownFormat({})
    out = [f"# {inc.key}: regulatory record", "", f"- Title: {inc.title}",
           f"- Severity: {policy.severity(inc.severity).name}; status: {inc.status}" + ("; **DRILL**" if inc.drill
                                                                                     else ""),
           f"- Declared: {_iso(inc.created_at)}; aware (earliest evidence): {_iso(impact.aware_at(inc))}",
           f"- Current impact: {impact_fields.summary(r.impact) or 'none recorded'}", ""]
    out += ["## Classification history", "", "| When (UTC) | Regime | Decision | Criteria met | Inputs | By |",
            "|---|---|---|---|---|---|"]
    for c in r.decided:
        reg = policy.regulatory.regime(c.regime)
        out.append(f"| {_iso(c.classified_at)} | {reg.name if reg else c.regime} | "
                   f"{'major' if c.major else 'not major'} | {_cell(c.met)} | {_cell(c.inputs)} | {c.classified_by} |")
    out += ["", "## Impact history", "", "| When (UTC) | Change | By |", "|---|---|---|"]
    for e in r.events:
        if e.kind == "impact_changed":
            out.append(f"| {_iso(e.at)} | {_cell(sentence(e, fmt))} | {e.actor} |")
    out += ["", "## Reports", "", "| Regime | Report | State | Due (UTC) | Submitted (UTC) | Reference | By | "
            "Missed |", "|---|---|---|---|---|---|---|---|"]
    for row in r.reports:
        reg = policy.regulatory.regime(row.regime)
        rep = reg.report(row.report) if reg else None
        out.append(f"| {reg.name if reg else row.regime} | {rep.name if rep else row.report} | {row.state} | "
                   f"{_iso(row.due_at) or '—'} | {_iso(row.submitted_at) or '—'} | {_cell(row.reference)} | "
                   f"{row.submitted_by or '—'} | {_iso(row.missed_at) or '—'} |")
    out += ["", "## Timeline", "", "| When (UTC) | Event | By |", "|---|---|---|"]
    for e in r.events:
        out.append(f"| {_iso(e.at)} | {_cell(sentence(e, fmt))} | {e.actor} |")
    out.append("")
    return "\n".join(out)
