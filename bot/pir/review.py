"""The post-incident review: requested at resolution, written by several people, completed by the IC.

- Resolving an incident opens its review (owner: the IC; due per severity from the policy) and plans
  the owner's reminders (bot/pir/reminders.py); reopening and resolving again plans them afresh.
- Each save of the form is a revision. A save changes only the fields its author changed since the
  form was opened; a field someone else changed meanwhile is merged (texts joined, lists united), so
  two people writing at once never lose an answer, and every revision keeps the whole set.
- Completing the review needs a root cause and an action item (bot/pir/actions.py) or a reason none is
  needed; it closes the incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput, InvalidTransition
from bot.core.records import get
from bot.impact import service as impact
from bot.impact.fields import summary as impact_summary
from bot.jobs.table import enqueue
from bot.pir import reminders
from bot.pir.questions import QUESTION, QUESTIONS, Question
from bot.pir.records import actions_of, peak_severity, review_for, show_card
from bot.policy import Policy
from bot.policy.pir import PirDue
from bot.timeline.facts import announce, record
from models import Incident, Pir, PirRevision

# -- due dates -----------------------------------------------------------------------------------

def due_at(resolved_at: datetime, due: PirDue) -> datetime | None:
    """`days` after resolution; business days skip Saturdays and Sundays."""
    if due.kind != "due":
        return None
    at = utc(resolved_at)
    if not due.business:
        return at + timedelta(days=due.days)
    left = due.days
    while left:
        at += timedelta(days=1)
        if at.weekday() < 5:
            left -= 1
    return at


def blank(inc: Incident, policy: Policy, now: datetime) -> Pir:
    """The review an incident would get, unsaved: what the form shows before anyone saved it."""
    return _new_review(inc, policy, now)


def _new_review(inc: Incident, policy: Policy, now: datetime, peak: int | None = None) -> Pir:
    assert inc.id is not None
    due = policy.pir.due_for(policy.severity(peak or inc.severity).name)
    return Pir(incident_id=inc.id, owner_id=inc.commander_id or inc.declared_by, required=due.kind == "due",
               created_at=now, updated_at=now)


async def ensure(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> Pir:
    """The incident's review, created on first use (a review can be started before resolution,
    or for a severity whose policy asks for none)."""
    assert inc.id is not None
    review = await review_for(session, inc.id, for_update=True)
    if review is None:
        review = _new_review(inc, policy, now, await peak_severity(session, policy, inc))
        session.add(review)
        await session.flush()
        show_card(session, inc.id, now)
    return review


@dataclass(frozen=True)
class Form:
    """What the review form opens with: the incident, its review (or a blank one), the impact defaults."""

    incident: Incident
    review: Pir
    impact_defaults: dict[str, datetime | None]
    text_defaults: dict[str, str] = field(default_factory=dict)  # the impact facts, for unanswered impact fields


async def form(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int) -> Form:
    """Reading only: nothing is stored until the form is submitted."""
    inc = await get(session, incident_id)
    review = await review_for(session, incident_id)
    if review is None:  # nothing saved yet: an empty form; the first save creates the review
        review = blank(inc, policy, clock.now())
    facts = await impact.current(session, incident_id)
    parts = {"failed_transactions": ("failed", "failed_rate", "delayed", "delayed_rate"),
             "amount_affected": ("amount", "currency"), "merchants_affected": ("merchants", "key_merchants"),
             "regions": ("regions",)}
    texts = {key: impact_summary({k: facts.get(k) for k in names}) for key, names in parts.items()}
    return Form(inc, review, {"impact_start": inc.detected_at or inc.ack_started_at or inc.created_at,
                              "impact_end": inc.mitigated_at or inc.resolved_at},
                {k: v for k, v in texts.items() if v})


# -- resolution ----------------------------------------------------------------------------------

async def on_resolve(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """Open the review as the policy asks for the incident's severity, post its card, plan reminders."""
    assert inc.id is not None
    if inc.drill:
        return  # a drill ends with its drill report instead (bot/drills/report.py)
    peak = await peak_severity(session, policy, inc)
    due = policy.pir.due_for(policy.severity(peak).name)
    review = await review_for(session, inc.id, for_update=True)
    if review is None and due.kind == "none":
        return
    if review is None:
        review = _new_review(inc, policy, now, peak)
        session.add(review)
    if review.state != "open":
        return
    review.required = due.kind == "due"
    review.due_at = due_at(now, due)
    review.updated_at = now
    await session.flush()
    record(session, inc, now, "bot", "pir_requested", owner=review.owner_id,
           due_at=review.due_at.isoformat() if review.due_at else None, days=due.days, business=due.business)
    show_card(session, inc.id, now)
    if review.due_at is not None:
        reminders.plan_review(session, policy, inc, review, now)


# -- the form -------------------------------------------------------------------------------------

def _clean(question: Question, raw: Any) -> Any:
    """One submitted answer, validated: a string, an ISO datetime, a choice, or a list of choices."""
    if raw is None or raw == "" or raw == []:
        return None
    if question.kind in ("text", "long"):
        value = str(raw).strip()
        if len(value) > question.max_length:
            raise InvalidInput(f"Keep this to {question.max_length} characters (it has {len(value)}).",
                               field=question.key)
        return value or None
    if question.kind == "datetime":
        try:
            return datetime.fromtimestamp(int(raw), UTC).isoformat()
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput("Pick a date and time.", field=question.key) from None
    assert question.choices is not None
    if question.kind == "choice":
        if str(raw) not in question.choices:
            raise InvalidInput(f"Choose one of: {', '.join(question.choices.values())}.", field=question.key)
        return str(raw)
    picked = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
    unknown = [v for v in picked if v not in question.choices]
    if unknown:
        raise InvalidInput(f"Choose from: {', '.join(question.choices.values())}.", field=question.key)
    return [k for k in question.choices if k in picked]


def clean_answers(raw: dict[str, Any]) -> dict[str, Any]:
    answers = {q.key: _clean(q, raw.get(q.key)) for q in QUESTIONS}
    start, end = answers.get("impact_start"), answers.get("impact_end")
    if start and end and end < start:
        raise InvalidInput("The impact cannot end before it began.", field="impact_end")
    return answers


def _merge(question: Question, theirs: Any, mine: Any) -> Any:
    """A field two people changed from the same starting point: keep both."""
    if theirs is None or mine is None or theirs == mine:
        return mine if mine is not None else theirs
    if question.kind == "multi":
        return [k for k in (question.choices or {}) if k in set(theirs) | set(mine)]
    if question.kind in ("text", "long"):
        joined = f"{theirs}\n\n{mine}" if question.kind == "long" else f"{theirs}; {mine}"
        if len(joined) <= question.max_length:
            return joined
    return mine  # a single choice, a time, or texts too long to join: the later save wins


async def revision(session: AsyncSession, incident_id: int, number: int) -> PirRevision | None:
    if number <= 0:
        return None
    return (await session.execute(select(PirRevision).where(
        PirRevision.incident_id == incident_id, PirRevision.number == number))).scalar_one_or_none()


@dataclass(frozen=True)
class Saved:
    incident: Incident
    review: Pir
    changed: list[str]
    merged: list[str]


async def save(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
               answers: dict[str, Any], base: int, via: str, prefilled: dict[str, Any] | None = None) -> Saved:
    """Save the form as `actor` filled it in, starting from revision `base` (what the form showed).
    `prefilled` is what the form offered on its own (the impact window's defaults): kept when saved as
    offered, but credited to nobody."""
    submitted = clean_answers(answers)
    try:
        offered = clean_answers(prefilled or {})
    except InvalidInput:  # the form's own metadata, garbled: nothing was offered then
        offered = {}
    inc = await get(session, incident_id, for_update=True)
    now = utc(clock.now())
    review = await ensure(session, policy, inc, now)
    if review.state != "open":
        raise InvalidTransition(f"The review of {inc.key} is {review.state}; it can no longer change.")
    start = await revision(session, incident_id, base) if base else None
    shown = start.answers if start else {}
    current = dict(review.answers)
    changed = [k for k, v in submitted.items() if v != shown.get(k)]
    merged = [k for k in changed if current.get(k) != shown.get(k) and current.get(k) != submitted[k]]
    for key in changed:
        current[key] = _merge(QUESTION[key], current.get(key), submitted[key]) if key in merged else submitted[key]
    if not changed:
        return Saved(inc, review, [], [])
    credited = [k for k in changed if not (offered.get(k) is not None and submitted[k] == offered[k])]
    review.revision += 1
    review.answers = current
    review.updated_at = now
    session.add(PirRevision(incident_id=incident_id, number=review.revision, author=actor, saved_at=now,
                            answers=current, changed=credited, merged=merged))
    record(session, inc, now, actor, "pir_saved", via, revision=review.revision, changed=credited, merged=merged)
    show_card(session, incident_id, now)
    if merged:  # the second author hears that both texts are kept
        enqueue(session, kind="pir_merged", incident_id=incident_id, now=now,
                payload={"user": actor, "revision": review.revision, "fields": merged})
    return Saved(inc, review, changed, merged)


# -- completion ------------------------------------------------------------------------------------

def _may_close(inc: Incident, review: Pir, actor: str) -> None:
    allowed = {inc.commander_id or review.owner_id, review.owner_id}
    if actor not in allowed:
        raise InvalidInput(f"Only the Incident Commander ({{ic}}) can close the review of {inc.key}.",
                           people={"ic": inc.commander_id or review.owner_id})
    if inc.status == "closed":
        raise InvalidTransition(f"{inc.key} is already closed.")
    if inc.status != "resolved":
        raise InvalidTransition(f"Resolve {inc.key} first; its review is closed after the incident is resolved.")


def _close(session: AsyncSession, inc: Incident, review: Pir, actor: str, now: datetime, via: str) -> None:
    inc.status, inc.closed_at, inc.updated_at = "closed", now, now
    review.completed_at, review.completed_by, review.updated_at = now, actor, now
    fact = record(session, inc, now, actor, "closed", via, **{"from": "resolved", "to": "closed"})
    announce(session, inc, now, fact, topic=True)
    show_card(session, inc.id, now)


async def complete(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                   via: str) -> Incident:
    inc = await get(session, incident_id, for_update=True)
    now = utc(clock.now())
    review = await ensure(session, policy, inc, now)
    _may_close(inc, review, actor)
    missing = []
    if not review.answers.get("root_cause"):
        missing.append("a root cause")
    items = await actions_of(session, incident_id=incident_id, open_only=False)
    if not items and not review.answers.get("no_action_reason"):
        missing.append("an action item, or a reason no action is needed (the form's last field)")
    if missing:
        raise InvalidInput(f"The review of {inc.key} needs {' and '.join(missing)} before it can be complete.")
    review.state = "complete"
    record(session, inc, now, actor, "pir_completed", via, revision=review.revision, action_items=len(items))
    _close(session, inc, review, actor, now, via)
    return inc


async def skip(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str, reason: str,
               via: str) -> Incident:
    """Close without a review, where the policy makes one optional; the reason goes on the timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why no review is needed: `/incident pir skip <reason>`.")
    if len(reason) > 1000:
        raise InvalidInput("Keep the reason to 1000 characters.")
    inc = await get(session, incident_id, for_update=True)
    now = utc(clock.now())
    review = await ensure(session, policy, inc, now)
    _may_close(inc, review, actor)
    if review.required:
        sev = policy.severity(inc.severity).name
        raise InvalidInput(f"A review is required for {sev} incidents; it cannot be skipped.")
    review.state = "skipped"
    inc.review_skipped = True
    record(session, inc, now, actor, "pir_skipped", via, reason=reason)
    _close(session, inc, review, actor, now, via)
    return inc


async def request_export(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, via: str) -> Incident:
    """Queue the document's upload to the incident's channel."""
    inc = await get(session, incident_id)
    now = utc(clock.now())
    record(session, inc, now, actor, "pir_exported", via)
    enqueue(session, kind="pir_export", incident_id=incident_id, now=now, payload={"actor": actor})
    return inc
