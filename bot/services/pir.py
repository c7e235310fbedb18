"""The post-incident review: requested at resolution, written by several people, completed by the IC.

- Resolving an incident opens its review (owner: the IC; due per severity from the policy) and plans
  the owner's reminders; reopening and resolving again plans them afresh from the new resolution.
- Each save of the form is a revision. A save changes only the fields its author changed since the
  form was opened; a field someone else changed meanwhile is merged (texts joined, lists united), so
  two people writing at once never lose an answer, and every revision keeps the whole set.
- Action items have an owner, a due date and a kind; the owner is told by DM and reminded once overdue.
- Completing the review needs a root cause and an action item or a reason none is needed; it closes
  the incident.

Timers follow bot.services.clocks: a job per reminder with a dedupe key naming what it is for; when
one fires it checks the review as it is now and does nothing if it no longer applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import text as t
from bot.clock import Clock, utc
from bot.errors import InvalidInput, InvalidTransition, NotFound
from bot.jobs import enqueue
from bot.policy import PirDue, Policy
from bot.services.common import announce_change, event, get
from models import ACTION_KINDS, ActionItem, Incident, Pir, PirRevision, TimelineEvent

MAX_ACTION = 300
DOCS = {"runbooks": "Runbooks", "alerts": "Alerts", "dashboards": "Dashboards"}
SETTLEMENTS = {"yes": "Yes", "no": "No", "n/a": "Not applicable"}


@dataclass(frozen=True)
class Question:
    key: str  # the answer's key and the modal block's id
    label: str
    kind: str  # text | long | datetime | choice | multi
    max_length: int = 0
    choices: dict[str, str] | None = None
    hint: str | None = None


# The form, in order. Lengths are Slack's plain_text_input limits (3000 at most).
QUESTIONS: tuple[Question, ...] = (
    Question("summary", "Summary", "long", 3000, hint="What happened, in a few sentences."),
    Question("failed_transactions", "Failed or delayed transactions", "text", 150,
             hint="e.g. 12,400 card authorisations failed; 3,100 payouts delayed"),
    Question("amount_affected", "Amount affected", "text", 150, hint="e.g. EUR 1.2M in failed authorisations"),
    Question("merchants_affected", "Merchants affected", "text", 500),
    Question("regions", "Regions", "text", 150),
    Question("impact_start", "Impact began", "datetime", hint="Defaults to the incident's start."),
    Question("impact_end", "Impact ended", "datetime", hint="Defaults to when it was mitigated or resolved."),
    Question("root_cause", "Root cause", "long", 3000),
    Question("trigger", "Trigger", "long", 3000, hint="The change or event that set it off."),
    Question("detection", "How was it detected, and how long did that take?", "long", 3000),
    Question("went_well", "What went well", "long", 3000),
    Question("went_wrong", "What went wrong", "long", 3000),
    Question("lucky", "Where we got lucky", "long", 3000),
    Question("settlements", "Settlements and reconciliation corrected?", "choice", choices=SETTLEMENTS),
    Question("settlements_note", "Settlements note", "long", 1000),
    Question("docs", "Documentation to update", "multi", choices=DOCS),
    Question("docs_note", "Which documents, and what changes", "long", 1000),
    Question("no_action_reason", "No action needed because", "long", 1000,
             hint="Only when the review ends without action items."),
)
QUESTION = {q.key: q for q in QUESTIONS}
BLAMELESS = ("Blameless: we ask how the system and our process allowed this, never who is at fault. "
             "Write what people knew and did at the time.")


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


def _epoch(dt: datetime) -> int:
    return int(utc(dt).timestamp())


async def review_for(session: AsyncSession, incident_id: int, *, for_update: bool = False) -> Pir | None:
    stmt = select(Pir).where(Pir.incident_id == incident_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


def show_card(session: AsyncSession, incident_id: int | None, now: datetime) -> None:
    """Post the review's card once, and bring it up to date with what this transaction changed."""
    enqueue(session, kind="pir_card", incident_id=incident_id, now=now, dedupe_key=f"pir_card:{incident_id}")
    enqueue(session, kind="pir_card_refresh", incident_id=incident_id, now=now)


def blank(inc: Incident, policy: Policy, now: datetime) -> Pir:
    """The review an incident would get, unsaved: what the form shows before anyone saved it."""
    return _new_review(inc, policy, now)


def severities_reached(rows: Iterable[tuple[str, dict[str, Any]]], policy: Policy) -> list[int]:
    """The severity levels an incident had, from its (kind, data) timeline rows."""
    by_name = {s.name: s.level for s in policy.severities}
    found = []
    for kind, data in rows:
        level = data.get("severity") if kind == "declared" else (
            by_name.get(str(data.get("to"))) if kind == "severity_changed" else None)
        if isinstance(level, int) and level in by_name.values():
            found.append(level)
    return found


async def peak_severity(session: AsyncSession, policy: Policy, inc: Incident) -> int:
    """The highest severity (lowest level) the incident ever had: a SEV-1 lowered to SEV-3 once
    mitigated is still reviewed as a SEV-1."""
    rows = await session.execute(select(TimelineEvent.kind, TimelineEvent.data).where(
        TimelineEvent.incident_id == inc.id, TimelineEvent.kind.in_(("declared", "severity_changed"))))
    return min([inc.severity, *severities_reached(((k, d) for k, d in rows.all()), policy)])


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


# -- resolution ----------------------------------------------------------------------------------

async def on_resolve(session: AsyncSession, policy: Policy, inc: Incident, now: datetime) -> None:
    """Open the review as the policy asks for the incident's severity, post its card, plan reminders."""
    assert inc.id is not None
    if inc.drill:
        return  # a drill ends with its drill report instead (bot.services.drills)
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
    when = f", due in {due.label} ({utc(review.due_at):%Y-%m-%d %H:%M} UTC)" if review.due_at else " (optional)"
    session.add(event(inc, now, "bot", "pir_requested",
                      f"Post-incident review requested from {t.user(review.owner_id)}{when}", "system",
                      {"owner": review.owner_id, "due_at": review.due_at.isoformat() if review.due_at else None}))
    show_card(session, inc.id, now)
    if review.due_at is not None:
        _plan_review_reminders(session, policy, inc, review, now)


def _plan_review_reminders(session: AsyncSession, policy: Policy, inc: Incident, review: Pir,
                           now: datetime) -> None:
    assert review.due_at is not None
    due = utc(review.due_at)
    key = f"{inc.id}:{_epoch(due)}"
    if policy.pir.remind_before is not None and due - policy.pir.remind_before > now:
        enqueue(session, kind="pir_due_soon", incident_id=inc.id, now=now, due_at=due - policy.pir.remind_before,
                payload={"due": _epoch(due)}, dedupe_key=f"pir_due_soon:{key}")
    enqueue(session, kind="pir_overdue", incident_id=inc.id, now=now, due_at=max(due, now),
            payload={"due": _epoch(due), "n": 1}, dedupe_key=f"pir_overdue:{key}:1")


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
               answers: dict[str, Any], base: int, via: str) -> Saved:
    """Save the form as `actor` filled it in, starting from revision `base` (what the form showed)."""
    submitted = clean_answers(answers)
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
    review.revision += 1
    review.answers = current
    review.updated_at = now
    session.add(PirRevision(incident_id=incident_id, number=review.revision, author=actor, saved_at=now,
                            answers=current, changed=changed, merged=merged))
    labels = ", ".join(QUESTION[k].label.lower() for k in changed)
    session.add(event(inc, now, actor, "pir_saved", f"Review revision {review.revision} by {t.user(actor)}: {labels}",
                      via, {"revision": review.revision, "changed": changed, "merged": merged}))
    show_card(session, incident_id, now)
    if merged:
        names = ", ".join(QUESTION[k].label.lower() for k in merged)
        enqueue(session, kind="post_channel", incident_id=incident_id, now=now, payload={
            "channel": actor, "text": f":twisted_rightwards_arrows: Someone else saved the review of {inc.key} while "
                                      f"you were writing. Both versions of {names} are kept in the review "
                                      f"(revision {review.revision})."})
    return Saved(inc, review, changed, merged)


# -- action items ---------------------------------------------------------------------------------

_IN_DAYS = re.compile(r"^(\d{1,3})([dw])$")


def parse_due_date(raw: str, today: date) -> date:
    """`2026-12-01`, `today`, `tomorrow`, `3d`, `2w`."""
    value = raw.strip().lower()
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    m = _IN_DAYS.match(value)
    if m:
        n = int(m.group(1))
        return today + timedelta(days=n * (7 if m.group(2) == "w" else 1))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"`{raw[:20]}` is not a due date: write 2026-12-01, tomorrow, 3d or 2w.",
                           field="due") from None


def overdue_at(due: date) -> datetime:
    """An item is overdue once its due day has ended (UTC)."""
    return datetime.combine(due + timedelta(days=1), time(0, 0), UTC)


async def add_action(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                     owner: str | None, due: date | None, kind: str | None, description: str,
                     via: str) -> ActionItem:
    text = (description or "").strip()
    if not text:
        raise InvalidInput("Describe the action.", field="description")
    if len(text) > MAX_ACTION:
        raise InvalidInput(f"Keep an action item to {MAX_ACTION} characters (it has {len(text)}).",
                           field="description")
    if not owner:
        raise InvalidInput("Choose who owns it.", field="owner")
    if due is None:
        raise InvalidInput("Choose a due date.", field="due")
    kind = kind or "prevent"
    if kind not in ACTION_KINDS:
        raise InvalidInput(f"The kind is one of {', '.join(ACTION_KINDS)}.", field="kind")
    now = utc(clock.now())
    if due < now.date():
        raise InvalidInput("The due date is in the past.", field="due")
    inc = await get(session, incident_id, for_update=True)
    item = ActionItem(incident_id=incident_id, description=text, owner_id=owner, due_date=due, kind=kind,
                      created_by=actor, created_at=now)
    session.add(item)
    await session.flush()
    assert item.id is not None
    session.add(event(inc, now, actor, "action_added",
                      f"Action item #{item.id} ({ACTION_KINDS[kind]}) for {t.user(owner)}, due {due.isoformat()}: "
                      f"{t.escape(text)}", via,
                      {"item": item.id, "owner": owner, "due": due.isoformat(), "kind": kind}))
    enqueue(session, kind="action_assigned", incident_id=incident_id, now=now, payload={"item": item.id})
    enqueue(session, kind="action_overdue", incident_id=incident_id, now=now, due_at=overdue_at(due),
            payload={"item": item.id, "n": 1}, dedupe_key=f"action_overdue:{item.id}:1")
    if await review_for(session, incident_id) is not None:
        show_card(session, incident_id, now)
    return item


async def mark_action_done(*, session: AsyncSession, clock: Clock, item_id: int, actor: str, via: str,
                           message: dict[str, str] | None = None) -> tuple[ActionItem, bool]:
    """The owner, the IC or whoever created the item marks it done. Returns (item, changed).
    `message` (channel, ts) is the message the button was on: it is redrawn to say the item is done."""
    item = await session.get(ActionItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"There is no action item #{item_id}.")
    inc = await get(session, item.incident_id)
    if actor not in (item.owner_id, item.created_by, inc.commander_id):
        raise InvalidInput(f"Only {t.user(item.owner_id)} (the owner), whoever added it, or the IC can mark "
                           f"action item #{item_id} done.")
    if item.status == "done":
        return item, False
    now = utc(clock.now())
    item.status, item.done_at, item.done_by = "done", now, actor
    session.add(event(inc, now, actor, "action_done", f"Action item #{item_id} done: {t.escape(item.description)}",
                      via, {"item": item_id}))
    if message:
        enqueue(session, kind="action_done_message", incident_id=item.incident_id, now=now,
                payload={"item": item_id, **message})
    if await review_for(session, item.incident_id) is not None:
        show_card(session, item.incident_id, now)
    return item, True


async def actions_of(session: AsyncSession, *, incident_id: int | None = None, owner: str | None = None,
                     open_only: bool = True) -> list[tuple[ActionItem, Incident]]:
    stmt = select(ActionItem, Incident).join(Incident, Incident.id == ActionItem.incident_id)
    if incident_id is not None:
        stmt = stmt.where(ActionItem.incident_id == incident_id)
    if owner is not None:
        stmt = stmt.where(ActionItem.owner_id == owner)
    if open_only:
        stmt = stmt.where(ActionItem.status == "open")
    rows = await session.execute(stmt.order_by(ActionItem.due_date, ActionItem.id))
    return [(item, inc) for item, inc in rows.all()]


# -- completion ------------------------------------------------------------------------------------

def _may_close(inc: Incident, review: Pir, actor: str) -> None:
    allowed = {inc.commander_id or review.owner_id, review.owner_id}
    if actor not in allowed:
        raise InvalidInput(f"Only the Incident Commander ({t.user(inc.commander_id or review.owner_id)}) "
                           f"can close the review of {inc.key}.")
    if inc.status == "closed":
        raise InvalidTransition(f"{inc.key} is already closed.")
    if inc.status != "resolved":
        raise InvalidTransition(f"Resolve {inc.key} first; its review is closed after the incident is resolved.")


async def _close(session: AsyncSession, inc: Incident, review: Pir, actor: str, now: datetime) -> None:
    inc.status, inc.closed_at, inc.updated_at = "closed", now, now
    review.completed_at, review.completed_by, review.updated_at = now, actor, now
    await announce_change(session, inc, now, f":lock: {t.user(actor)} closed {inc.key}: the review is done",
                          topic=True)
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
    session.add(event(inc, now, actor, "pir_completed", f"Review completed by {t.user(actor)}", via,
                      {"revision": review.revision, "action_items": len(items)}))
    session.add(event(inc, now, actor, "closed", "Status changed from resolved to closed", via,
                      {"from": "resolved", "to": "closed"}))
    await _close(session, inc, review, actor, now)
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
    session.add(event(inc, now, actor, "pir_skipped", f"Review skipped by {t.user(actor)}: {t.escape(reason)}", via,
                      {"reason": reason}))
    session.add(event(inc, now, actor, "closed", "Status changed from resolved to closed", via,
                      {"from": "resolved", "to": "closed"}))
    await _close(session, inc, review, actor, now)
    return inc


async def request_export(*, session: AsyncSession, clock: Clock, incident_id: int, actor: str, via: str) -> Incident:
    """Queue the document's upload to the incident's channel."""
    inc = await get(session, incident_id)
    now = utc(clock.now())
    session.add(event(inc, now, actor, "pir_exported", f"Review document exported by {t.user(actor)}", via))
    enqueue(session, kind="pir_export", incident_id=incident_id, now=now, payload={"actor": actor})
    return inc


# -- timers ----------------------------------------------------------------------------------------

async def fire(kind: str, *, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int,
               payload: dict[str, Any]) -> None:
    now = utc(clock.now())
    inc = await get(session, incident_id, for_update=True)
    if kind == "action_overdue":
        await _action_overdue(session, policy, inc, now, payload)
        return
    review = await review_for(session, incident_id, for_update=True)
    if (review is None or review.state != "open" or review.due_at is None or inc.status != "resolved"
            or _epoch(review.due_at) != payload.get("due")):
        return  # completed, reopened, or re-planned since
    if kind == "pir_due_soon":
        text = (f":spiral_note_pad: The review of *{inc.key}* is due {_when(review.due_at)}. "
                f"Fill it in from {t.channel(inc.channel_id, inc.channel_name)}.")
        session.add(event(inc, now, "bot", "pir_reminder", f"Reminded {t.user(review.owner_id)} the review is due soon",
                          "system"))
    else:
        n = int(payload.get("n") or 1)
        text = (f":warning: The review of *{inc.key}* was due {_when(review.due_at)} and is not complete. "
                f"Finish it in {t.channel(inc.channel_id, inc.channel_name)}.")
        session.add(event(inc, now, "bot", "pir_overdue", f"Review overdue; reminded {t.user(review.owner_id)}",
                          "system", {"n": n}))
        if policy.pir.overdue_every is not None:
            enqueue(session, kind="pir_overdue", incident_id=incident_id, now=now,
                    due_at=now + policy.pir.overdue_every, payload={"due": payload.get("due"), "n": n + 1},
                    dedupe_key=f"pir_overdue:{incident_id}:{payload.get('due')}:{n + 1}")
    enqueue(session, kind="pir_remind", incident_id=incident_id, now=now,
            payload={"user": review.owner_id, "text": text})


async def _action_overdue(session: AsyncSession, policy: Policy, inc: Incident, now: datetime,
                          payload: dict[str, Any]) -> None:
    item = await session.get(ActionItem, int(payload.get("item") or 0))
    if item is None or item.status != "open" or now < overdue_at(item.due_date):
        return
    n = int(payload.get("n") or 1)
    session.add(event(inc, now, "bot", "action_overdue",
                      f"Action item #{item.id} overdue; reminded {t.user(item.owner_id)}", "system",
                      {"item": item.id, "n": n}))
    enqueue(session, kind="action_reminder", incident_id=inc.id, now=now, payload={"item": item.id})
    if policy.pir.action_overdue_every is not None:
        enqueue(session, kind="action_overdue", incident_id=inc.id, now=now,
                due_at=now + policy.pir.action_overdue_every, payload={"item": item.id, "n": n + 1},
                dedupe_key=f"action_overdue:{item.id}:{n + 1}")


def _when(at: datetime) -> str:
    stamp = _epoch(at)
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{utc(at):%Y-%m-%d %H:%M} UTC>"


TIMER_KINDS = ("pir_due_soon", "pir_overdue", "action_overdue")
