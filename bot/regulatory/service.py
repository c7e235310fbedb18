"""Classification under a regime, the clocks of the reports it asks for, and their submissions.

Classifying an incident as major under a regime starts the clock of each report that counts from the
classification or from awareness (the earliest evidence, bot/impact/service.py); marking a report
submitted starts the reports that count from it. A clock is a report row (its state and due time) and
timer jobs, as bot/clocks does it: one reminder per `remind_before` before the deadline and one at the
deadline, each with a dedupe key naming the report and its due time, so a restart or a second replica
never reminds twice. A timer that finds its report submitted, cancelled or re-planned does nothing.
Reclassifying as not major stops the clocks that were running (recorded). The bot never sends anything
to a regulator: people do, and record here that they did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, InvalidTransition, NotFound
from bot.core.records import get, require_open
from bot.impact import service as impact
from bot.incidents import permissions
from bot.jobs.table import enqueue
from bot.policy import Policy
from bot.policy.regulatory import Regime, Report
from bot.timeline.facts import announce, record
from models import Classification, Incident, RegulatoryReport

MAX_REFERENCE = 200


def _epoch(dt: datetime) -> int:
    return int(utc(dt).timestamp())


def regime_of(policy: Policy, key: str) -> Regime:
    regime = policy.regulatory.regime(key)
    if regime is None or not regime.enabled:
        known = ", ".join(r.key for r in policy.regulatory.enabled) or "none is enabled in the policy"
        raise InvalidInput("There is no regime `{key}` to classify under (" + known + ").",
                           values={"key": key[:40]})
    return regime


async def classifications(session: AsyncSession, incident_id: int) -> list[Classification]:
    rows = await session.execute(select(Classification).where(Classification.incident_id == incident_id)
                                 .order_by(Classification.classified_at, Classification.id))
    return list(rows.scalars())


async def latest(session: AsyncSession, incident_id: int, regime: str) -> Classification | None:
    found = [c for c in await classifications(session, incident_id) if c.regime == regime]
    return found[-1] if found else None


async def reports(session: AsyncSession, incident_id: int) -> list[RegulatoryReport]:
    rows = await session.execute(select(RegulatoryReport).where(RegulatoryReport.incident_id == incident_id)
                                 .order_by(RegulatoryReport.id))
    return list(rows.scalars())


# -- pre-filling the classification form from the impact facts ----------------------------------

def suggested(inc: Incident, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What the impact facts say, by pre-fill name (bot/policy/regulatory.py PREFILLS)."""
    end = utc(inc.resolved_at) if inc.resolved_at else utc(now)
    hours = round((end - impact.aware_at(inc)).total_seconds() / 3600, 1)
    down_end = utc(inc.mitigated_at) if inc.mitigated_at else end
    data = values.get("data") or []
    out: dict[str, Any] = {
        "customers": values.get("customers"),
        "regions_count": len(values["regions"]) if values.get("regions") else None,
        "data_affected": bool(data) and data != ["none"],
        "data_breach": "confidentiality" in data or "integrity" in data,
        "card_data": inc.incident_type == "card_data_compromise",
        "amount_eur": values.get("amount") if values.get("currency") == "EUR" else None,
        "duration_hours": hours,
        "downtime_hours": round((down_end - impact.aware_at(inc)).total_seconds() / 3600, 1),
        "critical_services": inc.severity == 1,
    }
    return out


def prefilled(regime: Regime, inc: Incident, values: dict[str, Any], now: datetime,
              before: Classification | None) -> dict[str, Any]:
    """The form's starting values: the last classification's inputs, else what the impact suggests."""
    if before is not None:
        return dict(before.inputs)
    hints = suggested(inc, values, now)
    return {i.key: hints.get(i.prefill) for i in regime.inputs() if i.prefill and hints.get(i.prefill) is not None}


def check_inputs(regime: Regime, raw: dict[str, Any]) -> dict[str, Any]:
    """The form's values, typed: yes/no inputs as booleans, numbers as numbers (empty: not known)."""
    out: dict[str, Any] = {}
    for i in regime.inputs():
        value = raw.get(i.key)
        if i.kind == "bool":
            out[i.key] = bool(value)
            continue
        if value is None or str(value).strip() == "":
            out[i.key] = None
            continue
        try:
            number = float(str(value).replace(",", "").strip().removesuffix("%"))
        except ValueError:
            raise InvalidInput(f"{i.label}: write a number.", field=i.key) from None
        if number < 0 or number != number or number > 1e15:
            raise InvalidInput(f"{i.label}: a number from 0.", field=i.key)
        out[i.key] = int(number) if number.is_integer() else number
    return out


# -- the clocks ---------------------------------------------------------------------------------

def _deadline(regime: Regime, report: Report, inc: Incident, base: datetime, classified_at: datetime) -> datetime:
    speed = inc.clock_speed or 1
    due = report.within.after(base, speed)
    if report.at_most is not None:
        anchor = impact.aware_at(inc) if report.at_most_from == "awareness" else classified_at
        due = min(due, report.at_most.after(anchor, speed))
    return due


def _plan(session: AsyncSession, policy: Policy, inc: Incident, row: RegulatoryReport, now: datetime) -> None:
    assert row.id is not None and row.due_at is not None
    due = utc(row.due_at)
    key = f"{row.id}:{_epoch(due)}"
    speed = inc.clock_speed or 1
    for before in policy.regulatory.remind_before:
        at = due - before / speed
        if at > now:
            enqueue(session, kind="regulatory_timer", incident_id=inc.id, now=now, due_at=at,
                    payload={"report": row.id, "due": _epoch(due), "stage": "reminder"},
                    dedupe_key=f"regulatory_reminder:{key}:{int(before.total_seconds())}")
    enqueue(session, kind="regulatory_timer", incident_id=inc.id, now=now, due_at=max(due, now),
            payload={"report": row.id, "due": _epoch(due), "stage": "deadline"},
            dedupe_key=f"regulatory_deadline:{key}")


async def _start(session: AsyncSession, policy: Policy, inc: Incident, regime: Regime, report: Report,
                 row: RegulatoryReport, base: datetime, classified_at: datetime, now: datetime, actor: str,
                 via: str) -> None:
    row.state, row.started_at, row.missed_at = "pending", now, None
    row.due_at = _deadline(regime, report, inc, base, classified_at)
    await session.flush()
    _plan(session, policy, inc, row, now)
    record(session, inc, now, actor, "regulatory_clock", via, regime=regime.key, name=regime.name,
           report=report.key, report_name=report.name, due=utc(row.due_at).isoformat())


async def _rows(session: AsyncSession, inc: Incident, regime: Regime) -> dict[str, RegulatoryReport]:
    assert inc.id is not None
    rows = {r.report: r for r in await reports(session, inc.id) if r.regime == regime.key}
    for report in regime.reports:
        if report.key not in rows:
            rows[report.key] = RegulatoryReport(incident_id=inc.id, regime=regime.key, report=report.key)
            session.add(rows[report.key])
    await session.flush()
    return rows


async def classify(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, regime: str,
                   inputs: dict[str, Any], actor: str, via: str) -> Classification:
    """Decide major or not under `regime` by its rule, from `inputs`; the decision, its inputs, who and when
    are a fact. Major starts the report clocks that are not running yet; not major after major stops them."""
    reg = regime_of(policy, regime)
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    await permissions.check_regulatory(session, policy, inc, actor=actor, doing=f"classify under {reg.name}")
    values = check_inputs(reg, inputs)
    major, met = reg.evaluate(values)
    now = utc(clock.now())
    before = await latest(session, incident_id, reg.key)
    decision = Classification(incident_id=incident_id, regime=reg.key, major=major, inputs=values, met=met,
                              classified_by=actor, classified_at=now)
    session.add(decision)
    fact = record(session, inc, now, actor, "regulatory_classified", via, regime=reg.key, name=reg.name,
                  major=major, met=met, inputs=values, previous=before.major if before else None)
    rows = await _rows(session, inc, reg)
    if major:
        for report in reg.reports:
            row = rows[report.key]
            if row.state in ("pending", "submitted"):
                continue  # a clock already running keeps its deadline
            if report.start in ("classification", "awareness"):
                base = now if report.start == "classification" else impact.aware_at(inc)
                await _start(session, policy, inc, reg, report, row, base, now, now, actor, via)
            elif rows[report.start].state == "submitted" and rows[report.start].submitted_at:
                await _start(session, policy, inc, reg, report, row, utc(rows[report.start].submitted_at), now,
                             now, actor, via)
            else:
                row.state = "waiting"
    else:
        stopped = [r.report for r in rows.values() if r.state in ("pending", "waiting") and r.started_at]
        for row in rows.values():
            if row.state in ("pending", "waiting"):
                row.state = "cancelled"
        if stopped:
            record(session, inc, now, actor, "regulatory_cancelled", via, regime=reg.key, name=reg.name,
                   reports=stopped)
    announce(session, inc, now, fact, topic=False)
    return decision


async def report_row(session: AsyncSession, report_id: int, *, for_update: bool = False) -> RegulatoryReport:
    row = await session.get(RegulatoryReport, report_id, with_for_update=for_update or None)
    if row is None:
        raise NotFound(f"There is no report {report_id}.")
    return row


async def find_report(session: AsyncSession, *, incident_id: int, regime: str, report: str | None) -> RegulatoryReport:
    """A report of the incident by regime key and report key (the first one with a running clock when not
    named)."""
    rows = [r for r in await reports(session, incident_id) if r.regime == regime.lower()]
    if report:
        rows = [r for r in rows if r.report == report.lower()]
    else:
        rows = sorted(rows, key=lambda r: (r.state != "pending", r.id))
    if not rows:
        raise NotFound("No such report: classify the incident as major under that regime first "
                       "(`/incident regulatory` lists its clocks).")
    return rows[0]


async def mark_submitted(*, session: AsyncSession, clock: Clock, policy: Policy, report_id: int, reference: str,
                         actor: str, via: str) -> RegulatoryReport:
    """Somebody submitted the report to the regulator: its reference, when and who; the reports that count
    from this one start (again, for an updated submission: "from the latest")."""
    ref = " ".join((reference or "").split())
    if not ref:
        raise InvalidInput("Give the reference number the regulator gave the submission.", field="reference")
    if len(ref) > MAX_REFERENCE:
        raise InvalidInput(f"Keep the reference to {MAX_REFERENCE} characters.", field="reference")
    # the incident first, then the report: every change here locks in that order (no deadlock)
    inc = await get(session, (await report_row(session, report_id)).incident_id, for_update=True)
    row = await report_row(session, report_id, for_update=True)
    reg = policy.regulatory.regime(row.regime)
    report = reg.report(row.report) if reg else None
    if reg is None or report is None:
        raise InvalidTransition("That regime or report is no longer in the policy.")
    await permissions.check_regulatory(session, policy, inc, actor=actor, doing="record a submission")
    if row.state == "waiting":
        first = reg.report(report.start)
        raise InvalidTransition(f"The {reg.name} {report.name} of {inc.key} is not due yet: its clock starts when "
                                f"the {first.name if first else report.start} is submitted.")
    if row.state == "cancelled":
        raise InvalidTransition(f"{inc.key} is not classified as a major incident under {reg.name}; nothing is due.")
    if row.state == "submitted" and row.reference == ref:
        return row  # the same submission recorded twice (two clicks, two people): once is enough
    now = utc(clock.now())
    row.state, row.reference, row.submitted_at, row.submitted_by = "submitted", ref, now, actor
    row.submissions = (row.submissions or 0) + 1
    fact = record(session, inc, now, actor, "regulatory_submitted", via, regime=reg.key, name=reg.name,
                  report=report.key, report_name=report.name, reference=ref, n=row.submissions)
    rows = await _rows(session, inc, reg)
    decided = await latest(session, inc.id, reg.key)  # type: ignore[arg-type]
    classified_at = utc(decided.classified_at) if decided else now
    for nxt in reg.reports:
        if nxt.start == report.key and rows[nxt.key].state in ("waiting", "pending"):
            await _start(session, policy, inc, reg, nxt, rows[nxt.key], now, classified_at, now, actor, via)
    announce(session, inc, now, fact, topic=False)
    return row


async def fire(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    """A reminder or a deadline coming due; nothing when the report was submitted, stopped or re-planned.
    Deadlines run on after the incident is resolved: the regulator's clock does not stop there."""
    inc = await get(session, incident_id, for_update=True)  # the incident, then the report, as everywhere
    row = await session.get(RegulatoryReport, int(payload.get("report") or 0), with_for_update=True)
    if row is None or row.state != "pending" or row.due_at is None or _epoch(row.due_at) != payload.get("due"):
        return
    reg = policy.regulatory.regime(row.regime)
    report = reg.report(row.report) if reg else None
    if reg is None or report is None:
        return
    now = utc(clock.now())
    due = utc(row.due_at)
    what = {"regime": reg.key, "name": reg.name, "report": report.key, "report_name": report.name,
            "due": due.isoformat()}
    group = policy.regulatory.compliance_group
    if payload.get("stage") == "reminder":
        left = max(0, int((due - now).total_seconds()))
        record(session, inc, now, "bot", "regulatory_reminder", **what, left=left, group=group)
        say = {"message": "reminder", "report": row.id, "left": left}
        elsewhere = [inc.commander_id, policy.regulatory.compliance_channel]
    else:
        row.missed_at = now
        record(session, inc, now, "bot", "regulatory_missed", **what)
        say = {"message": "missed", "report": row.id}
        elsewhere = [inc.commander_id, policy.regulatory.compliance_channel, policy.escalation.channel]
    # the incident channel (None), then the IC's DM and the policy's channels, each once
    for to in [None, *dict.fromkeys(t for t in elsewhere if t)]:
        enqueue(session, kind="regulatory_message", incident_id=inc.id, now=now, payload={**say, "to": to})
    enqueue(session, kind="refresh_card", incident_id=inc.id, now=now)


def request_draft(session: AsyncSession, inc: Incident, now: datetime, *, regime: str, report: str,
                  actor: str) -> None:
    enqueue(session, kind="regulatory_draft", incident_id=inc.id, now=now,
            payload={"regime": regime, "report": report, "actor": actor})


async def draft(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, regime: str | None,
                report: str | None, actor: str, via: str) -> tuple[Incident, RegulatoryReport]:
    """Ask for a report's draft (Markdown and JSON) in the channel; recorded."""
    inc = await get(session, incident_id)
    regimes = [regime] if regime else [r.key for r in policy.regulatory.enabled]
    row = None
    for key in regimes:
        try:
            row = await find_report(session, incident_id=incident_id, regime=key, report=report)
            break
        except NotFound:
            continue
    if row is None:
        raise NotFound("Nothing to draft yet: classify the incident as major under a regime first "
                       "(the card's *Classify*).")
    reg = policy.regulatory.regime(row.regime)
    rep = reg.report(row.report) if reg else None
    if reg is None or rep is None:
        raise InvalidTransition("That regime or report is no longer in the policy.")
    now = utc(clock.now())
    record(session, inc, now, actor, "regulatory_drafted", via, regime=reg.key, name=reg.name, report=rep.key,
           report_name=rep.name)
    request_draft(session, inc, now, regime=reg.key, report=rep.key, actor=actor)
    return inc, row


async def classify_form(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, regime: str | None,
                        actor: str) -> tuple[Incident, Regime, dict[str, Any]]:
    """What the Classify form opens with: the regime (the only enabled one when not named) and its
    inputs pre-filled from the last decision or the impact facts. Only whoever may classify gets it."""
    enabled = policy.regulatory.enabled
    if regime is None and len(enabled) == 1:
        regime = enabled[0].key
    if regime is None:
        raise InvalidInput("Classify under which regime? `/incident classify <regime>`: "
                           + (", ".join(r.key for r in enabled) or "none is enabled in the policy") + ".")
    reg = regime_of(policy, regime)
    inc = await get(session, incident_id)
    require_open(inc)
    await permissions.check_regulatory(session, policy, inc, actor=actor, doing=f"classify under {reg.name}")
    values = prefilled(reg, inc, await impact.current(session, incident_id), utc(clock.now()),
                       await latest(session, incident_id, reg.key))
    return inc, reg, values


async def submitted_form(*, session: AsyncSession, policy: Policy, report_id: int,
                         actor: str) -> tuple[Incident, RegulatoryReport]:
    row = await report_row(session, report_id)
    inc = await get(session, row.incident_id)
    await permissions.check_regulatory(session, policy, inc, actor=actor, doing="record a submission")
    return inc, row


async def overview(*, session: AsyncSession, incident_id: int) -> tuple[Incident, list[Classification],
                                                                         list[RegulatoryReport]]:
    """`/incident regulatory`: the incident, its classifications and its reports."""
    return await get(session, incident_id), await classifications(session, incident_id), await reports(
        session, incident_id)


async def draft_report(*, session: AsyncSession, clock: Clock, policy: Policy, report_id: int, actor: str,
                       via: str) -> tuple[Incident, RegulatoryReport]:
    """The Draft button on a report."""
    row = await report_row(session, report_id)
    return await draft(session=session, clock=clock, policy=policy, incident_id=row.incident_id, regime=row.regime,
                       report=row.report, actor=actor, via=via)
